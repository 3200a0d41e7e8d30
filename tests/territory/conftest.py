"""Territory test fixtures: the real open-data directory, one import of it per module, copies to corrupt."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Max

from qmss.territory.importer import import_territory
from qmss.territory.models import District, Municipality, Orp, Population, Region, TerritoryImport
from qmss.territory.sources import SOURCE_FILES

# Children first, so that deleting never trips a PROTECT foreign key.
TERRITORY_MODELS = (TerritoryImport, Population, Municipality, Orp, District, Region)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    directory = settings.QMSS_DATA_DIR
    if directory is None or not Path(directory).is_dir():
        pytest.skip("QMSS_DATA_DIR is not set and no shared data directory exists: real-data tests skipped")
    missing = [name for name in SOURCE_FILES if not (Path(directory) / name).is_file()]
    if missing:
        pytest.skip(f"the data directory {directory} lacks {', '.join(missing)}")
    return Path(directory)


@pytest.fixture(scope="module")
def real_territory(django_db_setup, django_db_blocker, data_dir):
    """The real territory imported once per test module (committed), removed again after the module."""
    with django_db_blocker.unblock():
        marks = {model: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model in TERRITORY_MODELS}
        run = import_territory(data_dir)
    yield run
    with django_db_blocker.unblock():
        for model in TERRITORY_MODELS:
            model.objects.filter(pk__gt=marks[model]).delete()


@pytest.fixture
def copy_sources(data_dir, tmp_path):
    """Copy only the files the importer reads into a fresh directory (same layout); returns its path."""

    def copy() -> Path:
        target = tmp_path / "data"
        for name in SOURCE_FILES:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(data_dir / name, target / name)  # copyfile: writable copies, never the originals
        return target

    return copy
