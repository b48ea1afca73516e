"""Cursor pagination everywhere: no COUNT, stable under inserts, fast at any depth."""

from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"
