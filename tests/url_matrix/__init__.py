"""Support of the URL × role matrix (tests/test_url_role_matrix.py): response decoding and secret search, form
harvesting, query-parameter discovery, table snapshots and the world of tenant A."""
