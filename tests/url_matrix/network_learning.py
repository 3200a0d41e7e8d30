"""URL-matrix tables of the network app's learning part (merged into tests/test_url_role_matrix.py)."""

POST_ONLY = {
    "sit/uceni/<int:network_pk>/odhad/": (
        "estimate button on the learning page",
        "sit/uceni/<int:network_pk>/",
        "A region/network_manager",
    ),
}
