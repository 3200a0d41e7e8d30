"""Query-budget assertions: a page's query count must not grow with the number of rows it shows.

``assert_constant_queries`` measures the same request at two sizes of the data set and fails when the query
count differs (an N+1) or exceeds the budget. To stay honest it also checks, at both sizes, that

- the request answered with the expected status (a 404 makes few queries, whatever the data),
- ``grow`` really added rows of the listed thing (``count``: a callable or a queryset, re-read per size), and
- the response shows more rows at the large size than at the small one (``rows``), so that the rows that were
  added are the rows the page lists, not rows of another tenant or of another page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

_START_TAG = re.compile(rb"<[A-Za-z]")


def count_queries(func: Callable[[], object]) -> tuple[int, list[str]]:
    _result, n, sql = measure(func)
    return n, sql


def measure(func: Callable[[], Any]) -> tuple[Any, int, list[str]]:
    """``func()``'s return value, the number of queries it made and their SQL."""
    with CaptureQueriesContext(connection) as ctx:
        result = func()
    return result, len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _json_items(value: Any) -> int:
    """Objects and list items in a decoded JSON document (each row of a list is at least one)."""
    if isinstance(value, dict):
        return 1 + sum(_json_items(v) for v in value.values())
    if isinstance(value, list):
        return len(value) + sum(_json_items(v) for v in value)
    return 0


def rendered_rows(result: Any) -> int:
    """A measure of how many rows ``result`` shows: for an HTML or SVG response the number of elements, for JSON
    the number of objects and list items, for other responses the size; for a list or tuple its length."""
    if isinstance(result, list | tuple):
        return len(result)
    if not hasattr(result, "status_code"):
        raise TypeError(f"pass rows=… to measure how many rows a {type(result).__name__} shows")
    content = b"".join(result.streaming_content) if getattr(result, "streaming", False) else result.content
    content_type = result.get("Content-Type", "")
    if "json" in content_type:
        return _json_items(json.loads(content))
    if "html" in content_type or "svg" in content_type or "xml" in content_type:
        return len(_START_TAG.findall(content))
    return len(content)


def _read_count(count: Callable[[], int] | Any) -> int:
    """``count`` is a queryset or manager (counted) or a callable returning a number."""
    return count.count() if hasattr(count, "count") else count()


def assert_constant_queries(
    request: Callable[[], Any],
    grow: Callable[[int], object],
    *,
    count: Callable[[], int] | Any,
    small: int = 1,
    large: int = 50,
    max_queries: int | None = None,
    status: int | None = 200,
    rows: Callable[[Any], int] | None = rendered_rows,
) -> int:
    """Call ``grow(small)``, measure ``request()``, then grow to ``large`` rows and measure again.

    ``grow(n)`` must make the data set hold (at least) ``n`` rows of the thing the page lists; ``count`` (a
    callable returning a number, or a queryset) counts those rows and must have grown between the two
    measurements. A response must answer ``status`` (``None`` for a call that returns no response) and, by
    ``rows`` (``rendered_rows`` by default; ``None`` to skip, only for pages that show a fixed number of rows),
    show more rows at the large size. Fails when the query count differs between the two sizes (an N+1) or
    exceeds ``max_queries``. Returns the measured count.
    """

    def run(label: str, n_rows: int):
        result, n, sql = measure(request)
        if status is not None and hasattr(result, "status_code"):
            assert result.status_code == status, (
                f"{label} measurement ({n_rows} rows): status {result.status_code}, expected {status}; a page that "
                "does not answer measures nothing"
            )
        return result, n, sql

    grow(small)
    rows_small = _read_count(count)
    assert rows_small >= 1, f"grow({small}) left no rows to list (count {rows_small})"
    run("warm-up", rows_small)  # warm caches (content types, sessions) so they do not blur the comparison
    result_small, n_small, sql_small = run("small", rows_small)
    grow(large)
    rows_large = _read_count(count)
    assert rows_large > rows_small, (
        f"grow({large}) added no rows: count {rows_small} before, {rows_large} after; the comparison would "
        "measure the same data twice"
    )
    result_large, n_large, sql = run("large", rows_large)
    if rows is not None:
        shown_small, shown_large = rows(result_small), rows(result_large)
        assert shown_large > shown_small, (
            f"the response does not show the added rows: {shown_small} shown for {rows_small} rows, {shown_large} "
            f"for {rows_large} rows (the grown rows are not the rows this page lists)"
        )
    assert n_large == n_small, (
        f"query count grows with rows: {n_small} queries for {rows_small} rows, {n_large} for {rows_large} rows:\n"
        + "\n".join(sql if n_large > n_small else sql_small)
    )
    if max_queries is not None:
        assert n_large <= max_queries, f"{n_large} queries, budget {max_queries}:\n" + "\n".join(sql)
    return n_large
