"""Imports of reference values: the XLSX round trip, each refused file (nothing saved), permissions, versions,
the YAML demo file through the same schema, and ``value_for``'s form fallback."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qmss.core.roles import OrganisationKind, Role
from qmss.financing import actions_reference as actions
from qmss.financing.models import ReferenceValue, ReferenceValueSet
from qmss.financing.reference_values import current_set, value_for, values_by_key
from qmss.financing.selectors_reference import set_values
from qmss.financing.testing_reference import DEMO_FILE, ensure_codes, make_reference_set, sample_rows
from qmss.financing.xlsx_reference import MAX_BYTES, export_xlsx, template_xlsx
from qmss.network.testing_networks import manager_of

pytestmark = pytest.mark.django_db

HEADER = ["kind", "form", "unit", "usual_cost", "usual_revenue", "max_public_share"]
GOOD = ["13", "pob", "luzka", 620000, 380000, 0.45]


def _workbook(rows, header=HEADER) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Referenční hodnoty"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def region(tenant_a):
    ensure_codes()
    return tenant_a.orgs[OrganisationKind.REGION]


@pytest.fixture
def manager(region):
    return manager_of(region)


def _import(manager, region, data, file_name="hodnoty.xlsx", year=2027):
    return actions.import_reference_xlsx(
        user=manager, organisation=region, year=year, name="Hodnoty 2027", source="Usnesení RK 1/2026",
        verified=True, data=data, file_name=file_name,
    )  # fmt: skip


def _values(reference_set):
    return [
        (v.kind.code, v.form.code if v.form_id else None, v.unit, v.usual_cost, v.usual_revenue, v.max_public_share,
         v.direct_fte_per_unit, v.direct_share_min)
        for v in set_values(reference_set)
    ]  # fmt: skip


def test_export_imports_back_to_the_same_values_as_a_new_version(region, manager):
    first = make_reference_set(region, user=manager)
    data = export_xlsx(first, set_values(first), "Kraj Alfa")
    second = _import(manager, region, data)
    assert (first.version, second.version) == (1, 2)
    assert _values(second) == _values(first)
    assert current_set(region, 2027) == second
    assert second.file_name == "hodnoty.xlsx" and len(second.checksum) == 64 and second.verified


def test_template_imports_nothing_but_is_read(region, manager):
    with pytest.raises(ValidationError) as exc:
        _import(manager, region, template_xlsx())
    assert "hodnoty.xlsx" in exc.value.messages[0]


def _too_many_rows():
    return _workbook([["13", "pob", "luzka", 1, 0, 0.5]] * 2001)


REFUSED = {
    "missing column": (lambda: _workbook([GOOD[:5]], header=HEADER[:5]), "max_public_share"),
    "negative cost": (lambda: _workbook([["13", "pob", "luzka", -5, 0, 0.5]]), "řádek 2, sloupec D"),
    "revenue above cost": (lambda: _workbook([["13", "pob", "luzka", 100, 200, 0.5]]), "sloupec E"),
    "unknown kind": (lambda: _workbook([["999", "pob", "luzka", 100, 0, 0.5]]), "999"),
    "unknown form": (lambda: _workbook([["13", "xyz", "luzka", 100, 0, 0.5]]), "xyz"),
    "unknown unit": (lambda: _workbook([["13", "pob", "kusy", 100, 0, 0.5]]), "kusy"),
    "share above one": (lambda: _workbook([["13", "pob", "luzka", 100, 0, 1.5]]), "sloupec F"),
    "duplicate kind and form": (lambda: _workbook([GOOD, GOOD]), "řádek 3"),
    "too many rows": (_too_many_rows, "2000"),
    "too big": (lambda: b"PK" + b"0" * (MAX_BYTES + 1), "MB"),
    "not an xlsx": (lambda: b"kind;form;unit\n13;pob;luzka\n", "XLSX"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_bad_file_is_refused_and_nothing_saved(region, manager, case):
    build, expected = REFUSED[case]
    with pytest.raises(ValidationError) as exc:
        _import(manager, region, build(), file_name="spatny.xlsx")
    text = " ".join(exc.value.messages)
    assert "spatny.xlsx" in text and expected in text, text
    assert not ReferenceValueSet.objects.exists() and not ReferenceValue.objects.exists()


def test_row_errors_are_all_listed_with_row_and_column(region, manager):
    data = _workbook([["13", "pob", "luzka", -1, 0, 0.5], ["14", "pob", "luzka", 100, 0, 2]])
    with pytest.raises(ValidationError) as exc:
        _import(manager, region, data)
    assert len(exc.value.messages) == 2
    assert "řádek 2, sloupec D" in exc.value.messages[0] and "řádek 3, sloupec F" in exc.value.messages[1]


def test_only_the_regions_managers_import(tenant_a, tenant_b, region):
    data = _workbook([GOOD])
    outsiders = [
        tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN),
        tenant_a.user(OrganisationKind.REGION, Role.READER),
        tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER),
    ]
    for user in outsiders:
        with pytest.raises(PermissionDenied):
            _import(user, region, data)
    provider = tenant_a.orgs[OrganisationKind.PROVIDER]
    with pytest.raises(PermissionDenied):  # a provider never has reference values, even its own admin
        _import(tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN), provider, data)
    assert not ReferenceValueSet.objects.exists()
    assert _import(tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER), region, data).version == 1


def test_header_is_checked(region, manager):
    with pytest.raises(ValidationError) as exc:
        actions.import_reference_values(
            user=manager, organisation=region, year=1900, name="", source="", verified=False, rows=sample_rows()
        )
    assert len(exc.value.messages) == 3


def test_yaml_demo_file_goes_through_the_same_schema(region, tmp_path):
    demo = actions.load_yaml_reference_values(user=None, organisation=region, year=2027, path=DEMO_FILE)
    assert demo.is_demo and not demo.verified and "Syntetick" in demo.source
    keys = set(values_by_key(demo))
    for kind in ("13", "14", "4", "8", "3", "20", "26", "32", "15", "12"):
        assert any(key[0] == kind for key in keys), kind
    bad = tmp_path / "spatne.yaml"
    text = (actions.Path(DEMO_FILE)).read_text(encoding="utf-8").replace("usual_cost: 620000", "usual_cost: -1", 1)
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        actions.load_yaml_reference_values(user=None, organisation=region, year=2028, path=bad)
    assert "spatne.yaml" in exc.value.messages[0] and "usual_cost" in exc.value.messages[0]
    assert not ReferenceValueSet.objects.filter(year=2028).exists()


def test_value_for_falls_back_to_the_kinds_any_form_row(region):
    reference_set = make_reference_set(region)
    assert value_for(reference_set, "4", "ter").usual_cost == Decimal("38000.50")
    assert value_for(reference_set, "4", "amb").usual_cost == Decimal("34000")  # no amb row: every form
    assert value_for(reference_set, "4", None).usual_cost == Decimal("34000")
    assert value_for(reference_set, "13", "pob").unit == "luzka"
    assert value_for(reference_set, "13", "ter") is None  # no any-form row of kind 13
    assert value_for(None, "13", "pob") is None
    assert current_set(region, 2026) is None
