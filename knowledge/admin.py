"""Articles are written on the knowledge pages and the API (through knowledge.services); the admin only
lists them and their history."""

from django.contrib import admin

from .models import Article, ArticleVersion


class ArticleVersionInline(admin.TabularInline):
    model = ArticleVersion
    fields = ("version", "title", "author", "change_note", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "state", "audience", "version", "review_date", "updated_at")
    list_filter = ("state", "audience")
    search_fields = ("number", "title")
    readonly_fields = [f.name for f in Article._meta.fields] + ["services", "categories"]
    inlines = [ArticleVersionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
