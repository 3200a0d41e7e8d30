"""The needs libraries: the real files load, every bad case names file/line/field and writes nothing, versions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from qmss.needs import library
from qmss.needs.library import LoadStatus, NeedsLibraryError, current_taxonomy, current_template, load_files
from qmss.needs.models import (
    CollectionTemplate,
    DataElement,
    Disaggregation,
    Indicator,
    Need,
    NeedArea,
    Taxonomy,
    ValidationRule,
)
from qmss.needs.testing_taxonomy import make_taxonomy_and_template

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked by their msgids (the Czech catalogue may translate them)."""
    with translation.override("en"):
        yield


TAXONOMY_FILE = library.default_directory() / "needs-taxonomy.yaml"
TEMPLATE_FILE = library.default_directory() / "collection-template.yaml"

SPEC_AREAS = {
    "self_care": ["hygiene", "toileting", "dressing", "eating"],
    "mobility": ["mobility", "orientation", "communication"],
    "health": ["health_care", "safety"],
    "household": ["household"],
    "activities": ["personal_activities", "education"],
    "housing": ["housing_find", "housing_keep"],
    "work_income": ["employment", "money"],
    "rights": ["rights", "personal_affairs"],
    "relationships": ["social_contact", "family", "parenting"],
    "crisis": ["crisis", "violence"],
    "addiction": ["addiction"],
    "debt": ["debt"],
}
BASIC = {
    "hygiene", "toileting", "dressing", "eating", "mobility", "orientation", "communication", "health_care",
    "household", "personal_activities",
}  # fmt: skip


def _copy(tmp_path: Path, source: Path, replace: tuple[str, str] | None = None, *, name: str = "") -> Path:
    text = source.read_text(encoding="utf-8")
    if replace is not None:
        old, new = replace
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / (name or source.name)
    path.write_text(text, encoding="utf-8")
    return path


def _counts() -> tuple:
    return tuple(
        model.objects.count()
        for model in (Taxonomy, NeedArea, Need, CollectionTemplate, Disaggregation, DataElement, ValidationRule,
                      Indicator)
    )  # fmt: skip


# ------------------------------------------------------------------------------------------- good files


def test_real_files_load_with_the_spec_codes():
    results = load_files()
    assert [(r.kind, r.status, r.published) for r in results] == [
        ("template", LoadStatus.CREATED, True),
        ("taxonomy", LoadStatus.CREATED, True),
    ]
    taxonomy = current_taxonomy()
    areas = {area.code: [need.code for need in area.needs.order_by("order")] for area in taxonomy.areas.all()}
    assert areas == SPEC_AREAS
    assert list(taxonomy.areas.values_list("code", flat=True)) == list(SPEC_AREAS)  # file order
    assert set(taxonomy.needs.filter(basic_life_need=True).values_list("code", flat=True)) == BASIC
    assert set(taxonomy.needs.filter(verified=True).values_list("code", flat=True)) >= BASIC
    assert not taxonomy.needs.filter(public_wording="").exists()
    assert not taxonomy.needs.filter(source_note="").exists()
    template = current_template()
    assert list(template.elements.values_list("code", flat=True).order_by()) is not None
    assert set(template.elements.values_list("code", flat=True)) == {
        "capacity", "period_days", "users", "users_orp", "new_users", "refused", "waiting_list", "bed_days",
        "contacts", "direct_hours", "fte", "needs_response", "costs", "revenues",
    }  # fmt: skip
    breakdowns = {
        d.code: [c.code for c in d.categories.all()] for d in template.disaggregations.prefetch_related("categories")
    }
    assert breakdowns == {
        "age_band": ["u18", "18_64", "65_79", "80p"],
        "refusal_reason": ["not_provided", "capacity", "health", "terminated"],
        "orp": [],
        "staff_role": ["social_worker", "care_worker", "health_staff", "other_direct", "management", "operations"],
        "response_type": ["basic_activity", "brokering", "referral", "not_addressed"],
        "cost_category": ["personnel", "operating", "services", "other"],
        "revenue_category": ["users", "health_insurance", "public_subsidy", "municipality", "eu_projects", "other"],
    }
    assert template.disaggregations.get(code="orp").dynamic == "orp"
    rules = dict(template.rules.values_list("code", "expression"))
    assert rules == {
        "new_le_users": "new_users <= users",
        "bed_days_le_capacity": "bed_days <= capacity * period_days",
        "fte_when_users": "not users > 0 or fte > 0",
        "users_orp_matches": "users_orp == users",
        "revenues_vs_costs": "revenues <= costs * 1.2",
        "hours_vs_fte": "direct_hours <= fte * 1800",
    }
    assert template.rules.get(code="new_le_users").message == (
        "Nových uživatelů nemůže být víc než všech uživatelů za období."
    )
    assert set(template.rules.filter(severity="blocking").values_list("code", flat=True)) == {
        "new_le_users", "bed_days_le_capacity", "fte_when_users",
    }  # fmt: skip
    indicators = {i.code: (i.numerator, i.denominator, int(i.factor)) for i in template.indicators.all()}
    assert indicators["refusal_capacity_rate"] == ('refused["capacity"]', "new_users + refused", 100)
    assert indicators["occupancy"] == ("bed_days", "capacity * period_days", 100)
    assert indicators["cost_per_unit"] == ("costs", "nz(bed_days) + nz(contacts)", 1)
    assert set(indicators) == {
        "refusal_capacity_rate", "occupancy", "users_per_direct_fte", "needs_basic_share", "cost_per_unit",
        "waiting_per_capacity",
    }  # fmt: skip
    assert template.indicators.get(code="occupancy").forms == ["residential"]
    capacity = template.elements.get(code="capacity")
    assert (capacity.prefill, capacity.locked, capacity.unit_of_kind) == ("registered_capacity", True, True)
    assert template.elements.get(code="users").disaggregation.code == "age_band"
    assert template.elements.get(code="users_orp").required is False
    assert template.elements.get(code="bed_days").forms == ["residential"]
    assert not template.elements.filter(help_text="").exists()


def test_second_load_is_unchanged_and_builder_is_idempotent():
    taxonomy, template = make_taxonomy_and_template()
    before = _counts()
    assert make_taxonomy_and_template() == (taxonomy, template)
    assert {r.status for r in load_files()} == {LoadStatus.UNCHANGED}
    assert _counts() == before


def test_formatting_and_comments_do_not_count_as_a_change(tmp_path):
    make_taxonomy_and_template()
    path = _copy(tmp_path, TAXONOMY_FILE, ("areas:\n", "# a comment\nareas:\n"))
    assert load_files([path])[0].status == LoadStatus.UNCHANGED


# --------------------------------------------------------------------------------------------- bad files


BAD_TAXONOMY = [
    (("  - code: household\n    name: Domácnost", "  - code: self_care\n    name: Domácnost"),
     "  - code: self_care\n    name: Domácnost", "self_care", "used twice"),
    (("      - code: debt\n", "      - code: money\n"), "      - code: money\n        name: Řešení", "money",
     "used twice"),
    (("      - code: orientation\n", "      - code: Orientace\n"), "code: Orientace", "code", "lower-case"),
    (("        basic_life_need: true\n", "        basic_life_need: ano\n"), "basic_life_need: ano",
     "basic_life_need", "true or false"),
    (("        basic_life_need: false\n", "        basic_life_need: false\n        colour: red\n"), "colour: red",
     "colour", "unknown key"),
    (("urn: urn:qmss:needs:taxonomy", "urn: urn:qmss:needs:other"), "urn: urn:qmss:needs:other", "urn",
     "unknown library"),
]  # fmt: skip


@pytest.mark.parametrize(("replace", "line_text", "field", "problem"), BAD_TAXONOMY)
def test_bad_taxonomy_names_file_line_field_and_writes_nothing(tmp_path, replace, line_text, field, problem):
    path = _copy(tmp_path, TAXONOMY_FILE, replace)
    good = _copy(tmp_path, TEMPLATE_FILE)
    with pytest.raises(NeedsLibraryError) as caught:
        load_files([good, path])
    message = str(caught.value)
    assert "needs-taxonomy.yaml" in message
    assert re.search(rf"\b{_multi_line(path, line_text)}\b", message), message
    assert field in message
    assert problem in message
    assert _counts() == (0,) * 8  # the good file was not written either


BAD_TEMPLATE = [
    (("    disaggregation: age_band\n", "    disaggregation: age_group\n"), "disaggregation: age_group",
     "disaggregation", "unknown breakdown"),
    (("    expression: new_users <= users\n", "    expression: new_users <= user\n"),
     "expression: new_users <= user", "expression", "unknown data element “user”"),
    (("    expression: new_users <= users\n", "    expression: new_users <=\n"), "expression: new_users <=",
     "expression", "not valid"),
    (("    expression: new_users <= users\n", "    expression: __import__(1)\n"), "expression: __import__",
     "expression", "nz(x)"),
    (('    numerator: refused["capacity"]\n', '    numerator: refused["space"]\n'), 'numerator: refused["space"]',
     "numerator", "no category “space”"),
    (('    numerator: refused["capacity"]\n', '    numerator: waiting_list["capacity"]\n'),
     'numerator: waiting_list["capacity"]', "numerator", "has no breakdown"),
    (("    numerator: waiting_list\n", '    numerator: users_orp["3702"]\n'), 'numerator: users_orp["3702"]',
     "numerator", "come from other data"),
    (("    denominator: capacity\n", "    denominator: capacity / bed\n"), "denominator: capacity / bed",
     "denominator", "unknown data element “bed”"),
    (("  - code: new_users\n", "  - code: users\n"), "  - code: users\n    name: Noví", "users", "used twice"),
    (("  - code: hours_vs_fte\n", "  - code: new_le_users\n"), "  - code: new_le_users\n    severity: warning",
     "new_le_users", "used twice"),
    (('      - code: "65_79"\n', '      - code: "18_64"\n'), '      - code: "18_64"\n        name: 65', "18_64",
     "used twice"),
    (('      - code: "18_64"\n', "      - code: 18_64\n"), "      - code: 18_64", "code", "quotes"),
    (("    forms: [residential]\n    min: 0", "    forms: [pobytova]\n    min: 0"), "forms: [pobytova]", "forms",
     "unknown delivery form"),
    (("    value_type: integer\n    unit: dní", "    value_type: whole\n    unit: dní"), "value_type: whole",
     "value_type", "must be one of"),
    (("    min: 1\n    max: 1100\n", "    min: 1\n    max: 0\n"), "  - code: period_days", "period_days",
     "maximum"),
]  # fmt: skip


@pytest.mark.parametrize(("replace", "line_text", "field", "problem"), BAD_TEMPLATE)
def test_bad_template_names_file_line_field_and_writes_nothing(tmp_path, replace, line_text, field, problem):
    path = _copy(tmp_path, TEMPLATE_FILE, replace)
    good = _copy(tmp_path, TAXONOMY_FILE)
    with pytest.raises(NeedsLibraryError) as caught:
        load_files([good, path])
    message = str(caught.value)
    assert "collection-template.yaml" in message
    assert re.search(rf"\b{_multi_line(path, line_text)}\b", message), message
    assert field in message
    assert problem in message, message
    assert _counts() == (0,) * 8


def _multi_line(path: Path, text: str) -> int:
    content = path.read_text(encoding="utf-8")
    return content[: content.index(text)].count("\n") + 1


def test_element_code_may_not_be_a_reserved_word(tmp_path):
    path = _copy(tmp_path, TEMPLATE_FILE, ("  - code: waiting_list\n", "  - code: nz\n"))
    with pytest.raises(NeedsLibraryError, match="reserved"):
        load_files([path])


# ---------------------------------------------------------------------------------------------- versions


def _make_round_using(taxonomy: Taxonomy, template: CollectionTemplate):
    from qmss.testing.factories import make_org, make_region

    region = make_region("190", "Kraj verze")
    org = make_org("region", "Krajský úřad verze", region=region)
    from qmss.needs.models import CollectionRound

    return CollectionRound.objects.create(
        organisation=org,
        region=region,
        name="Sběr 2025",
        period_start="2025-01-01",
        period_end="2025-12-31",
        deadline="2026-01-31",
        template=template,
        taxonomy=taxonomy,
    )


def test_same_version_changed_content_updates_in_place_when_unused(tmp_path):
    taxonomy, _template = make_taxonomy_and_template()
    need_pk = Need.objects.get(taxonomy=taxonomy, code="debt").pk
    path = _copy(tmp_path, TAXONOMY_FILE, ("        name: Řešení dluhů\n", "        name: Řešení dluhů a exekucí\n"))
    [result] = load_files([path])
    assert result.status == LoadStatus.UPDATED and result.pk == taxonomy.pk and result.published
    need = Need.objects.get(taxonomy=taxonomy, code="debt")
    assert (need.pk, need.name) == (need_pk, "Řešení dluhů a exekucí")
    assert Taxonomy.objects.count() == 1


def test_removed_and_moved_items_on_update_in_place(tmp_path):
    taxonomy, template = make_taxonomy_and_template()
    text = TAXONOMY_FILE.read_text(encoding="utf-8")
    start = text.index("  - code: debt\n")
    path = tmp_path / "needs-taxonomy.yaml"
    path.write_text(text[:start], encoding="utf-8")  # the debt area and its need are gone
    load_files([path])
    assert not taxonomy.areas.filter(code="debt").exists()
    assert not taxonomy.needs.filter(code="debt").exists()
    moved = ("    disaggregation: revenue_category\n", "    disaggregation: cost_category\n")
    tpath = _copy(tmp_path, TEMPLATE_FILE, moved)
    load_files([tpath])
    assert template.elements.get(code="revenues").disaggregation.code == "cost_category"


def test_used_version_cannot_change(tmp_path):
    taxonomy, template = make_taxonomy_and_template()
    _make_round_using(taxonomy, template)
    path = _copy(tmp_path, TAXONOMY_FILE, ("        name: Řešení dluhů\n", "        name: Dluhy a exekuce\n"))
    before = _counts()
    with pytest.raises(NeedsLibraryError, match="is used and cannot be changed|používá"):
        load_files([path])
    assert Need.objects.get(taxonomy=taxonomy, code="debt").name == "Řešení dluhů"
    assert _counts() == before
    tpath = _copy(tmp_path, TEMPLATE_FILE, ("    name: Noví uživatelé\n", "    name: Nově přijatí\n"))
    with pytest.raises(NeedsLibraryError):
        load_files([tpath])


def test_new_version_waits_for_publishing_and_lower_version_is_refused(tmp_path):
    taxonomy, template = make_taxonomy_and_template()
    path = _copy(tmp_path, TAXONOMY_FILE, ("version: 1\n", "version: 3\n"), name="v3.yaml")
    [result] = load_files([path])
    assert (result.status, result.published, result.version) == (LoadStatus.NEW_VERSION, False, 3)
    assert current_taxonomy() == taxonomy  # v3 waits
    assert Taxonomy.objects.get(version=3).needs.count() == taxonomy.needs.count()
    lower = _copy(tmp_path, TAXONOMY_FILE, ("version: 1\n", "version: 2\n"), name="v2.yaml")
    with pytest.raises(NeedsLibraryError, match="lower than the latest loaded version 3"):
        load_files([lower])
    assert not Taxonomy.objects.filter(version=2).exists()


def test_two_files_with_the_same_version_are_refused(tmp_path):
    copy = _copy(tmp_path, TAXONOMY_FILE, name="copy.yaml")
    with pytest.raises(NeedsLibraryError, match="copy.yaml|needs-taxonomy.yaml"):
        load_files([TAXONOMY_FILE, copy])
    assert _counts() == (0,) * 8


def test_first_versions_in_one_run_publish_only_the_first(tmp_path):
    v2 = _copy(tmp_path, TAXONOMY_FILE, ("version: 1\n", "version: 2\n"), name="v2.yaml")
    results = load_files([v2, TAXONOMY_FILE])
    assert [(r.version, r.published) for r in results] == [(1, True), (2, False)]


# ---------------------------------------------------------------------------------------------- command


def test_command_prints_czech_and_refuses_a_bad_file(tmp_path, capsys):
    call_command("load_needs", str(TAXONOMY_FILE), str(TEMPLATE_FILE))
    out = capsys.readouterr().out
    assert "Taxonomie potřeb verze 1" in out and "nově nahráno" in out and "Hotovo." in out
    assert "čeká na zveřejnění" not in out
    v2 = _copy(tmp_path, TAXONOMY_FILE, ("version: 1\n", "version: 2\n"), name="v2.yaml")
    call_command("load_needs", str(v2))
    assert "verze 2" in (waiting := capsys.readouterr().out) and "čeká na zveřejnění správcem systému" in waiting
    bad = _copy(tmp_path, TEMPLATE_FILE, ("    disaggregation: age_band\n", "    disaggregation: nic\n"))
    with pytest.raises(CommandError, match="Nic nebylo nahráno"):
        call_command("load_needs", str(bad))


def test_load_all_loads_the_libraries_and_the_model_cards(monkeypatch):
    from qmss.needs import library_cards

    calls = []
    monkeypatch.setattr(library_cards, "load_model_cards", lambda: calls.append(current_taxonomy()) or "cards")
    results = library.load_all()
    assert [getattr(r, "urn", r) for r in results] == [library.TEMPLATE_URN, library.TAXONOMY_URN, "cards"]
    assert calls == [current_taxonomy()] and calls[0] is not None  # the cards come after the taxonomy
