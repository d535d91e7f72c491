"""Pagination for every API list: page number and size, with links that keep every filter."""

from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Page-number pagination; ``next``/``previous`` are built from the full request URL,
    so every filter and ordering parameter stays in the links."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200
