"""URL × role matrix entries of the what-if part (qmss.network urls_whatif)."""

WHATIF_PAGE = "sit/co-kdyby/<int:network_pk>/"

POST_ONLY = {
    "sit/co-kdyby/<int:network_pk>/ulozit/": (
        "save-as-scenario form of the what-if page",
        WHATIF_PAGE,
        "A region/network_manager",
    ),
}

OWNER_POST_SKIPPED = {
    WHATIF_PAGE: (
        "the what-if POST recomputes the ranking and saves nothing by design; covered by "
        "tests/network/test_whatif_views.py"
    ),
}
