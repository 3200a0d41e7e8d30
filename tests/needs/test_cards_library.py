"""The QMSS model-card library: loaded through the core loader, every code checked against the database with file
and line named, nothing written on an error, versioning like the other libraries."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmss.needs.library import LoadStatus
from qmss.needs.library_cards import KindCardLibraryError, default_path, load_model_cards
from qmss.needs.models import KindCard, KindCardNeed
from qmss.needs.testing_cards import load_card_libraries, make_card

pytestmark = pytest.mark.django_db

# every kind defined in § 37–§ 70 of the Act (incl. § 60a); not the code-list kind CDZ
KINDS = {"1", *(str(n) for n in range(3, 34)), "§60a"}


def _variant(tmp_path: Path, old: str, new: str, *, count: int = 1) -> Path:
    text = default_path().read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "kind-cards.yaml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line)


def test_model_cards_are_loaded_for_the_required_kinds():
    load_card_libraries()
    cards = KindCard.objects.filter(region__isnull=True)
    assert set(cards.values_list("kind__code", flat=True)) >= KINDS
    for card in cards.prefetch_related("activities", "needs__activities", "kind__activities"):
        assert card.state == KindCard.State.PUBLISHED and card.version == 1
        assert card.purpose and card.public_expectations and card.capacity_type_id
        kind_activities = {a.code for a in card.kind.activities.all()}
        card_activities = {a.code for a in card.activities.all()}
        assert card_activities and card_activities <= kind_activities
        assert card.needs.exists()
        for line in card.needs.all():
            assert {a.code for a in line.activities.all()} <= card_activities
        assert card.verified and "108/2006" in card.source
        assert "Přiřazení potřeb: návrh QMSS, neověřeno" in card.source


def test_second_load_changes_nothing():
    load_card_libraries()
    before = KindCard.objects.count()
    assert load_model_cards().status == LoadStatus.UNCHANGED
    assert KindCard.objects.count() == before


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('kind: "29"', 'kind: "999"', "999"),
        ("need: debt", "need: neznama_potreba", "neznama_potreba"),
        ("activities: [NEO, STC, KSP, PUP]", "activities: [NEO, STC, KSP, PUP, XYZ]", "XYZ"),
        ("activities: [PVO, HYG, STR, DOM, KSP]", "activities: [PVO, HYG, STR, DOM, KSP, UBY]", "UBY"),
        ("capacity_type: interv", "capacity_type: pokoje", "pokoje"),
    ],
)
def test_unknown_codes_are_refused_with_file_and_line_and_nothing_written(tmp_path, old, new, message):
    load_card_libraries()
    KindCard.objects.filter(region__isnull=True).delete()  # nothing loaded: an error must not load part of it
    path = _variant(tmp_path, old, new)
    with pytest.raises(KindCardLibraryError) as error:
        load_model_cards(path)
    error = error.value
    assert "kind-cards.yaml" in str(error) and message in str(error)
    assert error.row == _line_of(path, new)
    assert not KindCard.objects.filter(region__isnull=True).exists()
    assert not KindCardNeed.objects.exists()


def test_changed_version_is_replaced_until_a_region_copies_it(tmp_path, tenant_a):
    load_card_libraries()
    path = _variant(tmp_path, "Pečovatelská služba pomáhá lidem", "Pečovatelská služba podporuje lidi")
    assert load_model_cards(path).status == LoadStatus.UPDATED
    assert KindCard.objects.get(region__isnull=True, kind__code="4").purpose.startswith("Pečovatelská služba podporuje")
    make_card(tenant_a.region, "4")  # a region copies version 1: it is used now
    again = _variant(tmp_path, "Pečovatelská služba pomáhá lidem", "Pečovatelská služba slouží lidem")
    with pytest.raises(KindCardLibraryError) as error:
        load_model_cards(again)
    assert "version" in str(error.value).lower() or "verz" in str(error.value).lower()


def test_new_version_supersedes_the_previous_model_cards(tmp_path):
    load_card_libraries()
    path = _variant(tmp_path, "version: 1\n", "version: 2\n")
    assert load_model_cards(path).status == LoadStatus.NEW_VERSION
    model_cards = KindCard.objects.filter(region__isnull=True)
    assert model_cards.filter(version=1, state=KindCard.State.SUPERSEDED).count() == len(KINDS)
    assert model_cards.filter(version=2, state=KindCard.State.PUBLISHED).count() == len(KINDS)
