from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (at most 200), per the public API conventions."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200
