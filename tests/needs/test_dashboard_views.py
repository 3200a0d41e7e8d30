"""The region evaluation dashboard: who may see it, what it shows (hand-computed pooled indicators), filters,
the XLSX export (contents and safe cells), the home dashboard section and the query budget."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.needs.models import CollectionRound, Submission
from qmss.needs.testing_dashboard import (
    add_submissions,
    make_closed_round,
    make_services,
    region_with_rounds,
    simple_values,
)
from qmss.registry.cache import page_cache
from qmss.testing.queries import assert_constant_queries, measure

pytestmark = pytest.mark.django_db
URL = "/potreby/vyhodnoceni/"
EXPORT = "/potreby/vyhodnoceni/export.xlsx"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(tenant_a):
    """Tenant A's region: two closed rounds (2023, 2024) of six residential homes, one with an extreme value."""
    region_org = tenant_a.orgs[OrganisationKind.REGION]
    services = make_services(tenant_a.region, 6, name=f"Domov {tenant_a.orgs[OrganisationKind.PROVIDER].name}")
    r2023 = make_closed_round(region_org, year=2023)
    add_submissions(r2023, {s: simple_values(40, bed_days=12000) for s in services})
    r2024 = make_closed_round(region_org, year=2024)
    users = [40, 41, 42, 43, 44, 400]
    add_submissions(r2024, {s: simple_values(u, bed_days=14000) for s, u in zip(services, users, strict=True)})
    return {"services": services, "rounds": [r2023, r2024], "region_org": region_org}


def test_url_names():
    assert reverse("needs:dashboard") == URL
    assert reverse("needs:dashboard_export") == EXPORT


@pytest.mark.parametrize("role", [Role.ADMIN, Role.READER, Role.NETWORK_MANAGER, Role.EDITOR])
def test_region_staff_see_their_region(world, tenant_a, role):
    response = client_for(tenant_a.user(OrganisationKind.REGION, role)).get(URL)
    assert response.status_code == 200
    assert tenant_a.region.name in response.content.decode()


@pytest.mark.parametrize(
    "kind", [OrganisationKind.PROVIDER, OrganisationKind.MUNICIPALITY, OrganisationKind.MINISTRY,
             OrganisationKind.AUDIT_BODY]
)  # fmt: skip
def test_others_are_refused(world, tenant_a, kind):
    for url in (URL, EXPORT):
        assert client_for(tenant_a.user(kind, Role.ADMIN)).get(url).status_code == 404


def test_read_only(world, tenant_a):
    client = client_for(tenant_a.user(OrganisationKind.REGION, Role.ADMIN))
    for url in (URL, EXPORT):
        assert client.post(url).status_code == 405


def test_anonymous_goes_to_login(world):
    for url in (URL, EXPORT):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/ucet/" in response["Location"] or "login" in response["Location"]


def test_other_tenants_region_staff_see_only_their_own(world, tenant_a, tenant_b):
    client = client_for(tenant_b.user(OrganisationKind.REGION, Role.ADMIN))
    secret = tenant_a.orgs[OrganisationKind.PROVIDER].name
    response = client.get(URL)
    assert response.status_code == 200
    assert tenant_b.region.name in response.content.decode()
    assert secret not in response.content.decode()
    for url in (URL, EXPORT):
        assert client.get(url, {"region": tenant_a.region.code}).status_code == 404


def test_superuser_picks_a_region(world, tenant_a, tenant_b, superuser):
    client = client_for(superuser)
    page = client.get(URL, {"region": tenant_a.region.code}).content.decode()
    assert "Domov" in page and tenant_a.region.name in page
    page = client.get(URL, {"region": tenant_b.region.code}).content.decode()
    assert tenant_a.orgs[OrganisationKind.PROVIDER].name not in page
    assert client.get(URL, {"region": "XX999"}).status_code == 404


def test_pooled_indicators_by_hand(world, tenant_a):
    from qmss.needs import selectors_dashboard as sel

    filters = sel.Filters(region=tenant_a.region)
    data = sel.dashboard(filters)
    by_code = {s.indicator.code: s for s in data.indicators}
    occupancy = by_code["occupancy"].points
    # 2023: Σ bed_days 6·12000 / Σ (40·365) 6·14600 × 100 = 82.19…
    assert occupancy[0].value == pytest.approx(Decimal(72000) / Decimal(87600) * 100)
    assert occupancy[0].services == 6
    assert occupancy[1].value == pytest.approx(Decimal(84000) / Decimal(87600) * 100)
    # users per direct FTE 2024: (40+41+42+43+44+400) / (6·10)
    assert by_code["users_per_direct_fte"].points[1].value == pytest.approx(Decimal(610) / 60)
    # refusal for capacity: refused["capacity"] / (new_users + refused) × 100 = 6·2 / 6·(5+3) × 100
    assert by_code["refusal_capacity_rate"].points[1].value == pytest.approx(Decimal(25))
    # needs_response and waiting_list missing: no value (shown as "–")
    assert by_code["needs_basic_share"].points[0].value is None
    assert by_code["waiting_per_capacity"].points[1].services == 0


def test_denominator_zero_is_not_counted(tenant_a):
    from qmss.needs import selectors_dashboard as sel

    region_org = tenant_a.orgs[OrganisationKind.REGION]
    services = make_services(tenant_a.region, 2)
    round_ = make_closed_round(region_org, year=2024)
    values = {services[0]: simple_values(40), services[1]: {**simple_values(10), ("fte", "care_worker"): 0}}
    add_submissions(round_, values)
    data = sel.dashboard(sel.Filters(region=tenant_a.region))
    point = next(s for s in data.indicators if s.indicator.code == "users_per_direct_fte").points[0]
    assert point.services == 1
    assert point.value == Decimal(4)


def test_drafts_and_other_kinds_do_not_count(world, tenant_a):
    from qmss.needs import selectors_dashboard as sel
    from qmss.registry.models import ServiceKind

    region_org = tenant_a.orgs[OrganisationKind.REGION]
    round_ = world["rounds"][1]
    others = make_services(tenant_a.region, 2, kind="4", form="amb")
    add_submissions(round_, {others[0]: simple_values(1000)}, state=Submission.State.DRAFT)
    add_submissions(round_, {others[1]: simple_values(2000)})
    kind13 = ServiceKind.objects.get(code="13")
    data = sel.dashboard(sel.Filters(region=tenant_a.region, kind=kind13))
    point = next(s for s in data.indicators if s.indicator.code == "users_per_direct_fte").points[1]
    assert point.services == 6 and point.value == pytest.approx(Decimal(610) / 60)
    assert data.completeness[1].services == 6
    data = sel.dashboard(sel.Filters(region=tenant_a.region))
    point = next(s for s in data.indicators if s.indicator.code == "users_per_direct_fte").points[1]
    assert point.services == 7
    assert data.completeness[1].services == 8 and data.completeness[1].submitted == 7
    # occupancy is for residential services only
    occupancy = next(s for s in data.indicators if s.indicator.code == "occupancy").points[1]
    assert occupancy.services == 6
    assert region_org  # (the round belongs to A's authority)


def test_page_shows_blocks(world, tenant_a):
    page = client_for(tenant_a.user(OrganisationKind.REGION, Role.ADMIN)).get(URL).content.decode()
    assert "<svg" in page and "needs-chart" in page  # a chart per indicator
    assert "82,2" in page  # occupancy 2023 in Czech format
    assert "–" in page  # an indicator without value
    assert "400" in page and "needs-strip" in page  # the outlier with its peers
    assert reverse("improvement:region") in page
    assert (
        reverse("assessments:service_workspace", kwargs={"service_portal_id": world["services"][5].portal_id}) in page
    )
    assert EXPORT in page
    submission = Submission.objects.get(round=world["rounds"][1], service=world["services"][5])
    assert reverse("needs:submission_detail", kwargs={"submission_pk": submission.pk}) in page
    assert reverse("needs:round_detail", kwargs={"round_pk": world["rounds"][0].pk}) in page


def test_year_filter(world, tenant_a):
    from qmss.needs import selectors_dashboard as sel

    data = sel.dashboard(sel.Filters(region=tenant_a.region, year_from=2024))
    assert [r.period_end.year for r in data.rounds] == [2024]
    data = sel.dashboard(sel.Filters(region=tenant_a.region, year_to=2023))
    assert [r.period_end.year for r in data.rounds] == [2023]
    client = client_for(tenant_a.user(OrganisationKind.REGION, Role.ADMIN))
    for bad in ("abc", "99999", "１２３", "-1"):
        assert client.get(URL, {"year_from": bad, "kind": bad}).status_code == 200


def test_completeness_late(tenant_a):
    from datetime import date, datetime

    from django.utils import timezone

    from qmss.needs import selectors_dashboard as sel

    region_org = tenant_a.orgs[OrganisationKind.REGION]
    round_ = make_closed_round(region_org, year=2023)  # deadline 15 Feb 2024
    services = make_services(tenant_a.region, 4)
    late = timezone.make_aware(datetime(2024, 3, 1, 10))
    add_submissions(round_, {services[0]: simple_values(1)})
    add_submissions(round_, {services[1]: simple_values(1)}, submitted_at=late)
    add_submissions(round_, {services[2]: simple_values(1)}, state=Submission.State.RETURNED)
    add_submissions(round_, {services[3]: simple_values(1)}, state=Submission.State.DRAFT)
    row = sel.completeness([round_], None, today=date(2024, 4, 1))[0]
    assert (row.services, row.submitted, row.approved, row.returned, row.late) == (4, 2, 2, 1, 3)


def test_export_contents_and_safe_cells(world, tenant_a):
    from openpyxl import load_workbook

    service = world["services"][5]
    service.name = '=HYPERLINK("http://evil.test","x")'
    service.save()
    response = client_for(tenant_a.user(OrganisationKind.REGION, Role.READER)).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert len(book.sheetnames) == 5
    outliers = book.worksheets[4]
    rows = list(outliers.iter_rows(values_only=False))
    assert len(rows) == 2
    name_cell = rows[1][2]
    assert name_cell.value == service.name
    assert name_cell.data_type == "s"  # a text, never a formula
    assert rows[1][4].value == 400
    indicators = book.worksheets[2]
    values = [[c.value for c in row] for row in indicators.iter_rows()]
    assert len(values) == 1 + 6 * 2
    occupancy_2023 = next(v for v in values[1:] if v[0] == "Obložnost")
    assert occupancy_2023[4] == pytest.approx(72000 / 87600 * 100)
    completeness = [[c.value for c in row] for row in book.worksheets[1].iter_rows()]
    assert completeness[1][4:7] == [6, 6, 6]


def test_home_dashboard_section(world, tenant_a):
    page = client_for(tenant_a.user(OrganisationKind.REGION, Role.READER)).get("/").content.decode()
    assert f"{URL}?region={tenant_a.region.code}" in page
    provider_page = client_for(tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN)).get("/").content.decode()
    assert URL not in provider_page


def test_query_budget_constant_in_services_and_rounds(tenant_a):
    region_org = tenant_a.orgs[OrganisationKind.REGION]
    client = client_for(tenant_a.user(OrganisationKind.REGION, Role.ADMIN))
    state = {"years": 0, "services": []}

    def grow(n: int) -> None:
        more = make_services(tenant_a.region, n * 3 - len(state["services"]))
        state["services"] += more
        start = 2010 + state["years"]
        region_with_rounds(region_org, services=state["services"], years=range(start, start + n - state["years"]))
        state["years"] = n

    def cold():  # the worst case: nothing cached (pooled values and outliers are computed)
        page_cache().clear()
        return client.get(URL)

    assert_constant_queries(
        cold,
        grow,
        count=lambda: CollectionRound.objects.count(),
        small=2,
        large=5,
        rows=None,
        max_queries=40,
    )
    cold_count = len(measure(cold)[2])
    client.get(URL)
    warm_count = len(measure(lambda: client.get(URL))[2])
    assert warm_count < cold_count  # the rounds' results come from the cache


def test_names_are_escaped_in_page_and_charts(world, tenant_a):
    service = world["services"][5]
    service.name = '<script>alert("x")</script> & "Domov"'
    service.save()
    page = client_for(tenant_a.user(OrganisationKind.REGION, Role.ADMIN)).get(URL).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_services_below_the_minimum_form(world, tenant_a):
    from qmss.needs import selectors_dashboard as sel
    from qmss.needs.models import MinimumForm, Need, NeedArea
    from qmss.needs.testing_dashboard import _taxonomy
    from qmss.registry.models import ServiceKind

    taxonomy = _taxonomy()
    area = NeedArea.objects.create(taxonomy=taxonomy, code="self_care", name="Péče o sebe")
    need = Need.objects.create(taxonomy=taxonomy, area=area, code="hygiene", name="Tělesná hygiena", public_wording="")
    minimum = MinimumForm.objects.create(
        region=tenant_a.region, organisation=world["region_org"], kind=ServiceKind.objects.get(code="13"),
        taxonomy=taxonomy, threshold=Decimal("0.8"), year=2024,
    )  # fmt: skip
    minimum.needs.set([need])
    block = sel.dashboard(sel.Filters(region=tenant_a.region)).minimum
    assert block.available and block.year == 2024
    assert {c.service for c in block.rows} == set(world["services"])  # no service card: the need is missing
    page = client_for(tenant_a.user(OrganisationKind.REGION, Role.ADMIN)).get(URL).content.decode()
    assert "Tělesná hygiena" in page
    from qmss.registry.testing import make_kind

    block = sel.dashboard(sel.Filters(region=tenant_a.region, kind=make_kind("4"))).minimum
    assert block.rows == []


def test_cache_never_serves_stale_values(world, tenant_a):
    """A returned and corrected submission changes its round's fingerprint: the page shows the new values."""
    from django.utils import timezone

    from qmss.needs import selectors_dashboard as sel
    from qmss.needs.models import DataElement, SubmissionValue

    def value():
        data = sel.dashboard(sel.Filters(region=tenant_a.region))
        return next(s for s in data.indicators if s.indicator.code == "users_per_direct_fte").points[1].value

    assert value() == pytest.approx(Decimal(610) / 60)
    assert value() == pytest.approx(Decimal(610) / 60)  # read back from the cache
    submission = Submission.objects.filter(round=world["rounds"][1], service=world["services"][5]).get()
    submission.state = Submission.State.RETURNED
    submission.decided_at = timezone.now()
    submission.save()
    assert value() == pytest.approx(Decimal(210) / 50)
    element = DataElement.objects.get(template_id=world["rounds"][1].template_id, code="users")
    SubmissionValue.objects.filter(submission=submission, element=element).update(value=45)
    submission.state = Submission.State.APPROVED
    submission.last_saved_at = submission.decided_at = timezone.now()
    submission.save()
    assert value() == pytest.approx(Decimal(255) / 60)


def test_dashboard_series_are_the_engines_series(world, tenant_a):
    """One evaluator: the dashboard shows what qmss.needs.indicators.series computes (kinds and forms filtered,
    a zero denominator leaves the service out)."""
    from qmss.needs import indicators as engine
    from qmss.needs import selectors_dashboard as sel
    from qmss.registry.testing import make_kind

    others = make_services(tenant_a.region, 3, kind="4", form="ter")
    values = {s: {**simple_values(30 + i), ("contacts", ""): 900 + i, ("fte", "care_worker"): 0 if i else 3}
              for i, s in enumerate(others)}  # fmt: skip
    add_submissions(world["rounds"][1], values)
    rounds = world["rounds"]
    data = sel.dashboard(sel.Filters(region=tenant_a.region))
    for shown in data.indicators:
        points = engine.series(indicator_code=shown.indicator.code, rounds=rounds)
        assert [(p.value, p.numerator, p.denominator, p.services) for p in shown.points] == [
            (p.value, p.numerator, p.denominator, p.services) for p in points
        ], shown.indicator.code
    by_code = {s.indicator.code: s for s in data.indicators}
    # users per direct FTE 2024: homes (40+41+42+43+44+400) / 60 and kind 4's first service 30 / 3; the other two
    # have no direct FTE (0): left out
    assert by_code["users_per_direct_fte"].points[1].value == pytest.approx(Decimal(640) / 63)
    assert by_code["users_per_direct_fte"].points[1].services == 7
    kind_4 = sel.dashboard(sel.Filters(region=tenant_a.region, kind=make_kind("4")))
    fte = next(s for s in kind_4.indicators if s.indicator.code == "users_per_direct_fte")
    assert (fte.points[1].value, fte.points[1].services) == (Decimal(10), 1)
    assert fte.points[0].value is None and fte.points[0].services == 0  # no kind 4 service in 2023


def test_export_follows_the_filters(world, tenant_a):
    from openpyxl import load_workbook

    from qmss.registry.testing import make_kind

    client = client_for(tenant_a.user(OrganisationKind.REGION, Role.ADMIN))
    page = client.get(URL, {"year_from": "2024", "kind": make_kind("4").code}).content.decode()
    assert f"{EXPORT}?region={tenant_a.region.code}&amp;year_from=2024&amp;kind=4" in page
    book = load_workbook(BytesIO(client.get(EXPORT, {"year_from": "2024", "kind": "4"}).content))
    completeness = [[c.value for c in row] for row in book.worksheets[1].iter_rows()]
    assert len(completeness) == 2 and completeness[1][4] == 0  # the 2024 round, no service of kind 4
    assert book.worksheets[4].max_row == 1  # no outlier of kind 4
    book = load_workbook(BytesIO(client.get(EXPORT, {"year_from": "2024"}).content))
    assert book.worksheets[4].max_row == 2
