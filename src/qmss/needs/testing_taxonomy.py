"""Test builders of the taxonomy part: the real needs libraries loaded into the test database, and the URL
matrix's parameters for the taxonomy routes."""

from __future__ import annotations

from functools import lru_cache

from qmss.needs.models import CollectionTemplate, Taxonomy


@lru_cache(maxsize=1)
def _libraries():
    from qmss.needs.library import read_files

    return tuple(read_files())


def make_taxonomy_and_template() -> tuple[Taxonomy, CollectionTemplate]:
    """The published needs taxonomy and collection template from ``libraries/needs/`` (loaded on first use in
    this database; the files are read once per test process). Idempotent: a second call loads nothing."""
    from qmss.needs.library import current_taxonomy, current_template, write_libraries

    taxonomy, template = current_taxonomy(), current_template()
    if taxonomy is None or template is None:
        write_libraries(list(_libraries()))
        taxonomy, template = current_taxonomy(), current_template()
    return taxonomy, template


def matrix_kwargs(tenant) -> dict:
    """URL parameters of the taxonomy routes: the loaded library versions (reference data, no tenant secret)."""
    taxonomy, template = make_taxonomy_and_template()
    return {"library_pk": taxonomy.pk, "library_kind": "taxonomie"}
