from rest_framework.pagination import CursorPagination


class TicketCursorPagination(CursorPagination):
    """Keyset pagination: constant cost at any depth of a million-row list."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"


class NamePagination(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "id"
