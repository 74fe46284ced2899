from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from incidents.models import Category
from slm.models import Service

from ..models import Article, ArticleVersion
from ..rendering import render_markdown


class ArticleRowSerializer(serializers.ModelSerializer):
    score = serializers.IntegerField(read_only=True, required=False,
                                     help_text=_("Relevance for ?q= searches (higher is better)."))

    class Meta:
        model = Article
        fields = ["id", "number", "title", "audience", "state", "version", "review_date", "updated_at",
                  "published_at", "score"]
        read_only_fields = fields


class ArticleSerializer(serializers.ModelSerializer):
    services = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), many=True, required=False)
    categories = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), many=True, required=False)
    body_html = serializers.SerializerMethodField()
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                       help_text=_("The version you edited; a stale one is a 409."))
    change_note = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=255)

    class Meta:
        model = Article
        fields = ["id", "number", "title", "body", "body_html", "audience", "services", "categories",
                  "review_date", "state", "owner", "known_error", "version", "change_note", "created_at",
                  "updated_at", "published_at"]
        read_only_fields = ["number", "state", "owner", "known_error", "created_at", "updated_at", "published_at"]

    def get_body_html(self, article) -> str:
        return render_markdown(article.body)


class RequesterArticleSerializer(ArticleSerializer):
    """What a requester reads: no owner, known error, services or categories."""

    class Meta(ArticleSerializer.Meta):
        fields = ["id", "number", "title", "body", "body_html", "version", "updated_at", "published_at"]
        read_only_fields = fields


class ArticleVersionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", default=None, read_only=True)

    class Meta:
        model = ArticleVersion
        fields = ["version", "title", "body", "author", "change_note", "created_at"]
        read_only_fields = fields
