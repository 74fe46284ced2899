"""Keyset (cursor) pagination over any ordering that ends in a unique key: constant cost at any depth."""

import base64
import json

from django.core.exceptions import FieldDoesNotExist, ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.keyset import after_q, plain, typed_values


def normalize_ordering(ordering):
    """A tuple of field names that ends in the primary key, so every row has a distinct position."""
    if isinstance(ordering, str):
        ordering = (ordering,)
    ordering = tuple(ordering)
    if not ordering or ordering[-1].lstrip("-") not in ("id", "pk"):
        ordering += ("-id" if ordering and ordering[0].startswith("-") else "id",)
    return ordering


class KeysetPagination(BasePagination):
    """`?cursor=` pages by the values of the sort keys (no OFFSET, no COUNT).

    The ordering is `self.ordering`, unless the view offers `get_pagination_ordering(request)`
    (the incident list follows its filter's `ordering` choice that way).
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-id",)
    cursor_query_param = "cursor"
    invalid_cursor_message = _("Invalid cursor.")

    def get_ordering(self, request, view):
        chosen = getattr(view, "get_pagination_ordering", None)
        return normalize_ordering((chosen and chosen(request)) or self.ordering)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise exceptions.ValidationError({self.page_size_query_param: [_("A whole number is required.")]})
        return max(1, min(size, self.max_page_size))

    def decode_cursor(self, raw, model):
        try:
            padded = raw + "=" * (-len(raw) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
            if not isinstance(data, dict):
                raise ValueError
            return typed_values(model, self.ordering_in_use, data.get("v")), bool(data.get("r"))
        except (ValueError, TypeError, KeyError, UnicodeError, FieldDoesNotExist, DjangoValidationError):
            raise exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})

    def encode_cursor(self, row, reverse):
        get = row.__getitem__ if isinstance(row, dict) else row.__getattribute__  # values() rows are dicts
        values = [plain(get(name.lstrip("-"))) for name in self.ordering_in_use]
        raw = json.dumps({"v": values, "r": reverse} if reverse else {"v": values})
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.ordering_in_use = self.get_ordering(request, view)
        size = self.get_page_size(request)
        raw = request.query_params.get(self.cursor_query_param)
        values, reverse = self.decode_cursor(raw, queryset.model) if raw else (None, False)
        ordering = self.ordering_in_use
        if reverse:
            ordering = tuple(n[1:] if n.startswith("-") else f"-{n}" for n in ordering)
        if values is not None:
            queryset = queryset.filter(after_q(self.ordering_in_use, values, reverse=reverse))
        rows = list(queryset.order_by(*ordering)[:size + 1])
        has_more = len(rows) > size
        rows = rows[:size]
        if reverse:
            rows.reverse()
        self.next_cursor = self.previous_cursor = None
        if rows:
            if (has_more and not reverse) or (reverse and values is not None):
                self.next_cursor = self.encode_cursor(rows[-1], reverse=False)
            if (values is not None and not reverse) or (reverse and has_more):
                self.previous_cursor = self.encode_cursor(rows[0], reverse=True)
        return rows

    def _link(self, cursor):
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data):
        return Response({"next": self._link(self.next_cursor), "previous": self._link(self.previous_cursor),
                         "results": data})

    def get_first_page_link(self):
        return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {"type": "object", "required": ["results"],
                "properties": {"next": link, "previous": link, "results": schema}}

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.cursor_query_param, "required": False, "in": "query",
             "description": str(_("The pagination cursor value.")), "schema": {"type": "string"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": str(_("Number of results to return per page.")),
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size}},
        ]


class TicketCursorPagination(KeysetPagination):
    """Newest first; the default for API lists."""

    ordering = ("-id",)


class ChronologicalPagination(KeysetPagination):
    """Oldest first: comments, attachments and the audit trail."""

    ordering = ("id",)
    page_size = 100


class NamePagination(KeysetPagination):
    page_size = 100
    max_page_size = 500
    ordering = ("id",)
