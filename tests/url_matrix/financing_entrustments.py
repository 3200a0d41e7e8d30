"""URL × role matrix entries of the entrustments part (qmss.financing.urls_entrustments).

Tenant A's entrustment (``qmss.financing.testing_entrustments.matrix_kwargs``) is a proposal on A's network: the
manager side sees it (and the network's pending proposals), the provider sees issued entrustments only. Proposing
and issuing are POST-only routes posted from the network's entrustments page by A's network manager."""

ENTRUSTMENTS_PAGE = "financovani/povereni/<int:network_pk>/"

POST_ONLY = {
    "financovani/povereni/<int:network_pk>/navrhnout/": (
        "propose form of the entrustments page (the pending proposals of the current network version)",
        ENTRUSTMENTS_PAGE,
        "A region/network_manager",
    ),
    "financovani/povereni/<int:network_pk>/vydat/": (
        "issue form of the entrustments page (the proposed entrustments)",
        ENTRUSTMENTS_PAGE,
        "A region/network_manager",
    ),
}
