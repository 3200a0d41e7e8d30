"""The HSDS 3.0 export of the real registry sample (``rpss-katalog-seniori``, ~2,000 services) validates against the
vendored schema with no error. Skipped without QMSS_DATA_DIR; the import takes ~15 s, the export ~10 s."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmss.portal import hsds

from .test_open_data import schema_errors


@pytest.fixture(scope="module")
def real_registry(django_db_setup, django_db_blocker):
    from django.conf import settings
    from django.db import connection
    from django.db.models import Max

    from qmss.registry import models as m
    from qmss.registry.importer import run_import
    from qmss.registry.reference import load_reference

    if connection.vendor != "sqlite":
        pytest.skip("the export's validation does not depend on the database: run once, in the SQLite stage")
    relative = "rpss-katalog-seniori/rpss_odvozeno.json"
    path = Path(settings.QMSS_DATA_DIR) / relative if settings.QMSS_DATA_DIR else None
    if path is None or not path.is_file():
        pytest.skip(f"{relative} is not in the data directory (QMSS_DATA_DIR): real-data test skipped")
    order = (
        m.RegistryChange, m.Service, m.Provider, m.RegistryImport, m.ServiceKind, m.BasicActivity,
        m.DeliveryForm, m.CapacityType, m.TargetGroup, m.AgeGroup, m.ReferenceLibrary,
    )  # fmt: skip
    with django_db_blocker.unblock():
        marks = {model: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model in order}
        load_reference()
        run = run_import(path)
        assert run.status == m.RegistryImport.Status.DONE, run.error
        export = hsds.catalogue()
        yield export
        for model in order:
            model.objects.filter(pk__gt=marks[model]).delete()


def test_the_real_registry_sample_validates(real_registry):
    export = real_registry
    assert export["total_items"] > 0
    assert schema_errors(export["services"]) == []
