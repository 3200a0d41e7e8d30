"""The MMR social exclusion index: import from the real MMR table, bad rows, and the share per ORP."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from qmss.territory.importer import TerritoryImportError, import_territory
from qmss.territory.models import ExclusionIndex, Municipality, Orp, Population
from qmss.territory.selectors import exclusion_share_by_orp
from qmss.territory.sources import INDEX_CATEGORY, INDEX_CSV, INDEX_POINTS
from qmss.testing.factories import make_municipality, make_region

pytestmark = pytest.mark.django_db


def _index_rows(data_dir: Path) -> list[dict[str, str]]:
    with open(data_dir / INDEX_CSV, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- import ------------------------------------------------------------------------------------------------


def test_real_import_loads_the_index(real_territory, data_dir):
    rows = _index_rows(data_dir)
    assert real_territory.counts["exclusion_rows"] == len(rows) == 6258
    assert ExclusionIndex.objects.filter(year=2023).count() == 6258
    categories = Counter(ExclusionIndex.objects.values_list("category", flat=True))
    assert categories == {"0 až 1": 3393, "2 až 7": 2326, "8 až 11": 298, "12 až 30": 241}
    krhova = ExclusionIndex.objects.get(municipality__code="500062")
    assert (krhova.year, krhova.points, krhova.category) == (2023, 2, "2 až 7")


def test_real_exclusion_share_equals_a_recomputation(real_territory, data_dir):
    """Independent recomputation straight from the two CSV files for every ORP."""
    points = {row["Kód obce"]: int(row[INDEX_POINTS]) for row in _index_rows(data_dir)}
    latest = {}
    for code, day, total in Population.objects.values_list("municipality__code", "reference_date", "total"):
        if code not in latest or latest[code][0] < day:
            latest[code] = (day, total)
    totals: Counter = Counter()
    excluded: Counter = Counter()
    for code, orp_id in Municipality.objects.values_list("code", "orp_id"):
        totals[orp_id] += latest[code][1]
        if points[code] >= 8:
            excluded[orp_id] += latest[code][1]
    orp_ids = list(Orp.objects.values_list("pk", flat=True))
    shares = exclusion_share_by_orp(orp_ids)
    assert len(shares) == 206
    for orp_id in orp_ids:
        expected = (Decimal(excluded[orp_id]) / Decimal(totals[orp_id])).quantize(Decimal("0.000001"))
        assert shares[orp_id] == expected
    assert any(share > 0 for share in shares.values()) and any(share == 0 for share in shares.values())


def _rewrite(directory: Path, row_index: int, column: str, value: str) -> None:
    path = directory / INDEX_CSV
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row_index][rows[0].index(column)] = value
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (INDEX_POINTS, "hodně", "hodně"),  # not a number
        (INDEX_POINTS, "31", "31"),  # above the 30-point scale
        (INDEX_POINTS, "9", "9"),  # does not match the category of row 4 ("2 až 7")
        (INDEX_CATEGORY, "3 až 5", "3 až 5"),  # unknown category
        ("Kód obce", "999999", "999999"),  # unknown municipality
    ],
)
def test_bad_index_row_names_file_row_and_field_and_writes_nothing(
    real_territory, copy_sources, column, value, message
):
    directory = copy_sources()
    _rewrite(directory, 3, column, value)  # row 4 of the file: Krhová, 2 points, "2 až 7"
    before = (ExclusionIndex.objects.count(), list(ExclusionIndex.objects.values_list("points", flat=True)[:50]))
    with pytest.raises(TerritoryImportError) as caught:
        import_territory(directory)
    error = caught.value
    expected_field = INDEX_CATEGORY if value == "9" else column
    assert (error.file, error.row, error.field) == (INDEX_CSV, 4, expected_field)
    assert "index_vylouceni_2023.csv" in str(error) and message in str(error) and "4" in str(error)
    after = (ExclusionIndex.objects.count(), list(ExclusionIndex.objects.values_list("points", flat=True)[:50]))
    assert after == before


# --- the share per ORP, hand-computed ---------------------------------------------------------------------


def _index(municipality, points: int, year: int = 2023) -> None:
    category = next(name for name, (low, high) in {"0 až 1": (0, 1), "2 až 7": (2, 7), "8 až 11": (8, 11),
                                                   "12 až 30": (12, 30)}.items() if low <= points <= high)  # fmt: skip
    ExclusionIndex.objects.create(municipality=municipality, year=year, points=points, category=category)


def test_exclusion_share_hand_computed():
    region = make_region()
    a = make_municipality(region, population=6000)  # 8 points → excluded
    orp = a.orp
    b = make_municipality(region, population=3000)  # 7 points → not excluded
    c = make_municipality(region, population=1000)  # 12 points → excluded
    d = make_municipality(region, population=500)  # no index → not excluded
    for municipality in (b, c, d):
        municipality.orp = orp
        municipality.save()
    _index(a, 8)
    _index(b, 7)
    _index(c, 12)
    # the latest population counts: a had 6,000 in 2024, 9,000 in 2020
    Population.objects.create(municipality=a, reference_date=date(2020, 1, 1), total=9000)
    # the latest index counts: b had 9 points in 2021, 7 in 2023
    _index(b, 9, year=2021)
    other = make_municipality(region, population=2000)  # its own ORP, 0 points
    _index(other, 0)
    # (6,000 + 1,000) / (6,000 + 3,000 + 1,000 + 500) = 7,000 / 10,500 = 0.666667
    assert exclusion_share_by_orp([orp.pk, other.orp_id]) == {
        orp.pk: Decimal("0.666667"),
        other.orp_id: Decimal("0.000000"),
    }
    # a stricter threshold: only c counts → 1,000 / 10,500 = 0.095238
    assert exclusion_share_by_orp([orp.pk], min_points=12) == {orp.pk: Decimal("0.095238")}
    assert exclusion_share_by_orp([]) == {}


def test_exclusion_share_is_one_query(django_assert_num_queries):
    region = make_region()
    municipalities = [make_municipality(region, population=100 * n) for n in range(1, 6)]
    for n, municipality in enumerate(municipalities):
        _index(municipality, 4 * n)
    with django_assert_num_queries(1):
        shares = exclusion_share_by_orp([m.orp_id for m in municipalities])
    assert len(shares) == 5
