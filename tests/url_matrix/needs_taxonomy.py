"""URL × role matrix entries of the taxonomy routes (see tests/test_url_role_matrix.py for the shapes).

The taxonomy, the collection template and the library versions are reference data loaded from
libraries/needs/: no tenant's secret can be on these pages."""

PUBLIC = {
    "potreby/": "needs app index: links to the parts by role, no tenant data",
    "potreby/potreby/": "needs taxonomy: public reference data",
    "potreby/sablona/": "collection template: reference data shared by every logged-in user",
    "api/v1/needs/taxonomy": "needs taxonomy API: public reference data",
    "api/v1/needs/templates/current": "collection template API: public reference data",
}

SUPERUSER_ONLY = {
    "potreby/knihovny/": "library versions are published by superusers",
    "potreby/knihovny/<str:library_kind>/<int:library_pk>/zverejnit/": "library versions are published by superusers",
}
