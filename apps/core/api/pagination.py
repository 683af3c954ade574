"""Pagination with a hard ceiling, so no client can ask for the whole table."""

from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class BoundedPageNumberPagination(PageNumberPagination):
    """``?page=N&page_size=M``; ``page_size`` is capped at ``API_MAX_PAGE_SIZE``."""

    page_size_query_param = "page_size"

    @property
    def max_page_size(self) -> int:  # read at request time so tests can override the setting
        return settings.API_MAX_PAGE_SIZE
