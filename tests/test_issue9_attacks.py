"""Attacks on the routes of issue #9 as another tenant and as each role (helper "tenant-attack").

Each test names the attack; those that found a leak are regression tests of its fix, the others guard a real
risk (a GET that acts, another tenant's POST, an open redirect, a confidential field in a search or dashboard).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from qmss.assessments.models import Assessment, Finding, Result
from qmss.assessments.testing import criteria, make_assessment, make_finding, make_result
from qmss.core.models import Invitation, Membership
from qmss.core.roles import OrganisationKind, Role
from qmss.improvement.testing import make_plan
from tests.conftest import ServiceWorld

Kind, State = Assessment.Kind, Assessment.State
P, R, M, MIN, A = (
    OrganisationKind.PROVIDER,
    OrganisationKind.REGION,
    OrganisationKind.MUNICIPALITY,
    OrganisationKind.MINISTRY,
    OrganisationKind.AUDIT_BODY,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world_a(tenant_a, framework):
    return ServiceWorld.build(tenant_a, framework)


@pytest.fixture
def world_b(tenant_b, framework):
    return ServiceWorld.build(tenant_b, framework)


def client_of(user) -> Client:
    return ServiceWorld.logged_in(user)


def audit_of(world, *, state=State.IN_REVIEW, assessed: int = 8, **extra) -> Assessment:
    refs = [r.ref_id for r in criteria(world.framework)[:assessed]]
    return make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=state,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.tenant.orgs[A],
        fill=dict.fromkeys(refs, "2"),
        **extra,
    )


def self_of(world, *, state=State.IN_PROGRESS, **extra) -> Assessment:
    return make_assessment(
        world.provider, kind=Kind.SELF, state=state, service=world.service, framework=world.framework, **extra
    )


def url(name: str, assessment: Assessment, **kwargs) -> str:
    return reverse(f"assessments:{name}", kwargs={"assessment_pk": assessment.pk, **kwargs})


# --- fast criterion entry -----------------------------------------------------------------------------------------


def test_entry_page_is_closed_to_other_tenants_and_to_readers(world_a, tenant_b):
    assessment = self_of(world_a, title="Tajné sebehodnocení Alfa")
    first = criteria(world_a.framework)[0]
    standard_code = first.parent.ref_id if first.parent_id else ""
    for user, expected in (
        (tenant_b.user(P, Role.ADMIN), 404),
        (tenant_b.user(R, Role.NETWORK_MANAGER), 404),
        (tenant_b.user(A, Role.AUDITOR), 404),
        (world_a.user(P, Role.READER), 403),
        (world_a.user(R, Role.NETWORK_MANAGER), 404),  # not published: the region does not see it
    ):
        response = client_of(user).get(url("entry", assessment), {"standard": standard_code})
        assert response.status_code == expected, user
        assert "Tajné sebehodnocení Alfa" not in response.content.decode()


def test_entry_row_post_of_another_tenant_records_nothing(world_a, tenant_b):
    assessment = self_of(world_a)
    requirement = criteria(world_a.framework)[0]
    value = assessment.framework.default_scale.values.get(key="3")
    data = {"entry": "row", f"c{requirement.pk}-value": str(value.pk), f"c{requirement.pk}-comment": "cizí zápis"}
    for user in (tenant_b.user(P, Role.ADMIN), world_a.user(P, Role.READER)):
        response = client_of(user).post(
            url("result_edit", assessment, requirement_pk=requirement.pk), data, HTTP_HX_REQUEST="true"
        )
        assert response.status_code in (403, 404)
    assert not Result.objects.filter(assessment=assessment).exists()


def test_entry_page_of_a_criterion_of_another_framework_is_404(world_a, world_b):
    """A requirement id of another tenant's framework in the URL is refused (not recorded on A's assessment)."""
    from qmss.assessments.testing import make_framework

    other = criteria(make_framework(urn="urn:test:other", short_name="JINY"))[0]
    assessment = self_of(world_a)
    response = client_of(world_a.user()).post(
        url("result_edit", assessment, requirement_pk=other.pk), {"entry": "row"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "////evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
        " //evil.example",
        "\t//evil.example",
        "http://testserver@evil.example/",
    ],
)
def test_save_and_next_never_redirects_off_site(world_a, evil):
    assessment = self_of(world_a)
    first, second = criteria(world_a.framework)[:2]
    value = assessment.framework.default_scale.values.get(key="2")
    client = client_of(world_a.user())
    for then in ("", "next"):
        response = client.post(
            url("result_edit", assessment, requirement_pk=first.pk),
            {"value": str(value.pk), "comment": "", "next": evil, "then": then},
        )
        assert response.status_code == 302
        location = response["Location"]
        assert location.startswith("/") and not location.startswith("//") and "\\" not in location, location
        assert urlsplit(location).netloc == "", location
        # the single-criterion page never offers the foreign address as a link or a return address
        page = client.get(url("result_edit", assessment, requirement_pk=second.pk), {"next": evil})
        for found in re.findall(r'(?:href|value|action)="([^"]*evil[^"]*)"', page.content.decode()):
            assert found.startswith("/") and not found.startswith("//") and urlsplit(found).netloc == "", found


# --- the service workspace and "My services" ----------------------------------------------------------------------


def test_service_workspace_is_closed_to_other_tenants(world_a, tenant_b):
    self_of(world_a, title="Tajné sebehodnocení Alfa")
    make_plan(world_a.provider, service=world_a.service, title="Tajný plán Alfa")
    path = reverse("assessments:service_workspace", kwargs={"service_portal_id": world_a.service.portal_id})
    for user in (
        tenant_b.user(P, Role.ADMIN),
        tenant_b.user(R, Role.NETWORK_MANAGER),
        tenant_b.user(A, Role.AUDITOR),
        tenant_b.user(M, Role.ADMIN),
        tenant_b.user(MIN, Role.ADMIN),
    ):
        assert client_of(user).get(path).status_code == 404, user
    assert client_of(None).get(path).status_code == 302  # to the login


def test_service_workspace_of_the_region_shows_no_unpublished_work_and_no_plans(world_a):
    self_of(world_a, title="Tajné sebehodnocení Alfa")
    audit_of(world_a, state=State.IN_PROGRESS, title="Rozpracovaný audit Alfa")
    make_plan(world_a.provider, service=world_a.service, title="Tajný plán Alfa")
    path = reverse("assessments:service_workspace", kwargs={"service_portal_id": world_a.service.portal_id})
    for user in (world_a.region_manager, world_a.user(R, Role.READER)):
        response = client_of(user).get(path)
        assert response.status_code == 200
        text = response.content.decode()
        for secret in ("Tajné sebehodnocení Alfa", "Rozpracovaný audit Alfa", "Tajný plán Alfa"):
            assert secret not in text


def test_organisation_services_is_closed_to_other_tenants(world_a, tenant_b):
    path = reverse("assessments:organisation_services", kwargs={"organisation_pk": world_a.provider.pk})
    for user in (tenant_b.user(P, Role.ADMIN), world_a.region_manager, world_a.user(A, Role.AUDITOR)):
        assert client_of(user).get(path).status_code == 404, user


# --- confirmation pages: publish, send back, finding delete, member removal, invitation revoke -----------------


def test_publish_and_send_back_pages_never_act_on_get(world_a):
    audit = audit_of(world_a, assessed=48)
    auditor = client_of(world_a.user(A, Role.AUDITOR))
    assert auditor.get(url("publish", audit), {"confirm": "1"}).status_code == 200
    assert auditor.get(url("send_back", audit), {"confirm": "1"}).status_code == 200
    audit.refresh_from_db()
    assert audit.state == State.IN_REVIEW


def test_publish_needs_the_confirm_field(world_a):
    audit = audit_of(world_a, assessed=48)
    response = client_of(world_a.user(A, Role.AUDITOR)).post(url("publish", audit), {})
    assert response.status_code == 200
    audit.refresh_from_db()
    assert audit.state == State.IN_REVIEW


def test_publish_and_send_back_are_refused_to_other_tenants_and_to_the_provider(world_a, tenant_b):
    audit = audit_of(world_a, assessed=48)
    for user in (
        tenant_b.user(A, Role.AUDITOR),
        tenant_b.user(A, Role.ADMIN),
        tenant_b.user(P, Role.ADMIN),
        tenant_b.user(R, Role.NETWORK_MANAGER),
        world_a.user(P, Role.ADMIN),
        world_a.user(A, Role.READER),
        world_a.region_manager,
    ):
        client = client_of(user)
        for name in ("publish", "send_back"):
            response = client.post(url(name, audit), {"confirm": "1", "partial": "on", "partial_reason": "x"})
            assert response.status_code in (302, 403, 404), (user, name)
            audit.refresh_from_db()
            assert audit.state == State.IN_REVIEW, (user, name)
            if user.username.startswith("beta"):
                assert response.status_code == 404, (user, name)


def test_finding_delete_never_acts_on_get_nor_for_another_tenant(world_a, tenant_b):
    audit = audit_of(world_a, state=State.IN_PROGRESS)
    result = make_result(audit, criteria(world_a.framework)[0].ref_id)
    finding = make_finding(result, text="Tajné zjištění Alfa")
    path = url("finding_delete", audit, finding_pk=finding.pk)
    auditor = client_of(world_a.user(A, Role.AUDITOR))
    assert auditor.get(path, {"confirm": "1"}).status_code == 200
    for user in (tenant_b.user(A, Role.AUDITOR), world_a.user(P, Role.ADMIN)):
        response = client_of(user).post(path, {"confirm": "1"})
        assert response.status_code in (403, 404)
        assert "Tajné zjištění Alfa" not in response.content.decode()
    # another assessment's id with this finding's id
    other = audit_of(world_a, state=State.IN_PROGRESS)
    response = auditor.post(url("finding_delete", other, finding_pk=finding.pk), {"confirm": "1"})
    assert response.status_code == 404
    assert Finding.objects.filter(pk=finding.pk).exists()


def test_member_removal_and_invitation_revoke_are_confirmed_and_scoped(tenant_a, tenant_b):
    org = tenant_a.orgs[P]
    membership = Membership.objects.get(organisation=org, user=tenant_a.user(P, Role.READER))
    invitation = Invitation.objects.get(organisation=org)
    remove = reverse("member_remove", kwargs={"organisation_pk": org.pk, "membership_pk": membership.pk})
    revoke = reverse("invitation_revoke", kwargs={"organisation_pk": org.pk, "invitation_pk": invitation.pk})
    admin = client_of(tenant_a.user(P, Role.ADMIN))
    assert admin.get(remove, {"confirm": "1"}).status_code == 200
    assert admin.get(revoke, {"confirm": "1"}).status_code == 200
    for user, expected in ((tenant_b.user(P, Role.ADMIN), 404), (tenant_a.user(P, Role.EDITOR), 403)):
        client = client_of(user)
        for path in (remove, revoke):
            assert client.get(path).status_code == expected, (user, path)
            assert client.post(path, {"confirm": "1"}).status_code == expected, (user, path)
    # B's admin with B's organisation in the URL and A's membership / invitation id
    org_b = tenant_b.orgs[P]
    client_b = client_of(tenant_b.user(P, Role.ADMIN))
    for name, kwargs in (
        ("member_remove", {"membership_pk": membership.pk}),
        ("invitation_revoke", {"invitation_pk": invitation.pk}),
    ):
        path = reverse(name, kwargs={"organisation_pk": org_b.pk, **kwargs})
        assert client_b.get(path).status_code == 404
        assert client_b.post(path, {"confirm": "1"}).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- the API transition -------------------------------------------------------------------------------------------


def api_transition(client, audit, payload) -> object:
    return client.post(
        f"/api/v1/assessments/{audit.pk}/transition", json.dumps(payload), content_type="application/json"
    )


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def with_token(client: Client) -> Client:
    client.get(reverse("home"))
    token = client.cookies["csrftoken"].value
    client.defaults["HTTP_X_CSRFTOKEN"] = token
    return client


def test_api_transition_needs_the_csrf_token(world_a):
    audit = audit_of(world_a, assessed=48)
    response = api_transition(csrf_client(world_a.user(A, Role.AUDITOR)), audit, {"to_state": "published"})
    assert response.status_code == 403
    audit.refresh_from_db()
    assert audit.state == State.IN_REVIEW


def test_api_transition_refuses_other_tenants_and_other_roles(world_a, tenant_b):
    audit = audit_of(world_a, assessed=48)
    for user, expected in (
        (tenant_b.user(A, Role.AUDITOR), 404),
        (tenant_b.user(P, Role.ADMIN), 404),
        (world_a.user(P, Role.ADMIN), 403),
        (world_a.user(A, Role.READER), 404),
    ):
        response = api_transition(with_token(csrf_client(user)), audit, {"to_state": "published"})
        assert response.status_code == expected, user
        audit.refresh_from_db()
        assert audit.state == State.IN_REVIEW
    anonymous = api_transition(Client(), audit, {"to_state": "published"})
    assert anonymous.status_code in (401, 403)
    response = api_transition(with_token(csrf_client(world_a.user(A, Role.AUDITOR))), audit, {"to_state": "published"})
    assert response.status_code == 200


def test_api_partial_reason_is_as_bounded_as_the_web_form(world_a):
    """The web form takes at most 2,000 characters; the API must not store a 2 MB reason into every PDF/XLSX."""
    audit = audit_of(world_a, assessed=8)
    client = with_token(csrf_client(world_a.user(A, Role.AUDITOR)))
    payload = {"to_state": "published", "partial": True, "partial_reason": "x" * 40_000}
    response = api_transition(client, audit, payload)
    assert response.status_code in (400, 422)
    audit.refresh_from_db()
    assert audit.state == State.IN_REVIEW and audit.partial_reason == ""


# --- the partial-publish reason in the web page, the PDF and the XLSX -------------------------------------------


EVIL_REASON = (
    '=HYPERLINK("https://evil.example","x")</strong><img src=x onerror=alert(1)><style>*{display:none}</style>'
)


def test_partial_reason_is_escaped_everywhere(world_a):
    import io

    from openpyxl import load_workbook

    audit = audit_of(world_a, assessed=8)
    client = client_of(world_a.user(A, Role.AUDITOR))
    response = client.post(url("publish", audit), {"confirm": "1", "partial": "on", "partial_reason": EVIL_REASON})
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.state == State.PUBLISHED and audit.partial_reason == EVIL_REASON
    page = client.get(url("detail", audit)).content.decode()
    assert "<img src=x" not in page and "<style>*" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    workbook = load_workbook(io.BytesIO(client.get(url("report_xlsx", audit)).content))
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    assert cell.data_type == "s"
                    assert not cell.value.lstrip().startswith("=")
    from django.template.loader import render_to_string

    from qmss.assessments.reports.data import report_data

    data = report_data(audit)
    html = render_to_string("assessments/report/_summary.html", {"report": data})
    assert "<img src=x" not in html and "<style>*" not in html


# --- the global search --------------------------------------------------------------------------------------------


def search(user, q: str, **extra) -> str:
    response = client_of(user).get(reverse("search"), {"q": q, **extra})
    assert response.status_code == 200
    return response.content.decode()


def test_global_search_never_shows_another_tenants_work(world_a, world_b):
    own = self_of(world_a, title="Zlatokopské sebehodnocení Alfa", internal_notes="Poznámka zlatokopů")
    published = audit_of(world_a, state=State.PUBLISHED, assessed=48, title="Zlatokopský audit Alfa")
    plan = make_plan(world_a.provider, service=world_a.service, title="Zlatokopský plán Alfa")
    links = [
        f'href="{own.get_absolute_url()}"',
        f'href="{published.get_absolute_url()}"',
        f'href="{plan.get_absolute_url()}"',
        f'href="{world_a.provider.get_absolute_url()}"',
    ]
    for user in (
        world_b.user(P, Role.ADMIN),
        world_b.user(R, Role.NETWORK_MANAGER),
        world_b.user(A, Role.AUDITOR),
        world_b.user(M, Role.ADMIN),
        world_b.user(MIN, Role.ADMIN),
    ):
        for q in ("Zlatokop", "Tajná organizace Alfa", "Domov Alfa"):
            for group in ("", "assessments", "plans", "organisations"):
                text = search(user, q, **({"skupina": group} if group else {}))
                for link in links:
                    assert link not in text, (user, q, group, link)
                assert "Zlatokopský audit" not in text and "Zlatokopský plán" not in text


def test_global_search_shows_the_region_only_published_work(world_a):
    self_of(world_a, title="Zlatokopské sebehodnocení Alfa")
    audit_of(world_a, state=State.IN_REVIEW, assessed=48, title="Zlatokopský rozpracovaný audit")
    make_plan(world_a.provider, service=world_a.service, title="Zlatokopský plán Alfa")
    audit_of(world_a, state=State.PUBLISHED, assessed=48, title="Zlatokopský zveřejněný audit")
    text = search(world_a.region_manager, "Zlatokop")
    assert "Zlatokopský zveřejněný audit" in text
    for secret in ("Zlatokopské sebehodnocení Alfa", "Zlatokopský rozpracovaný audit", "Zlatokopský plán Alfa"):
        assert secret not in text


def test_global_search_never_matches_working_notes_or_findings(world_a):
    audit = audit_of(world_a, state=State.PUBLISHED, assessed=48, title="Audit", internal_notes="Kryptonit")
    result = audit.results.first()
    result.internal_note = "Kryptonit"
    result.comment = "Kryptonit"
    result.save()
    make_finding(result, text="Kryptonit")
    for user in (world_a.user(P, Role.ADMIN), world_a.region_manager, world_a.user(A, Role.AUDITOR)):
        text = search(user, "Kryptonit")
        assert f'href="{audit.get_absolute_url()}"' not in text


def test_global_search_anonymous_sees_public_registry_data_only(world_a):
    audit_of(world_a, state=State.PUBLISHED, assessed=48, title="Zlatokopský audit Alfa")
    text = search(None, "Zlatokop")
    assert "Zlatokopský audit Alfa" not in text
    text = search(None, "Tajná organizace")
    assert "Tajná organizace Alfa" not in text


@pytest.mark.parametrize("group", ["<script>", "x" * 5000, "assessments'--", "services\x00"])
def test_global_search_odd_group_parameter(world_a, group):
    response = client_of(world_a.user()).get(reverse("search"), {"q": "Domov", "skupina": group})
    assert response.status_code in (200, 400)
    assert "<script>" not in response.content.decode().split("</head>", 1)[-1].replace("<script src=", "")


# --- dashboards ---------------------------------------------------------------------------------------------------


def dashboard(user) -> str:
    response = client_of(user).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_region_dashboard_shows_no_other_region_and_no_unpublished_work(world_a, world_b):
    audit_of(world_b, state=State.PUBLISHED, assessed=48, title="Zveřejněný audit Beta")
    audit_of(world_a, state=State.IN_REVIEW, assessed=48, title="Rozpracovaný audit Alfa")
    self_of(world_a, title="Sebehodnocení Alfa v práci")
    audit_of(world_a, state=State.PUBLISHED, assessed=48, title="Zveřejněný audit Alfa")
    make_plan(world_b.provider, service=world_b.service, title="Plán Beta")
    text = dashboard(world_a.region_manager)
    assert "Zveřejněný audit Alfa" in text
    for secret in ("Zveřejněný audit Beta", "Rozpracovaný audit Alfa", "Sebehodnocení Alfa v práci", "Plán Beta"):
        assert secret not in text
    for user in (world_a.user(M, Role.ADMIN), world_a.user(MIN, Role.ADMIN), world_b.user(MIN, Role.ADMIN)):
        text = dashboard(user)
        for secret in ("Rozpracovaný audit Alfa", "Sebehodnocení Alfa v práci", "Tajná organizace Beta provider"):
            assert secret not in text, user


def test_auditor_dashboard_lists_only_its_own_bodys_audits(world_a, world_b):
    audit_of(world_a, state=State.IN_PROGRESS, title="Audit Alfa pro auditora Alfa")
    text = dashboard(world_b.user(A, Role.AUDITOR))
    assert "Audit Alfa pro auditora Alfa" not in text
    assert "Audit Alfa pro auditora Alfa" in dashboard(world_a.user(A, Role.AUDITOR))


# --- registry filter endpoints, place sections, public check ------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"orp": "²"},
        {"orp": "٣"},
        {"orp": "9" * 9},
        {"orp": "-1"},
        {"region": "<script>alert(1)</script>"},
        {"municipality": "a" * 100_000},
        {"q": "(" * 5000 + "a"},
        {"municipality": " " * 90 + "(x"},
        {"format": "json", "municipality": "Obec%' OR 1=1 --"},
    ],
)
def test_registry_filter_endpoints_survive_odd_input(tenant_a, params):
    client = client_of(tenant_a.user(R, Role.NETWORK_MANAGER))
    for name in ("registry:catalogue_orps", "registry:municipality_suggestions"):
        response = client.get(reverse(name), params)
        assert response.status_code == 200, (name, params)
        assert "<script>alert" not in response.content.decode()


def test_registry_filter_endpoints_need_a_login(tenant_a):
    for name in ("registry:catalogue_orps", "registry:municipality_suggestions"):
        assert Client().get(reverse(name), {"q": "Obec"}).status_code == 302


def test_catalogue_municipality_filter_with_odd_digits(tenant_a):
    client = client_of(tenant_a.user(R, Role.NETWORK_MANAGER))
    for value in ("²", "9" * 100, " " * 90 + "(x)"):
        response = client.get(reverse("registry:catalogue"), {"municipality": value, "orp": "²"})
        assert response.status_code == 200, value


def _secret_facility_service(tenant):
    from qmss.registry.testing import make_provider, make_service

    provider = make_provider("Azylová pomoc z. s.")
    service = make_service(provider, name="Azylový dům pro matky s dětmi", facilities=[{"region": tenant.region}])
    facility = service.facilities.get()
    facility.street, facility.house_number, facility.postal_code = "Skrytá", "77", "76999"
    facility.municipality = tenant.municipality
    facility.municipality_code = tenant.municipality.code
    facility.secret_address = True
    facility.save()
    return service


def test_public_check_does_not_find_a_service_by_its_secret_address(tenant_a):
    """A facility whose address is not published (a shelter) must not be found – nor confirmed – by its street,
    house number or postal code: the search would tell anyone where the shelter is."""
    from qmss.registry.cache import bump_version

    _secret_facility_service(tenant_a)
    bump_version()
    client = Client()
    found = client.get(reverse("registration_check"), {"q": "Azylový dům"}).content.decode()
    assert "Azylový dům pro matky s dětmi" in found
    assert "Skrytá" not in found and "76999" not in found
    for probe in ("Skrytá 77", "Skryta", "76999"):
        response = client.get(reverse("registration_check"), {"q": probe})
        assert response.context["found"] is False, probe
        text = search(None, probe)
        assert "Azylový dům" not in text, probe


def test_global_search_lists_no_place_of_a_secret_facility(tenant_a):
    from qmss.registry.cache import bump_version

    _secret_facility_service(tenant_a)
    bump_version()
    text = search(tenant_a.user(P, Role.ADMIN), "Azylový dům")
    assert "Azylový dům pro matky s dětmi" in text
    assert tenant_a.municipality.name not in text


@pytest.mark.parametrize("name", ["assessments:list", "assessments:create"])
def test_assessment_pages_with_odd_digits_in_the_query(world_a, name):
    """``"²".isdigit()`` is true but ``int("²")`` fails: a digit check must not let it through to ``int``."""
    client = client_of(world_a.user())
    for value in ("²", "٣", "9" * 30):
        response = client.get(reverse(name), {"service": value, "organisation": value})
        assert response.status_code == 200, value


def test_the_plain_transition_post_cannot_skip_the_publish_and_send_back_confirmation(world_a):
    audit = audit_of(world_a, assessed=8)
    client = client_of(world_a.user(A, Role.AUDITOR))
    for target, page in ((State.PUBLISHED, "publish"), (State.IN_PROGRESS, "send_back")):
        response = client.post(url("transition", audit), {"to_state": target, "confirm": "1", "partial": "on"})
        assert response.status_code == 302 and response["Location"] == url(page, audit)
        audit.refresh_from_db()
        assert audit.state == State.IN_REVIEW and not audit.partial


def test_incomplete_audit_is_not_published_without_the_partial_flag_and_reason(world_a):
    audit = audit_of(world_a, assessed=8)
    client = client_of(world_a.user(A, Role.AUDITOR))
    for data in (
        {"confirm": "1"},
        {"confirm": "1", "partial": "on"},
        {"confirm": "1", "partial": "on", "partial_reason": "   "},
    ):
        assert client.post(url("publish", audit), data).status_code == 200
        audit.refresh_from_db()
        assert audit.state == State.IN_REVIEW
    response = api_transition(
        with_token(csrf_client(world_a.user(A, Role.AUDITOR))), audit, {"to_state": "published", "partial": True}
    )
    assert response.status_code == 400
    audit.refresh_from_db()
    assert audit.state == State.IN_REVIEW


def test_place_sections_never_show_a_secret_address(tenant_a):
    _secret_facility_service(tenant_a)
    municipality = tenant_a.municipality
    for path in (
        reverse("territory:municipality", kwargs={"municipality_code": municipality.code}),
        reverse("territory:orp", kwargs={"orp_code": municipality.orp.ruian_code}),
    ):
        for user in (None, tenant_a.user(R, Role.NETWORK_MANAGER)):
            text = client_of(user).get(path).content.decode()
            assert "Azylový dům pro matky s dětmi" in text, (path, user)
            assert "Skrytá" not in text and "76999" not in text, (path, user)


def test_confirmation_pages_escape_names(world_a):
    audit = audit_of(world_a, assessed=48, title='<img src=x onerror="alert(1)">')
    text = client_of(world_a.user(A, Role.AUDITOR)).get(url("publish", audit)).content.decode()
    assert "<img src=x" not in text and "&lt;img src=x" in text
