"""The provider's and the auditor's dashboard panels, and "Moje služby" (the services of an organisation and the
workspace of one service): what they show, to whom, and in how many queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qmss.assessments import actions
from qmss.assessments.models import Assessment, Evidence
from qmss.assessments.testing import make_assessment, make_evidence, make_finding
from qmss.core.models import Invitation
from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope
from qmss.improvement.models import Action
from qmss.improvement.testing import make_action, make_plan
from qmss.registry.models import Service
from qmss.registry.testing import make_service
from qmss.testing.queries import assert_constant_queries
from tests.assessments.conftest import World

Kind, State = Assessment.Kind, Assessment.State
HOME = "/"


@pytest.fixture
def world_b(tenant_b, framework) -> World:
    return World.build(tenant_b, framework)


def _workspace(service) -> str:
    return reverse("assessments:service_workspace", kwargs={"service_portal_id": service.portal_id})


def _services(org) -> str:
    return reverse("assessments:organisation_services", kwargs={"organisation_pk": org.pk})


# --- the provider's panel --------------------------------------------------------------------------------------


def test_provider_sees_its_linked_services_with_the_latest_states(world):
    make_assessment(world.provider, service=world.service, framework=world.framework, title="Staré sebehodnocení")
    latest = make_assessment(
        world.provider,
        service=world.service,
        framework=world.framework,
        state=State.PUBLISHED,
        title="Nové sebehodnocení",
    )
    audit = make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.IN_REVIEW,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.audit_body,
    )
    body = world.client(world.provider_reader).get(HOME).content.decode()
    assert world.service.name in body
    assert _workspace(world.service) in body
    assert latest.get_absolute_url() in body and audit.get_absolute_url() in body
    assert str(State.PUBLISHED.label) in body and str(State.IN_REVIEW.label) in body  # latest self-assessment, audit
    assert Assessment.objects.get(title="Staré sebehodnocení").get_absolute_url() not in body
    assert _services(world.provider) in body  # "My services"


def test_a_service_without_self_assessment_offers_to_start_one(world):
    start = f"?kind=self&amp;service={world.service.portal_id}"
    assert start in world.client(world.provider_editor).get(HOME).content.decode()
    assert start in world.client(world.provider_editor).get(_services(world.provider)).content.decode()
    assert start not in world.client(world.provider_reader).get(HOME).content.decode()


def test_unlinked_organisation_sees_what_to_do_next(tenant_a):
    provider = tenant_a.orgs[OrganisationKind.PROVIDER]
    client = World.logged_in(tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN))
    body = client.get(HOME).content.decode()
    link_url = reverse("registry:organisation_link", kwargs={"organisation_pk": provider.pk})
    assert link_url in body
    assert _services(provider) not in body  # nothing to list before the link
    page = client.get(_services(provider)).content.decode()
    assert link_url in page


def test_readiness_alerts_and_pending_invitations(world):
    self_assessment = make_assessment(
        world.provider, service=world.service, framework=world.framework, fill={"1a": "0", "2a": "3"}
    )
    assert self_assessment.results.count() == 2
    make_evidence(world.provider, title="Prošlá směrnice", store=False, expires_on=timezone.localdate() - timedelta(1))
    published = make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.PUBLISHED,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.audit_body,
        fill={"1a": "1"},
    )
    make_finding(published.results.get(), kind="major_nc", text="Neshoda")
    draft = make_assessment(world.provider, kind=Kind.AUDIT, service=world.service, framework=world.framework)
    invited = make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.IN_PROGRESS,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.audit_body,
        title="Čeká na auditora",
    )
    admin_body = world.client(world.provider_admin).get(HOME).content.decode()
    assert reverse("assessments:readiness", kwargs={"organisation_pk": world.provider.pk}) in admin_body
    assert 'id="dash-' in admin_body and "-readiness" in admin_body
    assert draft.get_absolute_url() in admin_body
    assert reverse("assessments:invite_auditor", kwargs={"assessment_pk": draft.pk}) in admin_body
    assert invited.get_absolute_url() in admin_body and world.audit_body.name in admin_body
    open_invitations = Invitation.objects.filter(organisation=world.provider).count()
    assert open_invitations >= 1
    assert f"{world.provider.get_absolute_url()}#invitations" in admin_body
    # a reader neither invites auditors nor members
    reader_body = world.client(world.provider_reader).get(HOME).content.decode()
    assert reverse("assessments:invite_auditor", kwargs={"assessment_pk": draft.pk}) not in reader_body
    assert f"{world.provider.get_absolute_url()}#invitations" not in reader_body


def test_readiness_counts_match_the_readiness_page(world):
    """The dashboard counts what :func:`inspection_readiness` lists (criteria without evidence, essential ones
    without a result, expired documents, nonconformities)."""
    from qmss.assessments.dashboard_provider import provider_overviews
    from qmss.assessments.readiness import REASON_NO_RESULT, inspection_readiness

    make_assessment(world.provider, service=world.service, framework=world.framework, fill={"1a": "0", "2a": "3"})
    make_evidence(world.provider, store=False, expires_on=timezone.localdate() - timedelta(1))
    make_evidence(world.provider, store=False, expires_on=timezone.localdate() + timedelta(5))
    scope = Scope.for_user(world.provider_admin)
    page = inspection_readiness(scope, world.provider)
    alerts = provider_overviews(scope, [world.provider.pk])[world.provider.pk].readiness
    assert alerts.without_evidence == len(page.without_evidence)
    assert alerts.expired == len(page.expired) == 1
    assert alerts.expiring == len(page.expiring) == 1
    assert alerts.nonconformities == len(page.nonconformities)
    no_result = sum(1 for row in page.essential_at_risk if REASON_NO_RESULT in row.reasons)
    assert alerts.essential_unassessed == no_result > 0


def test_overdue_actions_moved_into_the_improvement_section(world):
    plan = make_plan(world.provider, title="Plán rozvoje")
    late = make_action(plan, title="Opožděný úkol", deadline=timezone.localdate() - timedelta(days=3))
    body = world.client(world.provider_editor).get(HOME).content.decode()
    assert late.title in body
    assert reverse("improvement:plan_list", kwargs={"organisation_pk": world.provider.pk}) in body


# --- the auditor's panel ---------------------------------------------------------------------------------------


def test_auditor_sees_an_audit_right_after_being_invited(world):
    audit = make_assessment(
        world.provider, kind=Kind.AUDIT, service=world.service, framework=world.framework, title="Audit Alfa 2026"
    )
    client = world.client(world.auditor)
    assert audit.get_absolute_url() not in client.get(HOME).content.decode()
    actions.invite_auditor(
        scope=Scope.for_user(world.provider_admin),
        assessment=audit,
        auditing_organisation=world.audit_body,
        user=world.provider_admin,
    )
    body = client.get(HOME).content.decode()
    assert audit.get_absolute_url() in body
    assert world.service.name in body and world.provider.name in body
    assert str(State.IN_PROGRESS.label) in body


def test_auditor_sees_an_audit_assigned_by_the_region(world):
    audit = actions.assign_audit(
        scope=Scope.for_user(world.region_manager),
        region_organisation=world.region_org,
        service=world.service,
        auditing_organisation=world.audit_body,
        user=world.region_manager,
    )
    body = world.client(world.auditor).get(HOME).content.decode()
    assert audit.get_absolute_url() in body
    assert world.region_org.name in body


def test_audits_of_another_body_never_appear(world, world_b):
    foreign = make_assessment(
        world_b.provider,
        kind=Kind.AUDIT,
        state=State.IN_PROGRESS,
        service=world_b.service,
        framework=world.framework,
        auditing_organisation=world_b.audit_body,
        title="Cizí audit Beta",
    )
    body = world.client(world.auditor).get(HOME).content.decode()
    assert foreign.title not in body and world_b.service.name not in body


# --- tenancy ---------------------------------------------------------------------------------------------------


def test_a_foreign_providers_services_never_appear(world, world_b):
    """Tenant B's provider sees its own service, never A's: not on the dashboard, not on its services page, and
    A's workspace and services page are not found."""
    secret = make_assessment(
        world.provider, service=world.service, framework=world.framework, title="Tajné sebehodnocení Alfa"
    )
    client_b = world_b.client(world_b.user(OrganisationKind.PROVIDER, Role.ADMIN))
    for url in (HOME, _services(world_b.provider)):
        body = client_b.get(url).content.decode()
        assert world_b.service.name in body
        assert world.service.name not in body and secret.title not in body
    assert client_b.get(_workspace(world.service)).status_code == 404
    assert client_b.get(_services(world.provider)).status_code == 404


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (OrganisationKind.REGION, Role.NETWORK_MANAGER),
        (OrganisationKind.AUDIT_BODY, Role.AUDITOR),
        (OrganisationKind.MINISTRY, Role.READER),
        (OrganisationKind.MUNICIPALITY, Role.ADMIN),
    ],
)
def test_other_tenants_cannot_open_the_workspace(world, world_b, kind, role):
    client_b = world_b.client(world_b.user(kind, role))
    assert client_b.get(_workspace(world.service)).status_code == 404
    assert client_b.get(_services(world.provider)).status_code == 404


# --- the workspace ---------------------------------------------------------------------------------------------


def test_workspace_links_the_work_of_the_service(world):
    own = make_assessment(world.provider, service=world.service, framework=world.framework, title="Sebehodnocení A")
    plan = make_plan(world.provider, title="Plán služby", service=world.service)
    body = world.client(world.provider_editor).get(_workspace(world.service)).content.decode()
    assert own.get_absolute_url() in body
    assert reverse("assessments:lenses", kwargs={"service_portal_id": world.service.portal_id}) in body
    assert reverse("assessments:readiness", kwargs={"organisation_pk": world.provider.pk}) in body
    assert reverse("improvement:plan_list", kwargs={"organisation_pk": world.provider.pk}) in body
    assert plan.get_absolute_url() in body
    start = f"{reverse('assessments:create')}?kind=self&amp;service={world.service.portal_id}"
    assert start in body
    # the link opens the create form with the service chosen
    form = world.client(world.provider_editor).get(start.replace("&amp;", "&")).content.decode()
    assert f'value="{world.service.pk}" selected' in form


def test_workspace_for_a_reader_and_for_the_region(world):
    draft = make_assessment(world.provider, service=world.service, framework=world.framework, title="Rozpracované")
    published = make_assessment(
        world.provider, service=world.service, framework=world.framework, state=State.PUBLISHED, title="Zveřejněné"
    )
    reader = world.client(world.provider_reader).get(_workspace(world.service)).content.decode()
    assert draft.title in reader and "?kind=self" not in reader
    region = world.client(world.region_manager)
    response = region.get(_workspace(world.service))
    assert response.status_code == 200
    body = response.content.decode()
    assert published.title in body and draft.title not in body  # the region reads published assessments only
    assert reverse("improvement:plan_list", kwargs={"organisation_pk": world.provider.pk}) not in body
    assert region.get(_services(world.provider)).status_code == 404  # members only
    ministry = world.client(world.user(OrganisationKind.MINISTRY, Role.READER))
    assert ministry.get(_workspace(world.service)).status_code == 404


def test_organisation_page_links_my_services(world):
    body = world.client(world.provider_reader).get(world.provider.get_absolute_url()).content.decode()
    assert _services(world.provider) in body


# --- query budgets ---------------------------------------------------------------------------------------------


def _grow_services(world, n):
    provider = world.service.provider
    for i in range(Service.objects.filter(provider=provider).count(), n):
        service = make_service(provider, name=f"Služba {i:02d}", facilities=[{"region": world.tenant.region}])
        make_assessment(world.provider, service=service, framework=world.framework, title=f"Sebehodnocení {i}")
        make_assessment(
            world.provider,
            kind=Kind.AUDIT,
            state=State.IN_PROGRESS,
            service=service,
            framework=world.framework,
            auditing_organisation=world.audit_body,
            title=f"Audit {i}",
        )
        make_evidence(world.provider, store=False, expires_on=timezone.localdate() - timedelta(days=i + 1))
        plan = make_plan(world.provider, title=f"Plán {i}")
        make_action(plan, title=f"Úkol {i}", deadline=timezone.localdate() - timedelta(days=1))


def test_dashboard_is_constant_in_services_assessments_and_actions(world):
    make_assessment(world.provider, service=world.service, framework=world.framework, fill="2")
    client = world.client(world.provider_admin)
    assert_constant_queries(
        lambda: client.get(HOME),
        lambda n: _grow_services(world, n),
        count=Service.objects.filter(provider=world.service.provider),
        small=2,
        large=9,  # more than the 5 actions and fewer than the 10 services a panel lists
        max_queries=25,
    )
    assert Action.objects.count() >= 8 and Evidence.objects.count() >= 8


def test_auditor_dashboard_is_constant_in_audits(world):
    client = world.client(world.auditor)

    def grow(n):
        for i in range(Assessment.objects.filter(auditing_organisation=world.audit_body).count(), n):
            make_assessment(
                world.provider,
                kind=Kind.AUDIT,
                state=State.IN_PROGRESS,
                service=world.service,
                framework=world.framework,
                auditing_organisation=world.audit_body,
                title=f"Audit {i}",
            )

    assert_constant_queries(
        lambda: client.get(HOME),
        grow,
        count=Assessment.objects.filter(auditing_organisation=world.audit_body),
        small=1,
        large=8,
        max_queries=15,
    )


def test_services_page_is_constant(world):
    client = world.client(world.provider_reader)
    assert_constant_queries(
        lambda: client.get(_services(world.provider)),
        lambda n: _grow_services(world, n),
        count=Service.objects.filter(provider=world.service.provider),
        small=2,
        large=20,
        max_queries=15,
    )


def test_workspace_is_constant(world):
    client = world.client(world.provider_editor)

    def grow(n):
        for i in range(Assessment.objects.filter(service=world.service).count(), n):
            kind = (Kind.SELF, Kind.AUDIT, Kind.INSPECTION)[i % 3]
            make_assessment(
                world.provider,
                kind=kind,
                service=world.service,
                framework=world.framework,
                title=f"Hodnocení {i}",
                auditing_organisation=world.audit_body if kind == Kind.AUDIT else None,
            )
            make_plan(world.provider, title=f"Plán {i}", service=world.service)

    assert_constant_queries(
        lambda: client.get(_workspace(world.service)),
        grow,
        count=Assessment.objects.filter(service=world.service),
        small=1,
        large=30,
        max_queries=15,
    )


def test_anonymous_is_sent_to_log_in(world):
    for url in (_workspace(world.service), _services(world.provider)):
        response = Client().get(url)
        assert response.status_code == 302 and "prihlaseni" in response["Location"]


def test_assessment_page_leads_back_to_the_service_workspace_for_the_provider_only(world):
    audit = make_assessment(world.provider, kind=Kind.AUDIT, service=world.service, framework=world.framework)
    actions.invite_auditor(
        scope=Scope.for_user(world.provider_admin),
        assessment=audit,
        auditing_organisation=world.audit_body,
        user=world.provider_admin,
    )
    link = f'href="{_workspace(world.service)}"'
    assert link in world.client(world.provider_admin).get(audit.get_absolute_url()).content.decode()
    # the auditor cannot open the workspace: no dead link for them
    assert link not in world.client(world.auditor).get(audit.get_absolute_url()).content.decode()


def test_start_a_self_assessment_preselects_the_services_own_provider(world):
    """A member of several provider organisations starting from a service gets that service's provider chosen,
    not the first organisation in the list (which would refuse the service)."""
    from qmss.core.models import Membership
    from qmss.testing.factories import make_org

    editor = world.provider_admin
    first = make_org(OrganisationKind.PROVIDER, "Aaa první poskytovatel", region=world.provider.region)
    Membership.objects.create(user=editor, organisation=first, role=Role.ADMIN)
    url = reverse("assessments:create") + f"?kind=self&service={world.service.portal_id}"
    body = world.client(editor).get(url).content.decode()
    organisations = re.search(r'<select name="organisation".*?</select>', body, re.S).group(0)
    assert f'<option value="{world.provider.pk}" selected>' in organisations
    assert f'<option value="{first.pk}" selected>' not in organisations


def test_new_assessment_form_cancels_back_to_the_service_and_marks_its_fields(world):
    editor = world.provider_admin
    body = world.client(editor).get(reverse("assessments:create") + f"?service={world.service.portal_id}").content
    body = body.decode()
    assert re.search(rf'<a href="{re.escape(_workspace(world.service))}">[^<]+</a></div>', body)
    assert 'data-field="inspection_type"' in body and "js/assessment-create.js" in body
    plain = world.client(editor).get(reverse("assessments:create")).content.decode()
    assert re.search(rf'<a href="{re.escape(reverse("assessments:list"))}">[^<]+</a></div>', plain)
