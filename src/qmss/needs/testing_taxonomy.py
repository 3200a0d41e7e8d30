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


def make_waiting_taxonomy() -> Taxonomy:
    """A later version of the needs taxonomy, loaded but waiting for a superuser's publish (no areas)."""
    from django.db.models import Max

    from qmss.needs.library import TAXONOMY_URN

    taxonomy, _template = make_taxonomy_and_template()
    latest = Taxonomy.objects.filter(urn=TAXONOMY_URN).aggregate(latest=Max("version"))["latest"] or 0
    return Taxonomy.objects.create(
        urn=TAXONOMY_URN,
        version=latest + 1,
        title="Taxonomie potřeb – další verze",
        source=taxonomy.source,
        checksum="0" * 64,
        content_checksum="0" * 64,
    )


def matrix_kwargs(tenant) -> dict:
    """URL parameters of the taxonomy routes: a waiting library version (reference data, no tenant secret), so a
    superuser's publish form on it writes."""
    waiting = make_waiting_taxonomy()
    return {"library_pk": waiting.pk, "library_kind": "taxonomie"}
