"""XLSX templates of a round: download in both layouts, upload back exactly, every bad file refused with its
place and nothing saved, safe cells, permissions and the download's query budget."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from qmss.core.roles import OrganisationKind, Role
from qmss.needs import xlsx, xlsx_parse
from qmss.needs.models import Submission, SubmissionValue
from qmss.needs.testing_rounds import fill, make_round, open_with
from qmss.needs.xlsx_parse import _where
from qmss.registry.testing import make_service

pytestmark = pytest.mark.django_db

PROVIDER = OrganisationKind.PROVIDER
REGION = OrganisationKind.REGION


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(tenant_a, tenant_b):
    """Tenant A's open round with three services of A's provider (residential, outpatient with a formula-like
    name, residential) and one of tenant B's provider in the same region (not A's)."""
    from qmss.assessments.testing import link_provider_to_registry

    provider_org = tenant_a.orgs[PROVIDER]
    first = link_provider_to_registry(provider_org, service_name="Domov Lípa", region=tenant_a.region)
    provider = first.provider
    second = make_service(
        provider,
        name='=HYPERLINK("http://zle.test","klik")',
        kind="4",
        forms=(("amb", (("klient", 12),)),),
        facilities=[{"region": tenant_a.region}],
    )
    third = make_service(provider, name="Domov Javor", facilities=[{"region": tenant_a.region}])
    foreign = link_provider_to_registry(tenant_b.orgs[PROVIDER], service_name="Cizí domov", region=tenant_a.region)
    round = make_round(tenant_a.orgs[REGION], name="Sběr 2025")
    submissions = {s.service_id: s for s in open_with(round, tenant_a.user(REGION, Role.ADMIN))}
    fill(submissions[first.pk])
    fill(submissions[third.pk], {("users", "65_79"): Decimal(7), ("direct_hours", ""): Decimal("1234.56")})
    return {
        "round": round,
        "submissions": submissions,
        "services": [first, second, third],
        "foreign": foreign,
        "editor": tenant_a.user(PROVIDER, Role.EDITOR),
        "tenant_a": tenant_a,
        "tenant_b": tenant_b,
    }


def _download(client, round, layout="sheets") -> bytes:
    response = client.get(reverse("needs:xlsx_download", kwargs={"round_pk": round.pk}), {"layout": layout})
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def _upload(client, round, content: bytes, name="sber.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("needs:xlsx_round", kwargs={"round_pk": round.pk}), {"file": upload})


def _state(round) -> list[tuple]:
    return sorted(
        SubmissionValue.objects.filter(submission__round=round).values_list(
            "submission_id", "element__code", "category", "value"
        )
    )


def _edit(content: bytes, changes: dict[str, dict[str, object]]) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    for sheet, cells in changes.items():
        for ref, value in cells.items():
            workbook[sheet][ref] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _texts(content: bytes) -> set[str]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return {str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for value in row}


def _sheet(content: bytes, portal_id: int) -> str:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return next(title for title in workbook.sheetnames if title.endswith(f" {portal_id}"))


def _row_of(content: bytes, sheet: str, code: str) -> int:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    for index, row in enumerate(workbook[sheet].iter_rows(values_only=True), start=1):
        if row and row[0] == code:
            return index
    raise AssertionError(code)


@pytest.mark.parametrize("layout", ["sheets", "tidy"])
def test_round_trip_is_exact(world, layout):
    client = _client(world["editor"])
    before = _state(world["round"])
    content = _download(client, world["round"], layout)
    response = _upload(client, world["round"], content)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _state(world["round"]) == before
    assert Decimal("1234.56") in [row[3] for row in before]


def test_upload_changes_values(world):
    client = _client(world["editor"])
    content = _download(client, world["round"])
    third = world["services"][2]
    sheet = _sheet(content, third.portal_id)
    row = _row_of(content, sheet, "users/80p")
    hours = _row_of(content, sheet, "direct_hours")
    edited = _edit(content, {sheet: {f"E{row}": 12, f"E{hours}": 99.25}})
    response = _upload(client, world["round"], edited)
    assert response.status_code == 302, response.content.decode()[:3000]
    submission = world["submissions"][third.pk]
    values = {
        (code, cat): value
        for code, cat, value in SubmissionValue.objects.filter(submission=submission).values_list(
            "element__code", "category", "value"
        )
    }
    assert values[("users", "80p")] == Decimal(12)
    assert values[("direct_hours", "")] == Decimal("99.25")
    assert values[("users", "65_79")] == Decimal(7)


# --- bad files: refused with their place, nothing saved -------------------------------------------------------


def _refused(client, round, content: bytes, *needles: str) -> str:
    before = _state(round)
    saved_at = sorted(Submission.objects.filter(round=round).values_list("pk", "last_saved_at"))
    response = _upload(client, round, content)
    text = response.content.decode()
    assert response.status_code == 400, text[:3000]
    for needle in needles:
        assert needle in text, (needle, text[text.find("error-summary") :][:2000])
    assert _state(round) == before
    assert sorted(Submission.objects.filter(round=round).values_list("pk", "last_saved_at")) == saved_at
    return text


@pytest.fixture
def sheets(world):
    client = _client(world["editor"])
    content = _download(client, world["round"])
    third = world["services"][2]
    return client, content, _sheet(content, third.portal_id)


def test_text_in_a_number_cell(world, sheets):
    client, content, sheet = sheets
    row = _row_of(content, sheet, "users/80p")
    first = _sheet(content, world["services"][0].portal_id)
    good_row = _row_of(content, first, "users/18_64")
    # a valid change on another service's sheet is not saved either (all or nothing across services)
    edited = _edit(content, {sheet: {f"E{row}": "dvacet"}, first: {f"E{good_row}": 3}})
    _refused(client, world["round"], edited, _where(sheet, row, 5), "dvacet")


def test_decimal_in_a_whole_number_cell_and_negative(world, sheets):
    client, content, sheet = sheets
    row = _row_of(content, sheet, "users/80p")
    new = _row_of(content, sheet, "new_users")
    edited = _edit(content, {sheet: {f"E{row}": 2.5, f"E{new}": -1}})
    _refused(client, world["round"], edited, _where(sheet, row, 5), _where(sheet, new, 5))


def test_edited_locked_cells(world, sheets):
    client, content, sheet = sheets
    capacity = _row_of(content, sheet, "capacity")
    users = _row_of(content, sheet, "users/65_79")
    edited = _edit(content, {sheet: {f"E{capacity}": 999, f"B{users}": "Uživatelé jinak", "B2": "Jiný název"}})
    _refused(
        client,
        world["round"],
        edited,
        _where(sheet, capacity, 5),
        _where(sheet, users, 2),
        _where(sheet, 2, 2),
    )


def test_unknown_element_code(world, sheets):
    client, content, sheet = sheets
    row = _row_of(content, sheet, "users/80p")
    _refused(client, world["round"], _edit(content, {sheet: {f"A{row}": "users/90p"}}), _where(sheet, row, 1))


def test_unknown_or_foreign_service_id(world, sheets):
    client, content, sheet = sheets
    _refused(client, world["round"], _edit(content, {sheet: {"B1": 999999}}), _where(sheet, 1, 2), "999999")
    foreign = world["foreign"].portal_id  # tenant B's provider's service in the same round
    _refused(client, world["round"], _edit(content, {sheet: {"B1": foreign}}), _where(sheet, 1, 2), str(foreign))


def test_wrong_and_missing_sheet(world, sheets):
    client, content, sheet = sheets
    workbook = load_workbook(io.BytesIO(content))
    workbook.create_sheet("List1")["A1"] = "něco"
    buffer = io.BytesIO()
    workbook.save(buffer)
    _refused(client, world["round"], buffer.getvalue(), _where("List1"))
    workbook = load_workbook(io.BytesIO(content))
    del workbook[sheet]
    buffer = io.BytesIO()
    workbook.save(buffer)
    _refused(client, world["round"], buffer.getvalue(), sheet)


def test_file_of_another_round(world):
    client = _client(world["editor"])
    other = make_round(world["tenant_a"].orgs[REGION], name="Jiné kolo 2024")
    open_with(other, world["tenant_a"].user(REGION, Role.ADMIN))
    content = _download(client, other)
    _refused(client, world["round"], content, "Jiné kolo 2024")


def test_not_an_xlsx_and_oversize(world, monkeypatch):
    client = _client(world["editor"])
    _refused(client, world["round"], b"PK\x03\x04 not really a zip", "XLSX")
    _refused(client, world["round"], "služba;hodnota\n1;2\n".encode(), "XLSX")
    content = _download(client, world["round"])
    monkeypatch.setattr(xlsx, "MAX_BYTES", len(content) - 1)
    _refused(client, world["round"], content, "MB")
    parsed = xlsx_parse.parse_workbook(content, round_id=world["round"].pk, blocks=[], secret="x")
    assert parsed.errors and not parsed.values


def test_tidy_layout_bad_cells(world):
    client = _client(world["editor"])
    content = _download(client, world["round"], "tidy")
    title = load_workbook(io.BytesIO(content), read_only=True).sheetnames[0]
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(workbook[title].iter_rows(values_only=True))
    users = next(i for i, row in enumerate(rows, start=1) if row[2] == "users" and row[3] == "65_79")
    capacity = next(i for i, row in enumerate(rows, start=1) if row[2] == "capacity")
    edited = _edit(content, {title: {f"E{users}": "dvacet", f"A{users + 1}": 999999, f"E{capacity}": 1}})
    _refused(
        client,
        world["round"],
        edited,
        _where(title, users, 5),
        _where(title, users + 1, 1),
        _where(title, capacity, 5),
    )


def test_save_failure_of_a_later_service_rolls_back_the_earlier(world, sheets, monkeypatch):
    from qmss.needs import actions_xlsx

    client, content, _sheet_title = sheets
    edits = {}
    for service in world["services"]:
        title = _sheet(content, service.portal_id)
        edits[title] = {f"E{_row_of(content, title, 'waiting_list')}": 77}
    real = actions_xlsx.save_values
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["submission"].pk)
        real(**kwargs)
        if len(calls) == 2:
            from django.core.exceptions import ValidationError

            raise ValidationError("simulated refusal")

    monkeypatch.setattr(actions_xlsx, "save_values", failing)
    _refused(client, world["round"], _edit(content, edits), "simulated refusal")
    assert len(calls) >= 2


# --- safe cells -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["sheets", "tidy"])
def test_formula_like_service_name_stays_text(world, layout):
    client = _client(world["editor"])
    content = _download(client, world["round"], layout)
    name = world["services"][1].name
    workbook = load_workbook(io.BytesIO(content))
    found = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "HYPERLINK" in cell.value
    ]
    assert found, "the service's name is in the workbook"
    for cell in found:
        assert cell.value == name
        assert cell.data_type == "s"  # a string, never a formula
        assert cell.quotePrefix  # and stays text when edited
    # locked cells are grey and protected; value cells of editable elements are not
    sheet = workbook.worksheets[0]
    assert sheet.protection.sheet
    assert workbook.security.lockStructure
    assert workbook[xlsx.META_SHEET].sheet_state == "hidden"


# --- permissions --------------------------------------------------------------------------------------------------


def test_download_holds_only_the_providers_editable_submissions(world):
    from qmss.needs.models import Submission

    client = _client(world["editor"])
    first, second, third = world["services"]
    Submission.objects.filter(pk=world["submissions"][second.pk].pk).update(state=Submission.State.SUBMITTED)
    for layout in ("sheets", "tidy"):
        content = _download(client, world["round"], layout)
        texts = _texts(content)
        assert str(first.portal_id) in texts and first.name in texts and third.name in texts
        assert world["foreign"].name not in texts and str(world["foreign"].portal_id) not in texts  # B's service
        assert second.name not in texts  # submitted: no longer editable


def test_upload_of_a_since_submitted_service_is_refused(world, sheets):
    client, content, sheet = sheets
    third = world["services"][2]
    Submission.objects.filter(pk=world["submissions"][third.pk].pk).update(state=Submission.State.SUBMITTED)
    row = _row_of(content, sheet, "users/80p")
    _refused(client, world["round"], _edit(content, {sheet: {f"E{row}": 5}}), _where(sheet, 1, 2))


@pytest.mark.parametrize(
    ("kind", "role", "page", "download"),
    [
        (PROVIDER, Role.READER, 200, 404),  # A's reader: sees the round, nothing to fill
        (REGION, Role.ADMIN, 200, 404),  # A's region staff: the round is theirs, the reports are not
    ],
)
def test_who_may_not_fill(world, kind, role, page, download):
    user = world["tenant_a"].user(kind, role)
    client = _client(user)
    url = reverse("needs:xlsx_round", kwargs={"round_pk": world["round"].pk})
    response = client.get(url)
    assert response.status_code == page
    assert world["services"][0].name not in response.content.decode()
    response = client.get(reverse("needs:xlsx_download", kwargs={"round_pk": world["round"].pk}), {"layout": "tidy"})
    assert response.status_code == download
    content = _download(_client(world["editor"]), world["round"])
    sheet = _sheet(content, world["services"][2].portal_id)
    row = _row_of(content, sheet, "users/80p")
    before = _state(world["round"])
    response = _upload(client, world["round"], _edit(content, {sheet: {f"E{row}": 5}}))
    assert response.status_code in (400, 403)
    assert _state(world["round"]) == before


def test_tenant_b(world):
    """B's region does not see A's round; B's provider (with a service in A's region, so in the round) sees only
    its own report and cannot upload A's file."""
    content = _download(_client(world["editor"]), world["round"])
    sheet = _sheet(content, world["services"][2].portal_id)
    row = _row_of(content, sheet, "users/80p")
    edited = _edit(content, {sheet: {f"E{row}": 5}})
    before = _state(world["round"])
    round_url = reverse("needs:xlsx_round", kwargs={"round_pk": world["round"].pk})
    download_url = reverse("needs:xlsx_download", kwargs={"round_pk": world["round"].pk})
    client = _client(world["tenant_b"].user(REGION, Role.ADMIN))
    assert client.get(round_url).status_code == 404
    assert client.get(download_url, {"layout": "sheets"}).status_code == 404
    assert _upload(client, world["round"], edited).status_code == 404
    client = _client(world["tenant_b"].user(PROVIDER, Role.EDITOR))
    page = client.get(round_url).content.decode()
    assert world["foreign"].name in page
    assert all(service.name not in page for service in world["services"])
    own = _download(client, world["round"], "tidy")
    texts = {
        str(v)
        for row in load_workbook(io.BytesIO(own), read_only=True).worksheets[0].iter_rows(values_only=True)
        for v in row
    }
    assert world["foreign"].name in texts
    assert all(service.name not in texts and str(service.portal_id) not in texts for service in world["services"])
    response = _upload(client, world["round"], edited)
    assert response.status_code == 400
    assert _where(sheet, 1, 2) in response.content.decode()
    assert _state(world["round"]) == before


# --- query budget ----------------------------------------------------------------------------------------------


def test_download_and_page_queries_are_constant(world):
    from qmss.needs.actions_rounds import store_prefill
    from qmss.needs.layout import prefill_values
    from qmss.needs.selectors_rounds import registry_facts
    from qmss.testing.queries import assert_constant_queries

    round = world["round"]
    provider = world["services"][0].provider
    client = _client(world["editor"])

    def grow(n):
        while Submission.objects.filter(round=round, service__provider=provider).count() < n:
            service = make_service(provider, facilities=[{"region": world["tenant_a"].region}])
            submission = Submission.objects.create(
                round=round, service=service, registry_facts=registry_facts([service])[service.pk]
            )
            store_prefill(submission, prefill_values(submission))

    count = Submission.objects.filter(round=round, service__provider=provider)
    for layout in ("sheets", "tidy"):
        assert_constant_queries(
            lambda layout=layout: client.get(
                reverse("needs:xlsx_download", kwargs={"round_pk": round.pk}), {"layout": layout}
            ),
            grow,
            count=count,
            small=3,
            large={"sheets": 6, "tidy": 9}[layout],
            max_queries=20,
            rows=lambda response: len(response.content),  # a zipped workbook: its size grows with the services
        )
    assert_constant_queries(
        lambda: client.get(reverse("needs:xlsx_round", kwargs={"round_pk": round.pk})),
        grow,
        count=count,
        small=9,
        large=12,
        max_queries=20,
    )


# --- the parser's pieces ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "value_type", "expected"),
    [
        (None, "integer", None),
        (12, "integer", Decimal(12)),
        (12.0, "integer", Decimal(12)),
        ("20", "integer", Decimal(20)),
        (" 1 234 ", "integer", Decimal(1234)),
        ("12,5", "decimal", Decimal("12.50")),
        (0.1 + 0.2, "decimal", Decimal("0.30")),  # a spreadsheet's float noise
        (1234.56, "money", Decimal("1234.56")),
        ("", "integer", None),
    ],
)
def test_parse_number_accepts(value, value_type, expected):
    row = xlsx.Row("x", "", "X", "", "", value_type, False, Decimal(0), None)
    assert xlsx_parse.parse_number(value, row) == (expected, None)


@pytest.mark.parametrize(
    ("value", "value_type"),
    [
        ("dvacet", "integer"),
        ("--5", "integer"),
        ("1e5", "integer"),
        (2.5, "integer"),
        (1.234, "decimal"),
        (-1, "integer"),
        (10**13, "money"),
        (float("nan"), "decimal"),
        (True, "integer"),
    ],
)
def test_parse_number_refuses(value, value_type):
    row = xlsx.Row("x", "", "X", "", "", value_type, False, Decimal(0), None)
    number, message = xlsx_parse.parse_number(value, row)
    assert number is None and message


def test_zip_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_UNZIPPED", 1000)
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + " " * 5000 + "</a>")
    parsed = xlsx_parse.parse_workbook(buffer.getvalue(), round_id=1, blocks=[], secret="s")
    assert len(parsed.errors) == 1 and "MB" in parsed.errors[0]
