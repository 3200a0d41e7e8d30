"""Fixtures for the framework tests: the shipped libraries, edited copies of them and a clean tree cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from qmss.frameworks.library import load_libraries
from qmss.frameworks.models import Framework
from qmss.frameworks.selectors import clear_tree_cache

LIBRARY_DIR = Path(settings.BASE_DIR) / "libraries" / "frameworks"
SQSS_FILE = LIBRARY_DIR / "sqss.yaml"
VOLUNTARY_FILE = LIBRARY_DIR / "voluntary-quality-model.yaml"


@pytest.fixture(autouse=True)
def _fresh_tree_cache():
    clear_tree_cache()
    yield
    clear_tree_cache()


@pytest.fixture
def libraries(db) -> dict[str, Framework]:
    """Both shipped libraries loaded; keyed by short name."""
    load_libraries()
    return {fw.short_name: fw for fw in Framework.objects.all()}


@pytest.fixture
def sqss(libraries) -> Framework:
    return libraries["SQSS"]


@pytest.fixture
def voluntary(libraries) -> Framework:
    return Framework.objects.get(urn="urn:qmss:framework:voluntary-quality-model")


def write_copy(tmp_path: Path, source: Path, *replacements: tuple[str, str], name: str | None = None) -> Path:
    """A copy of ``source`` in ``tmp_path`` with each (old, new) text replaced exactly once."""
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    path = tmp_path / (name or source.name)
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """1-based number of the (only) line containing ``needle``."""
    lines = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line]
    assert len(lines) == 1, (needle, lines)
    return lines[0]


def synthetic_library(
    tmp_path: Path, n_criteria: int, *, urn: str = "urn:qmss:framework:test", version: int = 1
) -> Path:
    """A small valid library with ``n_criteria`` criteria spread over standards of five criteria each."""
    lines = [
        f"urn: {urn}",
        f"version: {version}",
        "locale: cs",
        "short_name: TEST",
        "title: Testovací rámec",
        "source: testy",
        "default_scale: points",
        "pass_rule: {type: min_average, scale: points, min_average: 2}",
        "scales:",
        "  - key: points",
        "    name: Body",
        "    values:",
        '      - {key: "0", label: nula, score: 0}',
        '      - {key: "3", label: tři, score: 3}',
        "requirements:",
    ]
    for n in range(n_criteria):
        if n % 5 == 0:
            lines += [f'  - {{ref_id: "S{n // 5}", kind: standard, title: "Standard {n // 5}"}}']
        lines += [
            f'  - {{ref_id: "C{n}", kind: criterion, parent: "S{n // 5}", title: "Kritérium {n}", essential: true,'
            f' typical_evidence: ["doklad {n}"]}}'
        ]
    path = tmp_path / f"{urn.rsplit(':', 1)[-1]}-v{version}-{n_criteria}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
