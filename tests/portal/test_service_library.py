"""The libraries of the service part (client's rights, costs): content rules and Czech file/line/field errors.

Pure logic: no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmss.portal import rights as rights_lib

LIBRARIES = Path(__file__).resolve().parents[2] / "libraries" / "portal"


def test_rights_cover_the_standards_with_sources():
    rights = rights_lib.all_rights()
    titles = rights_lib.standard_titles()
    assert len(rights) >= 10 and len(titles) == 15
    assert {1, 2, 3, 4, 5, 6, 7, 8} <= {right.standard for right in rights}
    by_code = {right.code: right for right in rights}
    assert by_code["stiznost"].standard == 7 and by_code["smlouva"].standard == 4
    assert by_code["informace-predem"].standard == 3 and by_code["individualni-plan"].standard == 5
    for right in rights:
        assert right.source and right.standard_title == titles[right.standard]
        assert right.standard_url.endswith(f"#standard-{right.standard}")
    # both labels occur: the details of the Act we have not checked are not claimed as verified
    assert {True, False} == {right.verified for right in rights}


def test_rights_depend_on_kind_and_form():
    residential = {right.code for right in rights_lib.rights_for_kind("13")}
    field = {right.code for right in rights_lib.rights_for_kind("3")}  # osobní asistence: terénní only
    helpline = {right.code for right in rights_lib.rights_for_kind("18")}
    assert "kapesne" in residential and "kapesne" not in field
    assert "prostredi" in residential and "prostredi" not in field
    assert "anonymita" in helpline and "anonymita" not in residential
    assert {"stiznost", "smlouva", "informace-predem"} <= field
    # a home's outpatient-only service: no residential rights
    assert "kapesne" not in {right.code for right in rights_lib.rights_for_kind("13", forms={"amb"})}


def test_costs_free_paid_and_unverified_amounts():
    counselling = rights_lib.costs_for_kind("1")
    home = rights_lib.costs_for_kind("13")
    assert counselling.free and not counselling.items
    assert not home.free and home.care_allowance is not None
    assert {item.code for item in home.items} >= {"ubytovani", "strava-celodenni"}
    for info in (counselling, home, rights_lib.costs_for_kind("4")):
        for item in info.items:
            # an amount we are not sure of stays unverified; a verified one has its amount and date
            assert item.verified is False or (item.max_amount is not None and item.valid_from is not None)
    assert rights_lib.costs_for_kind("CDZ") is None


def _planted(tmp_path, name: str, old: str, new: str) -> Path:
    text = (LIBRARIES / name).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "old", "new", "reader", "field"),
    [
        ("client-rights.yaml", "standard: 7\n", "standard: 16\n", "read_rights", "rights.stiznost.standard"),
        ("client-rights.yaml", "applies_to: residential\n", "applies_to: pobyt\n", "read_rights", "rights.kapesne"),
        ("client-rights.yaml", '"1", "18",', '"1", "99",', "read_rights", "rights.anonymita.kinds"),
        ("costs.yaml", '"5"]', '"1"]', "read_costs", "groups.tisnova-pece.kinds"),
        ("costs.yaml", "max_amount: 155", "max_amount: sto", "read_costs", "groups.pece-za-hodinu.items.hodina-pece"),
    ],
)
def test_library_errors_name_file_line_and_field(tmp_path, name, old, new, reader, field):
    path = _planted(tmp_path, name, old, new)
    with pytest.raises(rights_lib.PortalLibraryError) as caught:
        getattr(rights_lib, reader)(path)
    message = str(caught.value)
    assert name in message and field in message and caught.value.row


def test_shipped_libraries_are_valid():
    assert rights_lib.read_rights().data.urn == rights_lib.RIGHTS_URN
    assert rights_lib.read_costs().data.urn == rights_lib.COSTS_URN
