"""The registry's reference libraries (libraries/registry/*.yaml) and their loader ``load_reference``."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from qmss.core.errors import QmssImportError
from qmss.registry.models import (
    AgeGroup,
    BasicActivity,
    CapacityType,
    DeliveryForm,
    ReferenceLibrary,
    ServiceKind,
    TargetGroup,
)
from qmss.registry.reference import LIBRARIES, ReferenceLibraryError, default_directory, load_reference

pytestmark = pytest.mark.django_db

REFERENCE_MODELS = [DeliveryForm, CapacityType, BasicActivity, ServiceKind, TargetGroup, AgeGroup]


@pytest.fixture
def libraries(tmp_path) -> Path:
    """A writable copy of the bundled libraries."""
    target = tmp_path / "registry"
    shutil.copytree(default_directory(), target)
    return target


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in the file by ``new``; return the 1-based line where ``old`` started."""
    text = path.read_text(encoding="utf-8")
    position = text.index(old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:position].count("\n") + 1


def total_rows() -> int:
    return ReferenceLibrary.objects.count() + sum(model.objects.count() for model in REFERENCE_MODELS)


def forms_of(code: str) -> set[str]:
    return set(ServiceKind.objects.get(code=code).forms.values_list("code", flat=True))


def test_bundled_libraries_load():
    counts = load_reference()

    assert counts["libraries_loaded"] == len(LIBRARIES) == 6
    assert counts["libraries_skipped"] == 0
    assert counts["delivery_forms_created"] == 3
    assert counts["capacity_types_created"] == 5
    assert counts["basic_activities_created"] == 14
    assert counts["service_kinds_created"] == 34
    assert counts["target_groups_created"] == 28
    assert counts["age_groups_created"] == 9
    assert ServiceKind.objects.count() == 34

    seniors_home = ServiceKind.objects.get(code="13")
    assert seniors_home.name == "domovy pro seniory"
    assert seniors_home.section == "49"
    assert seniors_home.category == ServiceKind.Category.CARE
    assert seniors_home.legacy_registry_id == 3847
    assert seniors_home.verified is True
    assert forms_of("13") == {"pob"}
    assert {"UBY", "STR", "PVO"} <= set(seniors_home.activities.values_list("code", flat=True))
    assert str(seniors_home) == "§49 domovy pro seniory"

    assert forms_of("4") == {"ter", "amb"}
    assert ServiceKind.objects.get(code="4").name == "pečovatelská služba"
    assert ServiceKind.objects.get(code="1").category == ServiceKind.Category.COUNSELLING
    assert ServiceKind.objects.get(code="33").section == "70"
    # codes confirmed by the registry data are verified, codes inferred from the order of §37–§70 are not
    assert ServiceKind.objects.get(code="3").verified is True
    assert ServiceKind.objects.get(code="7").verified is False
    assert ServiceKind.objects.get(code="20").section == "57"
    # registry numbers /2 and /34 are never guessed
    assert not ServiceKind.objects.filter(code__in=["2", "34"]).exists()
    assert ServiceKind.objects.get(code="§60a").verified is False
    assert ServiceKind.objects.get(code="CDZ").category == ServiceKind.Category.OTHER

    assert dict(DeliveryForm.objects.values_list("code", "key")) == {
        "pob": "residential",
        "amb": "outpatient",
        "ter": "field",
    }
    assert CapacityType.objects.get(code="interv").unit.startswith("intervencí")
    assert set(TargetGroup.objects.filter(verified=True).values_list("code", flat=True)) == {"24", "26", "27", "30"}
    assert all(
        code.startswith("name:") for code in TargetGroup.objects.filter(verified=False).values_list("code", flat=True)
    )
    oldest = AgeGroup.objects.get(code="starsi-seniori")
    assert (oldest.age_from, oldest.age_to) == (81, None)

    library = ReferenceLibrary.objects.get(urn="urn:qmss:registry:service-kinds")
    assert library.version == 2
    assert library.valid_from == dt.date(2007, 1, 1)
    assert "druhy-socialni-sluzby.json" in library.source
    assert len(library.checksum) == 64
    assert seniors_home.library == library


def test_second_run_writes_nothing(django_assert_num_queries):
    load_reference()
    before = {model: list(model.objects.values()) for model in REFERENCE_MODELS}

    with django_assert_num_queries(1):  # only the look-up of the loaded libraries' checksums
        counts = load_reference()

    assert counts["libraries_skipped"] == 6
    assert counts["libraries_loaded"] == 0
    assert not any(value for key, value in counts.items() if key.endswith(("_created", "_updated", "_retired")))
    assert {model: list(model.objects.values()) for model in REFERENCE_MODELS} == before


def test_changed_library_is_updated_alone(libraries):
    load_reference(libraries)
    edit(
        libraries / "service-kinds.yaml",
        "forms: [pob]\n    forms_verified: true  # reference.md: P [K]",
        "forms: [pob, amb]\n    forms_verified: false  #",
    )
    edit(libraries / "basic-activities.yaml", "name: poskytnutí přenocování", "name: poskytnutí noclehu")

    counts = load_reference(libraries)

    assert counts["libraries_loaded"] == 2
    assert counts["libraries_skipped"] == 4
    assert counts["service_kinds_updated"] == 1
    assert counts["basic_activities_updated"] == 1
    assert counts["service_kinds_created"] == counts["basic_activities_created"] == 0
    assert forms_of("13") == {"pob", "amb"}
    assert BasicActivity.objects.get(code="PRE").name == "poskytnutí noclehu"


def test_syntax_error_names_file_and_line_and_writes_nothing(libraries):
    line = edit(libraries / "target-groups.yaml", "name: pečující osoby", "name: pečující: osoby")

    with pytest.raises(ReferenceLibraryError) as caught:
        load_reference(libraries)

    error = caught.value
    assert isinstance(error, QmssImportError)
    assert error.file == "target-groups.yaml"
    assert error.row == line
    assert "target-groups.yaml" in str(error)
    assert str(line) in str(error)
    assert total_rows() == 0


def test_missing_field_names_file_line_and_field(libraries):
    item_line = edit(
        libraries / "service-kinds.yaml",
        '  - code: "13"\n    section: "49"\n    name: domovy pro seniory\n',
        '  - code: "13"\n    section: "49"\n',
    )

    with pytest.raises(ReferenceLibraryError) as caught:
        load_reference(libraries)

    error = caught.value
    assert (error.file, error.row, error.field) == ("service-kinds.yaml", item_line, "name")
    assert "service-kinds.yaml" in str(error)
    assert str(item_line) in str(error)
    assert "name" in str(error)
    assert total_rows() == 0


@pytest.mark.parametrize(
    ("file", "old", "new", "field"),
    [
        (
            "service-kinds.yaml",
            "forms: [pob]\n    forms_verified: true  # reference.md",
            "forms: [xyz]\n    forms_verified: true  #",
            "forms",
        ),
        ("service-kinds.yaml", "activities: [HYG, PRE]", "activities: [HYG, PRE, NOPE]", "activities"),
        ("service-kinds.yaml", "category: counselling", "category: wellness", "category"),
        ("service-kinds.yaml", 'code: "4"', 'code: "3"', "code"),
        ("service-kinds.yaml", "legacy_registry_id: 3847", "legacy_registry_id: lots", "legacy_registry_id"),
        ("delivery-forms.yaml", "key: field", "key: residential", "key"),
        ("capacity-types.yaml", "verified: true", "verified: yes please", "verified"),
        ("capacity-types.yaml", "name: klienti", "name: klienti\n    colour: blue", "colour"),
        ("age-groups.yaml", "age_to: 26", "age_to: 12", "age_to"),
        ("target-groups.yaml", 'code: "24"', "code: 24", "code"),
        ("basic-activities.yaml", "urn: urn:qmss:registry:basic-activities", "urn: urn:qmss:registry:other", "urn"),
    ],
)
def test_structural_errors_name_the_field_and_write_nothing(libraries, file, old, new, field):
    line = edit(libraries / file, old, new)

    with pytest.raises(ReferenceLibraryError) as caught:
        load_reference(libraries)

    error = caught.value
    assert (error.file, error.field) == (file, field)
    assert error.row is not None and line <= error.row <= line + 1
    assert total_rows() == 0


def test_error_in_a_later_file_leaves_existing_data_alone(libraries):
    load_reference(libraries)
    before = total_rows()
    edit(libraries / "delivery-forms.yaml", "name: terénní", "name: venkovní")
    edit(libraries / "age-groups.yaml", "age_from: 65", "age_from: -1")

    with pytest.raises(ReferenceLibraryError):
        load_reference(libraries)

    assert DeliveryForm.objects.get(code="ter").name == "terénní"
    assert total_rows() == before


def test_newer_version_sets_valid_to_of_dropped_items(libraries):
    load_reference(libraries)
    capacity_types = libraries / "capacity-types.yaml"
    original = capacity_types.read_text(encoding="utf-8")
    edit(capacity_types, "version: 2", "version: 3")
    edit(
        capacity_types,
        "  - code: hovor\n    name: hovory\n    unit_one: hovor\n    unit_few: hovory\n    unit: hovorů\n"
        '    verified: true\n    note: registry label "Počet hovorů"\n',
        "",
    )

    counts = load_reference(libraries, today=dt.date(2027, 3, 1))

    assert counts["capacity_types_retired"] == 1
    assert counts["libraries_loaded"] == 1
    calls = CapacityType.objects.get(code="hovor")  # kept: services reference it
    assert calls.valid_to == dt.date(2027, 2, 28)
    assert not CapacityType.objects.exclude(code="hovor").filter(valid_to__isnull=False).exists()
    assert ReferenceLibrary.objects.get(urn="urn:qmss:registry:capacity-types").version == 3

    # a later version that lists the item again revives it
    capacity_types.write_text(original.replace("version: 2", "version: 4"), encoding="utf-8")
    counts = load_reference(libraries)
    assert counts["capacity_types_updated"] == 1
    assert CapacityType.objects.get(code="hovor").valid_to is None


def test_rows_of_other_libraries_are_not_retired(libraries):
    load_reference(libraries)
    other = ReferenceLibrary.objects.create(urn="urn:qmss:registry:mpsv-codelists", version=1, title="x", source="x")
    ServiceKind.objects.create(code="99", name="neznámý druh", category="other", library=other)
    edit(libraries / "service-kinds.yaml", "version: 2", "version: 3")

    load_reference(libraries)

    assert ServiceKind.objects.get(code="99").valid_to is None


def test_older_version_is_refused(libraries):
    edit(libraries / "age-groups.yaml", "version: 1", "version: 5")
    load_reference(libraries)
    edit(libraries / "age-groups.yaml", "version: 5", "version: 4")

    with pytest.raises(ReferenceLibraryError) as caught:
        load_reference(libraries)

    assert (caught.value.file, caught.value.field) == ("age-groups.yaml", "version")


def test_missing_file(libraries):
    (libraries / "age-groups.yaml").unlink()

    with pytest.raises(ReferenceLibraryError) as caught:
        load_reference(libraries)

    assert caught.value.file == "age-groups.yaml"
    assert total_rows() == 0


def test_command_loads_and_reports(libraries):
    out = io.StringIO()
    call_command("load_reference", str(libraries), stdout=out)
    assert "Druhy sociálních služeb" in out.getvalue()
    assert ServiceKind.objects.count() == 34

    edit(libraries / "target-groups.yaml", "name: senioři", "name: [senioři")
    with pytest.raises(CommandError, match="target-groups.yaml"):
        call_command("load_reference", str(libraries), stdout=io.StringIO())


def activities_of(code: str) -> set[str]:
    return set(ServiceKind.objects.get(code=code).activities.values_list("code", flat=True))


def test_fidelity_fixes_of_service_kinds_version_2():
    """§45 without help with personal care (that is §46), §60a valid from 1 Jan 2007, CDZ a code-list kind."""
    load_reference()

    day_centres = ServiceKind.objects.get(section="45")
    assert day_centres.name == "centra denních služeb"
    assert "PVO" not in activities_of(day_centres.code)
    assert "PVO" in activities_of(ServiceKind.objects.get(section="46").code)
    assert ServiceKind.objects.get(code="§60a").valid_from == dt.date(2007, 1, 1)
    mental_health = ServiceKind.objects.get(code="CDZ")
    assert mental_health.legal_basis == ServiceKind.LegalBasis.CODELIST
    assert mental_health.section == ""
    assert not ServiceKind.objects.filter(legal_basis=ServiceKind.LegalBasis.CODELIST).exclude(code="CDZ").exists()


def test_unknown_legal_basis_is_refused(libraries):
    line = edit(libraries / "service-kinds.yaml", "    legal_basis: codelist  #", "    legal_basis: custom  #")

    with pytest.raises(ReferenceLibraryError) as caught:
        load_reference(libraries)

    assert (caught.value.file, caught.value.row, caught.value.field) == ("service-kinds.yaml", line, "legal_basis")
