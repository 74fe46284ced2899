"""GET /api/v1/search/?q= : the global search, for every ticket kind the caller may see."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import search

from .schema import ERRORS


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=search.MAX_QUERY_LENGTH, help_text=_(
        "A ticket number (1061, INC0001061, inc1061) or words; stemmed on PostgreSQL (printers finds printer)."))


class SearchResultSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("The ticket kind, e.g. incident."))
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField(help_text=_("The state code in the kind's workflow."))
    url = serializers.CharField(help_text=_("The ticket's page in the web UI."))


class SearchResponseSerializer(serializers.Serializer):
    results = SearchResultSerializer(many=True)


class SearchView(APIView):
    """Number, title and description of the tickets the caller may see (never comments or work notes)."""

    @extend_schema(tags=["search"], parameters=[SearchQuerySerializer],
                   responses={200: SearchResponseSerializer, **ERRORS},
                   summary=_("Search tickets of every kind"),
                   description=format_lazy(_("Number matches first, then word matches ranked by relevance, "
                                             "newest first within equal rank; at most {per_kind} per kind and "
                                             "{total} in all."), per_kind=search.PER_KIND, total=search.TOTAL))
    def get(self, request):
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = search.search_tickets(request.user, params.validated_data["q"])
        return Response(SearchResponseSerializer({"results": rows}).data)
