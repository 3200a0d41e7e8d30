"""Query-budget assertions: a page's query count must not grow with the number of rows it shows."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(func: Callable[[], object]) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def assert_constant_queries(
    request: Callable[[], object],
    grow: Callable[[int], object],
    *,
    small: int = 1,
    large: int = 50,
    max_queries: int | None = None,
) -> int:
    """Call ``grow(small)``, measure ``request()``, then grow to ``large`` rows and measure again.

    ``grow(n)`` must make the data set hold (at least) ``n`` rows of the thing the page lists.
    Fails when the count differs between the two sizes (an N+1) or exceeds ``max_queries``.
    Returns the measured count.
    """
    grow(small)
    request()  # warm caches (content types, sessions) so they do not blur the comparison
    n_small, _ = count_queries(request)
    grow(large)
    n_large, sql = count_queries(request)
    assert n_large == n_small, (
        f"query count grows with rows: {n_small} queries for {small} rows, {n_large} for {large} rows:\n"
        + "\n".join(sql)
    )
    if max_queries is not None:
        assert n_large <= max_queries, f"{n_large} queries, budget {max_queries}:\n" + "\n".join(sql)
    return n_large
