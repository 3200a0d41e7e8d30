"""Loading framework libraries: counts and flags, idempotency, versioning and validation errors."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qmss.assessments.models import Assessment
from qmss.frameworks.library import FrameworkLibraryError, LoadStatus, load_libraries
from qmss.frameworks.models import Framework, Requirement, Scale, ScaleValue
from qmss.testing.factories import make_org

from .conftest import SQSS_FILE, VOLUNTARY_FILE, line_of, synthetic_library, write_copy

SQSS_ESSENTIAL = {"1a", "1b", "1c", "2a", "2b", "3a", "3b", "4a", "4b", "5a", "5b", "5c", "6a", "7a", "7b", "9a", "10a"}
SQSS_VERIFIED = {"1a", "1b", "1c", "1d", "2a"}
OLD_1A = "title: Poslání, cíle, zásady a cílová skupina služby jsou sepsané"
NEW_1A = "title: OPRAVENO Poslání, cíle, zásady a cílová skupina služby jsou sepsané"


def _assessment(framework: Framework) -> Assessment:
    return Assessment.objects.create(
        organisation=make_org(), service=None, framework=framework, kind=Assessment.Kind.SELF, title="Sebehodnocení"
    )


def _writes(ctx: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


# ------------------------------------------------------------------------------------------------ content


@pytest.mark.django_db
def test_sqss_has_15_standards_and_48_criteria_with_flags(sqss):
    kinds = Counter(Requirement.objects.filter(framework=sqss).values_list("kind", flat=True))
    assert kinds[Requirement.Kind.STANDARD] == 15
    assert kinds[Requirement.Kind.CRITERION] == 48
    criteria = {r.ref_id: r for r in Requirement.objects.filter(framework=sqss, kind=Requirement.Kind.CRITERION)}
    assert criteria["1a"].essential and criteria["1b"].essential and criteria["1c"].essential
    assert criteria["2a"].essential and not criteria["1d"].essential
    assert {ref for ref, r in criteria.items() if r.essential} == SQSS_ESSENTIAL
    assert {ref for ref, r in criteria.items() if r.verified} == SQSS_VERIFIED
    assert all(r.assessable and r.title and r.guidance and 2 <= len(r.typical_evidence) <= 4 for r in criteria.values())
    assert criteria["15d"].parent.ref_id == "15" and criteria["15d"].parent.parent.ref_id == "PROV"
    assert criteria["15d"].depth == 2
    standards = Requirement.objects.filter(framework=sqss, kind=Requirement.Kind.STANDARD)
    assert {s.parent.ref_id for s in standards if int(s.ref_id) <= 8} == {"PROC"}
    assert {s.parent.ref_id for s in standards if s.ref_id in ("9", "10")} == {"PERS"}


@pytest.mark.django_db
def test_sqss_scales_and_pass_rule(sqss):
    assert sqss.version == 2 and sqss.locale == "cs" and sqss.valid_from.isoformat() == "2007-01-01"
    assert sqss.default_scale.key == "points"
    assert sqss.pass_rule == {
        "type": "essential_min_and_share",
        "scale": "points",
        "essential_min": 2,
        "overall_min_share": 0.5,
        "label": "historický způsob hodnocení – k ověření",
        "verified": False,
    }
    points = dict(ScaleValue.objects.filter(scale__framework=sqss, scale__key="points").values_list("key", "score"))
    assert points == {"0": 0, "1": 1, "2": 2, "3": 3}
    fulfilment = dict(
        ScaleValue.objects.filter(scale__key="fulfilment", scale__framework=sqss).values_list("key", "score")
    )
    assert fulfilment == {"fulfilled": 3, "partly": 1.5, "not": 0, "na": None}
    assert Scale.objects.get(framework=sqss, key="points").max_score == 3


@pytest.mark.django_db
def test_voluntary_model_structure(voluntary):
    reqs = list(Requirement.objects.filter(framework=voluntary).select_related("parent"))
    groups = [r.title for r in reqs if r.kind == Requirement.Kind.GROUP]
    assert groups[:3] == ["Řídicí procesy", "Hlavní proces", "Podpůrné procesy"]
    areas = [r for r in reqs if r.kind == Requirement.Kind.AREA]
    per_area = Counter(r.parent_id for r in reqs if r.kind == Requirement.Kind.CRITERION)
    assert all(2 <= per_area[area.pk] <= 4 for area in areas)
    assert {"Výsledky pro uživatele", "Výsledky pro zaměstnance", "Lidé"} <= {a.title for a in areas}
    assert voluntary.default_scale.key == "maturity"
    assert voluntary.pass_rule["type"] == "min_average" and voluntary.pass_rule["min_average"] == 2.0
    residential = [r for r in reqs if r.applicability]
    assert [r.applicability for r in residential] == [{"forms": ["pob"]}]


# ------------------------------------------------------------------------------------------------ versioning


@pytest.mark.django_db
def test_loading_again_changes_nothing(libraries):
    with CaptureQueriesContext(connection) as ctx:
        results = load_libraries()
    assert [r.status for r in results] == [LoadStatus.UNCHANGED, LoadStatus.UNCHANGED]
    assert _writes(ctx) == []


@pytest.mark.django_db
def test_first_load_reports_created(db):
    results = load_libraries(files=[SQSS_FILE])
    assert [(r.urn, r.version, r.status) for r in results] == [("urn:qmss:framework:sqss", 2, "created")]


@pytest.mark.django_db
def test_new_version_keeps_the_old_text_for_assessments(sqss, tmp_path):
    assessment = _assessment(sqss)
    old_1a = Requirement.objects.get(framework=sqss, ref_id="1a")
    copy = write_copy(tmp_path, SQSS_FILE, (OLD_1A, NEW_1A), ("\nversion: 2\n", "\nversion: 3\n"))

    [result] = load_libraries(files=[copy])

    assert result.status == LoadStatus.NEW_VERSION and result.version == 3
    v2 = Framework.objects.get(pk=result.framework_id)
    assert v2.is_latest and not Framework.objects.get(pk=sqss.pk).is_latest
    assert Requirement.objects.get(framework=v2, ref_id="1a").title.startswith("OPRAVENO")
    old_1a.refresh_from_db()
    assert not old_1a.title.startswith("OPRAVENO")
    assessment.refresh_from_db()
    assert assessment.framework_id == sqss.pk
    assert Requirement.objects.filter(framework=sqss, kind="criterion").count() == 48
    assert Requirement.objects.filter(framework=v2, kind="criterion").count() == 48
    assert v2.default_scale.framework_id == v2.pk
    # the default directory (still version 2) is unchanged and does not take is_latest back
    assert load_libraries(files=[SQSS_FILE])[0].status == LoadStatus.UNCHANGED
    assert Framework.objects.get(urn=sqss.urn, is_latest=True).version == 3


@pytest.mark.django_db
def test_changed_text_of_a_used_version_is_refused(sqss, tmp_path):
    _assessment(sqss)
    copy = write_copy(tmp_path, SQSS_FILE, (OLD_1A, NEW_1A))
    with pytest.raises(FrameworkLibraryError) as exc_info:
        load_libraries(files=[copy])
    error = exc_info.value
    assert error.field == "version" and error.row == line_of(copy, "version: 2") and "sqss.yaml" in error.file
    assert "2" in str(error) and sqss.urn in str(error)
    assert not Requirement.objects.get(framework=sqss, ref_id="1a").title.startswith("OPRAVENO")
    assert Framework.objects.get(pk=sqss.pk).checksum == sqss.checksum


@pytest.mark.django_db
def test_unused_version_is_updated_in_place(sqss, tmp_path):
    ids = dict(Requirement.objects.filter(framework=sqss).values_list("ref_id", "pk"))
    criterion_15d = "  - ref_id: 15d\n"
    text = SQSS_FILE.read_text(encoding="utf-8")
    removed_block = text[text.index(criterion_15d) :]  # 15d is the last requirement
    copy = write_copy(tmp_path, SQSS_FILE, (OLD_1A, NEW_1A), (removed_block, ""))

    [result] = load_libraries(files=[copy])

    assert result.status == LoadStatus.UPDATED and result.framework_id == sqss.pk
    framework = Framework.objects.get(pk=sqss.pk)
    assert framework.checksum != sqss.checksum and framework.loaded_at > sqss.loaded_at
    now = dict(Requirement.objects.filter(framework=sqss).values_list("ref_id", "pk"))
    assert "15d" not in now and len(now) == len(ids) - 1
    assert all(now[ref] == ids[ref] for ref in now)  # upserted by ref_id: same rows
    assert Requirement.objects.get(pk=ids["1a"]).title.startswith("OPRAVENO")
    assert Framework.objects.filter(urn=sqss.urn).count() == 1


@pytest.mark.django_db
def test_lower_version_than_latest_is_refused(db, tmp_path):
    load_libraries(files=[synthetic_library(tmp_path, 3, version=3)])
    v2 = synthetic_library(tmp_path, 3, version=2)
    with pytest.raises(FrameworkLibraryError) as exc_info:
        load_libraries(files=[v2])
    assert exc_info.value.field == "version" and exc_info.value.row == 2
    assert list(Framework.objects.values_list("version", flat=True)) == [3]


@pytest.mark.django_db
def test_two_versions_in_one_load(db, tmp_path):
    results = load_libraries(files=[synthetic_library(tmp_path, 4, version=2), synthetic_library(tmp_path, 3)])
    assert [(r.version, r.status) for r in results] == [(1, "created"), (2, "new_version")]
    assert Framework.objects.get(is_latest=True).version == 2


# ------------------------------------------------------------------------------------------------ errors


def _error(*files) -> FrameworkLibraryError:
    with pytest.raises(FrameworkLibraryError) as exc_info:
        load_libraries(files=list(files))
    return exc_info.value


@pytest.mark.django_db
def test_yaml_syntax_error_names_file_and_line_and_loads_nothing(tmp_path):
    broken = write_copy(tmp_path, SQSS_FILE, ("    title: Ochrana práv osob\n", "    title: [Ochrana práv osob\n"))
    error = _error(VOLUNTARY_FILE, broken)
    assert error.file.endswith("sqss.yaml") and error.file in str(error)
    assert error.row is not None and abs(error.row - line_of(broken, "title: [Ochrana")) <= 2
    assert str(error.row) in str(error)
    assert not Framework.objects.exists()


@pytest.mark.django_db
def test_criterion_without_title(tmp_path):
    title = "    title: Služba má písemná pravidla pro přijímání darů\n"
    broken = write_copy(tmp_path, SQSS_FILE, (title, ""))
    error = _error(VOLUNTARY_FILE, broken)
    assert error.field == "requirements.2c.title"
    assert error.row == line_of(broken, "- ref_id: 2c")
    assert "requirements.2c.title" in str(error) and str(error.row) in str(error)
    assert not Framework.objects.exists() and not Requirement.objects.exists()


@pytest.mark.django_db
def test_unknown_parent(tmp_path):
    item = '  - ref_id: 14c\n    kind: criterion\n    parent: "{}"\n'
    broken = write_copy(tmp_path, SQSS_FILE, (item.format("14"), item.format("99")))
    error = _error(broken)
    assert error.field == "requirements.14c.parent"
    assert error.row == line_of(broken, 'parent: "99"')
    assert "99" in str(error)
    assert not Framework.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("default_scale: points", "default_scale: body", "default_scale"),
        ("  essential_min: 2\n", "  essential_min: 7\n", "pass_rule.essential_min"),
        ("type: essential_min_and_share", "type: all_green", "pass_rule.type"),
        ("  - ref_id: 1b\n", "  - ref_id: 1a\n", "requirements.1a.ref_id"),
        ("      - {key: partly, label: splněno částečně, score: 1.5}\n", "", None),
        ("    parent: \"8\"\n    title: Uživatelé", "    parent: \"8\"\n    essential: maybe\n    title: Uživatelé",
         "requirements.8a.essential"),
        ("    kind: standard\n    parent: PROC\n    title: Ochrana práv osob",
         "    kind: norm\n    parent: PROC\n    title: Ochrana práv osob", "requirements.2.kind"),
        ("\nlocale: cs\n", "\nlocale: cs\ncolour: blue\n", "colour"),
    ],
)  # fmt: skip
def test_validation_errors(tmp_path, old, new, field):
    broken = write_copy(tmp_path, SQSS_FILE, (old, new))
    if field is None:  # removing a value keeps the file valid (control)
        assert load_libraries(files=[broken])[0].status == LoadStatus.CREATED
        return
    error = _error(broken)
    assert error.field == field
    assert error.row is not None and f"{error.row}" in str(error)
    assert not Framework.objects.exists()


@pytest.mark.django_db
def test_same_version_in_two_files_is_refused(tmp_path):
    copy = write_copy(tmp_path, SQSS_FILE, (OLD_1A, NEW_1A), name="sqss-copy.yaml")
    error = _error(SQSS_FILE, copy)
    assert error.field == "version" and "sqss-copy.yaml" in error.file
    assert not Framework.objects.exists()


@pytest.mark.django_db
def test_missing_directory(tmp_path):
    with pytest.raises(FrameworkLibraryError):
        load_libraries(tmp_path / "nothing-here")
    assert load_libraries(tmp_path) == []


@pytest.mark.django_db
def test_impossible_date_names_its_line(tmp_path):
    broken = write_copy(tmp_path, SQSS_FILE, ("valid_from: 2007-01-01", "valid_from: 2007-13-01"))
    error = _error(broken)
    assert error.row == line_of(broken, "valid_from: 2007-13-01")
    assert not Framework.objects.exists()
