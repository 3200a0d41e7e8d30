"""Pagination shared by every list page: one page size, and links that keep the list's filters."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 50


def paginate(request: HttpRequest, object_list, *, per_page: int = PAGE_SIZE) -> Page:
    """The page of ``object_list`` asked for by ``?page=`` (the last page for a number past the end)."""
    return Paginator(object_list, per_page).get_page(request.GET.get("page"))


def filter_query_string(request: HttpRequest) -> str:
    """The request's non-empty GET parameters without ``page``: what pagination links must carry along."""
    return urlencode([(key, value) for key, value in request.GET.items() if key != "page" and value])
