"""/api/v1/articles/: staff read and write every article; requesters read the published requester articles;
integrations and anonymous callers have no access. ?q= is knowledge.search (ranked, at most one page)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from core.api.errors import PreconditionFailed
from core.api.pagination import ChronologicalPagination, KeysetPagination
from core.api.params import search_text
from core.api.views import parse_if_match
from core.services import ConflictError

from .. import queries, search, services
from ..filters import ArticleFilter
from .serializers import ArticleRowSerializer, ArticleSerializer, ArticleVersionSerializer, RequesterArticleSerializer

MAX_ID = 2**63 - 1


class ArticlePermission(BasePermission):
    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return queries.can_read(request.user)
        return queries.can_write(request.user)


class ArticlePagination(KeysetPagination):
    page_size = 50
    max_page_size = 100
    ordering = ("-id",)


class ArticleViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin,
                     mixins.UpdateModelMixin, viewsets.GenericViewSet):
    permission_classes = [ArticlePermission]
    pagination_class = ArticlePagination
    filterset_class = ArticleFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if self.action == "list":
            return queries.article_list(self.request.user)
        return queries.article_detail(self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return ArticleRowSerializer
        if self.action == "versions":
            return ArticleVersionSerializer
        if queries.can_write(self.request.user):
            return ArticleSerializer
        return RequesterArticleSerializer

    def get_object(self):
        pk = int(self.kwargs[self.lookup_field])
        if pk > MAX_ID:
            raise exceptions.NotFound()
        return get_object_or_404(self.get_queryset(), pk=pk)

    def _detail(self, article, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=article.pk)
        data = self.get_serializer_class()(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers={"ETag": f'"{fresh.version}"'})

    def _expected_version(self, article, body_version):
        """If-Match (412 when stale) or the body's `version` (409 when stale), as for tickets."""
        versions = parse_if_match(self.request.headers.get("If-Match"))
        if versions is None:
            return body_version, False
        if article.version not in versions:
            raise PreconditionFailed(article.version)
        return article.version, True

    def _write(self, article, write, body_version=None):
        expected, by_header = self._expected_version(article, body_version)
        try:
            return write(expected)
        except ConflictError as exc:
            if by_header:
                raise PreconditionFailed(exc.current_version)
            raise

    @extend_schema(parameters=[OpenApiParameter("q", str, description="Free text (title and body).")])
    def list(self, request, *args, **kwargs):
        text = search_text(request, "q")
        queryset = self.filter_queryset(self.get_queryset())
        if text:
            rows = search.search(text, request.user, queryset=queryset, limit=ArticlePagination.page_size)
            return Response({"next": None, "previous": None,
                             "results": ArticleRowSerializer(rows, many=True).data})
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ArticleRowSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        note = data.pop("change_note", "")
        return self._detail(services.create_article(request.user, data, change_note=note), status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        article = self.get_object()
        serializer = self.get_serializer(article, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        body_version = data.pop("version", None)
        note = data.pop("change_note", "")
        saved = self._write(article, lambda expected: services.update_article(
            article, request.user, data, expected_version=expected, change_note=note), body_version)
        return self._detail(saved)

    @extend_schema(request=None, responses={200: ArticleVersionSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=ChronologicalPagination, filter_backends=[])
    def versions(self, request, pk=None):
        article = self.get_object()
        if not queries.can_write(request.user):
            raise exceptions.PermissionDenied()
        page = self.paginate_queryset(queries.versions_of(article))
        return self.get_paginated_response(ArticleVersionSerializer(page, many=True).data)

    def _move(self, move):
        article = self.get_object()
        return self._detail(self._write(article, lambda expected: move(article, self.request.user, expected)))

    @extend_schema(request=None, responses={200: ArticleSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request, pk=None):
        return self._move(services.publish)

    @extend_schema(request=None, responses={200: ArticleSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def retire(self, request, pk=None):
        return self._move(services.retire)
