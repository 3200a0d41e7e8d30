"""URL × role matrix entries of the indicator routes (see tests/test_url_role_matrix.py for the shapes)."""

PUBLIC = {
    "potreby/ukazatele/": "indicator definitions: reference data of the published collection template",
    "api/v1/needs/indicators": "indicator definitions API: reference data of the published collection template",
}
