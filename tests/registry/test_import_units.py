"""Pieces of the registry import without the database: normalisation, fingerprint, diff, report; the command."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from qmss.registry.importer import fingerprint, normalise
from qmss.registry.importer.diff import field_changes, is_ending
from qmss.registry.importer.normalise import canonical_json


def test_canonical_json_is_sorted_compact_json(sample_document, make_record):
    for record in [*sample_document["polozky"], make_record()]:
        canonical, _extra = normalise(record)
        assert canonical_json(canonical) == json.dumps(
            canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )


def test_normalise_keeps_only_what_we_use(make_record):
    record = make_record(faxy=[{"fax": "1"}], doplnkoveUdaje=[{"url": "x"}], kontaktniAdresy=[{"ulice": "y"}])
    record["poskytovatel"]["statutarniOrgany"] = [{"jmeno": "Jan", "prijmeni": "Novák"}]
    record["zarizeni"][0]["vedouci"] = "Eva Nováková"
    canonical, extra = normalise(record)
    text = json.dumps([canonical, extra], ensure_ascii=False)
    assert "Novák" not in text and "faxy" not in text and "doplnkoveUdaje" not in text
    assert canonical["poskytovatel"] == {"ico": "12345678", "nazev": "Domov Lipová, p. o.", "pravniForma": None}
    assert extra["weby"] == ["www.lipova.test"]
    assert canonical["zarizeni"][0]["adresa"] == {
        "cisloDomovni": "125", "cisloOrientacni": "3", "kodAdresnihoMista": 79121519, "kraj": "43",
        "obec": "557897", "psc": "33501", "ulice": "Lipová",
    }  # fmt: skip
    assert canonical["formy"] == [
        {"forma": "FormaSocialniSluzby/pob", "kapacity": [
            {"pocet": 40, "popis": None, "typ": "TypKapacitySocialniSluzby/luzka"}], "nepretrzitePoskytovani": True}
    ]  # fmt: skip


def test_fingerprint_ignores_order_of_forms_and_target_groups(make_record):
    record = make_record()
    record["formy"].append({"forma": {"id": "FormaSocialniSluzby/amb"}, "kapacity": []})
    record["ciloveSkupiny"].append({"cilovaSkupina": {"id": "CilovaSkupinaOsoby/30"}})
    reordered = make_record()
    reordered["formy"] = [{"forma": {"id": "FormaSocialniSluzby/amb"}, "kapacity": []}, record["formy"][0]]
    reordered["ciloveSkupiny"] = list(reversed(record["ciloveSkupiny"]))
    assert fingerprint(normalise(record)[0]) == fingerprint(normalise(reordered)[0])
    changed = make_record()
    changed["formy"][0]["kapacity"][0]["pocet"] = 41
    assert fingerprint(normalise(changed)[0]) != fingerprint(normalise(record)[0])


def test_dates_with_a_time_part_are_accepted(make_record):
    canonical, _extra = normalise(make_record(datumPoskytovaniOd="2020-01-01T00:00:00+01:00"))
    assert canonical["datumPoskytovaniOd"] == "2020-01-01"


def test_diff_paths():
    old = {
        "formy": [{"forma": "F/pob", "kapacity": [{"typ": "T/luzka", "pocet": 20}, {"typ": "T/klient", "pocet": 3}]}],
        "zarizeni": [{"nazev": "A", "adresa": {"obec": "1"}}, {"nazev": "B", "adresa": None}],
        "weby": ["a"],
    }
    new = {
        "formy": [{"forma": "F/pob", "kapacity": [{"typ": "T/luzka", "pocet": 25}]}],
        "zarizeni": [{"nazev": "A", "adresa": {"obec": "2", "psc": "11000"}}, {"nazev": "B", "adresa": {"obec": "3"}}],
        "weby": ["a", "b"],
    }
    assert field_changes(old, new) == [
        ("formy[pob].kapacity[luzka].pocet", 20, 25),
        ("formy[pob].kapacity[klient]", {"typ": "T/klient", "pocet": 3}, None),
        ("weby", ["a"], ["a", "b"]),
        ("zarizeni[0].adresa.obec", "1", "2"),
        ("zarizeni[0].adresa.psc", None, "11000"),
        ("zarizeni[1].adresa", None, {"obec": "3"}),
    ]
    assert field_changes(new, new) == []


def test_duplicate_codes_get_numbered_paths():
    old = {"formy": [{"forma": "F/pob", "kapacity": []}, {"forma": "F/pob", "kapacity": [{"typ": "T/x", "pocet": 1}]}]}
    new = {"formy": [{"forma": "F/pob", "kapacity": []}, {"forma": "F/pob", "kapacity": [{"typ": "T/x", "pocet": 2}]}]}
    assert field_changes(old, new) == [("formy[pob#2].kapacity[x].pocet", 1, 2)]


@pytest.mark.parametrize(
    ("old", "new", "ending"),
    [
        (None, "2026-01-01", True),
        ("2027-01-01", "2026-01-01", True),
        (None, "2026-06-01", True),  # today
        (None, "2026-06-02", False),  # future
        ("2025-01-01", "2026-01-01", False),  # was already over
        ("2026-01-01", None, False),
    ],
)
def test_is_ending(old, new, ending):
    assert is_ending(old, new, date(2026, 6, 1)) is ending


@pytest.mark.django_db
def test_command_prints_a_report_and_dry_run_writes_nothing(sample_path, reference, registry_counts):
    before = registry_counts()
    out = io.StringIO()
    call_command("import_registry", str(sample_path), "--dry-run", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert registry_counts() == before
    assert "37" in text and "7583" in text and "Senevida Nepomuk" in text


@pytest.mark.django_db
def test_command_imports_and_reports_changes(make_record, write_registry, reference):
    path = write_registry([make_record(portalId=1), make_record(portalId=2, druhSocialniSluzby={"id": "X/1"})])
    out = io.StringIO()
    call_command("import_registry", str(path), "--partial", stdout=out)
    text = out.getvalue()
    assert "X/1: 1" in text
    from qmss.registry.models import Service

    assert Service.objects.count() == 2


@pytest.mark.django_db
def test_command_error_exits_with_the_message(write_registry, registry_counts):
    path = write_registry("<html>", name="page.html")
    before = registry_counts()
    with pytest.raises(CommandError, match="page.html"):
        call_command("import_registry", str(path), stdout=io.StringIO())
    assert registry_counts() == before


@pytest.mark.django_db
def test_command_lists_skipped_records(make_record, write_registry, reference):
    bad = make_record(portalId=2)
    bad["formy"][0]["kapacity"][0]["pocet"] = "many"
    out = io.StringIO()
    call_command("import_registry", str(write_registry([make_record(), bad])), stdout=out)
    assert "formy[0].kapacity[0].pocet" in out.getvalue()
