"""UX polish of issue #9 (helper "polish"): partial audits are marked outside their own page, and the smaller
fixes of the review."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from qmss.assessments.dashboard_region import region_columns
from qmss.assessments.models import Assessment
from qmss.assessments.partial import partial_notes
from qmss.assessments.testing import make_assessment
from qmss.core.roles import OrganisationKind, Role

Kind, State = Assessment.Kind, Assessment.State
BADGE = re.compile(r'<span class="badge badge--partial" data-partial>[^<]*\b3\b[^<]*\b48\b[^<]*</span>')


def _partial_audit(world, *, partial=True, title="Částečný audit"):
    return make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.PUBLISHED,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.audit_body,
        fill={"1a": "1", "1b": "2", "1c": "1"},
        title=title,
        partial=partial,
        partial_reason="Jen část" if partial else "",
    )


# --- 1. partial audits are marked in the lenses, the region's list and the ministry's counts -----------------------


def test_partial_note_counts_the_assessed_criteria(world):
    audit = _partial_audit(world)
    complete = _partial_audit(world, partial=False, title="Celý")
    notes = partial_notes([audit, complete])
    assert set(notes) == {audit.pk}
    assert "3" in notes[audit.pk] and "48" in notes[audit.pk]


def test_lenses_mark_a_partial_audit(world):
    _partial_audit(world)
    url = reverse("assessments:lenses", kwargs={"service_portal_id": world.service.portal_id})
    body = world.client(world.provider_reader).get(url).content.decode()
    assert len(BADGE.findall(body)) == 2  # the audit's column and its row in the history table


def test_lenses_do_not_mark_a_complete_audit(world):
    _partial_audit(world, partial=False)
    url = reverse("assessments:lenses", kwargs={"service_portal_id": world.service.portal_id})
    assert "data-partial" not in world.client(world.provider_reader).get(url).content.decode()


def test_region_dashboard_marks_a_partial_audit(world):
    _partial_audit(world)
    client = Client()
    client.force_login(world.user(OrganisationKind.REGION, Role.NETWORK_MANAGER))
    body = client.get("/").content.decode()
    assert "Částečný audit" in body and BADGE.search(body)


def test_ministry_audit_counts_say_how_many_are_partial(world):
    _partial_audit(world)
    _partial_audit(world, partial=False, title="Celý")
    (column,) = region_columns([world.tenant.region.pk])
    assert column.total == 2 and "1" in column.note and column.note


def test_ministry_audit_counts_without_partial_audits_have_no_note(world):
    _partial_audit(world, partial=False)
    (column,) = region_columns([world.tenant.region.pk])
    assert column.total == 1 and column.note == ""


# --- 2. the registry's service page leads to the service's quality ---------------------------------------------------


def _registry_page(world, user):
    url = reverse("registry:service", kwargs={"service_portal_id": world.service.portal_id})
    response = world.client(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_registry_service_page_leads_members_to_the_quality_of_the_service(world):
    _partial_audit(world)
    make_assessment(world.provider, service=world.service, framework=world.framework, title="Rozpracované")
    body = _registry_page(world, world.provider_reader)
    assert 'id="quality-heading"' in body
    assert reverse("assessments:service_workspace", args=[world.service.portal_id]) in body
    assert reverse("assessments:lenses", args=[world.service.portal_id]) in body
    assert "Částečný audit" in body and "data-partial" in body
    assert "Rozpracované" not in body  # drafts are not listed


def test_registry_service_page_shows_no_quality_to_outsiders(world, tenant_b):
    _partial_audit(world)
    outsider = tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN)
    body = _registry_page(world, outsider)
    assert 'id="quality-heading"' not in body
    assert "Částečný audit" not in body
    assert reverse("assessments:lenses", args=[world.service.portal_id]) not in body


def test_registry_service_page_query_budget(world):
    from qmss.testing.queries import assert_constant_queries

    client = world.client(world.provider_reader)
    url = reverse("registry:service", kwargs={"service_portal_id": world.service.portal_id})

    def grow(n):
        while Assessment.objects.filter(service=world.service).count() < n:
            _partial_audit(world, partial=n % 2 == 0, title=f"Audit {n}")

    assert_constant_queries(
        lambda: client.get(url), grow, count=Assessment.objects.filter(service=world.service), small=2, large=12
    )


# --- 3. the ministry's overview explains services in no region and regions missing from the data -------------------


def test_ministry_overview_explains_services_without_region_and_empty_regions(db):
    from qmss.registry.testing import make_service
    from qmss.testing.factories import make_org, make_region, make_user

    with_services, _empty = make_region("CZ010", "Hlavní město Praha"), make_region("CZ020", "Středočeský kraj")
    ministry = make_org(OrganisationKind.MINISTRY, "Ministerstvo (test)", region=with_services)
    make_service(name="V Praze", facilities=[{"region": with_services}])
    make_service(name="Bez místa")
    make_service(name="Taky bez místa")
    client = Client()
    client.force_login(make_user("ministr", org=ministry, role=Role.READER))
    response = client.get("/")
    (section,) = [s for p in response.context["panels"] for s in p.sections if s.key == "registry-national"]
    assert section.context["without_region"] == 2 and section.context["national"].services == 3
    table = response.content.decode().split('id="dash-registry-national')[1]
    assert table.count("data-missing-region") == 1  # Středočeský kraj only
    assert "data-without-region" in table


def test_ministry_overview_has_no_footnote_when_every_service_lies_in_a_region(db):
    from qmss.registry.testing import make_service
    from qmss.testing.factories import make_org, make_region, make_user

    region = make_region("CZ010", "Hlavní město Praha")
    ministry = make_org(OrganisationKind.MINISTRY, "Ministerstvo (test)", region=region)
    make_service(name="V Praze", facilities=[{"region": region}])
    client = Client()
    client.force_login(make_user("ministr", org=ministry, role=Role.READER))
    body = client.get("/").content.decode()
    assert "data-without-region" not in body and "data-missing-region" not in body


# --- 4. after "Add finding" back to the criterion; "Saved" in the row a plain save returns to ----------------------


def _in_progress(world):
    return make_assessment(world.provider, service=world.service, framework=world.framework, state=State.IN_PROGRESS)


def _criterion(world, ref="2a"):
    return world.framework.requirements.get(ref_id=ref)


def _result_url(assessment, requirement):
    return reverse("assessments:result_edit", kwargs={"assessment_pk": assessment.pk, "requirement_pk": requirement.pk})


def test_add_finding_returns_to_the_criterion_page(world):
    from qmss.assessments.models import Finding

    assessment, criterion = _in_progress(world), _criterion(world)
    client = world.client(world.provider_editor)
    url = reverse("assessments:finding_add", kwargs={"assessment_pk": assessment.pk, "requirement_pk": criterion.pk})
    response = client.post(url, {"kind": Finding.Kind.MINOR, "text": "Chybí záznam"})
    assert response.status_code == 302
    assert response["Location"] == f"{_result_url(assessment, criterion)}#findings"
    detail = assessment.get_absolute_url()
    response = client.post(url, {"kind": Finding.Kind.MINOR, "text": "Další", "next": detail})
    assert response["Location"] == f"{_result_url(assessment, criterion)}?next={detail.replace('/', '%2F')}#findings"
    response = client.post(url, {"kind": Finding.Kind.MINOR, "text": "Zlá", "next": "https://evil.example/"})
    assert "evil" not in response["Location"]
    # the inline form of the assessment page returns to that page's row
    response = client.post(url, {"kind": Finding.Kind.MINOR, "text": "Z řádku", "from": "assessment"})
    assert response["Location"] == f"{detail}#criterion-{criterion.pk}"
    assert 'name="from" value="assessment"' in client.get(detail).content.decode()


def test_plain_save_shows_saved_in_the_row_it_returns_to_once(world):
    assessment, criterion = _in_progress(world), _criterion(world)
    client = world.client(world.provider_editor)
    detail = assessment.get_absolute_url()
    response = client.post(_result_url(assessment, criterion), {"value": "", "comment": "x", "next": detail})
    assert response["Location"] == f"{detail}#criterion-{criterion.pk}"
    body = client.get(detail).content.decode()
    row = body.split(f'id="criterion-{criterion.pk}"')[1].split("</tr>")[0]
    assert "data-saved" in row and body.count("data-saved") == 1
    assert "data-saved" not in client.get(detail).content.decode()  # once


def test_plain_save_to_the_entry_page_marks_the_row_saved(world):
    assessment, criterion = _in_progress(world), _criterion(world)
    client = world.client(world.provider_editor)
    response = client.post(_result_url(assessment, criterion), {"value": "", "comment": "x"})
    body = client.get(response["Location"].split("#")[0]).content.decode()
    assert body.count("entry-row--saved") == 1
    form = body.split(f'<form id="criterion-{criterion.pk}"')[1].split("</form>")[0]
    assert "entry-row__saved" in form


# --- 6. a published assessment's entry page says why it cannot be changed ---------------------------------------


def test_entry_page_of_a_published_assessment_redirects_with_a_reason(world, tenant_b):
    assessment = make_assessment(
        world.provider, service=world.service, framework=world.framework, state=State.PUBLISHED
    )
    url = reverse("assessments:entry", kwargs={"assessment_pk": assessment.pk})
    response = world.client(world.provider_editor).get(url, follow=True)
    assert response.redirect_chain == [(assessment.get_absolute_url(), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        gettext("A published assessment can no longer be changed.")
    ]
    # those who may not see the assessment learn nothing about it
    outsider = world.client(tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN))
    assert outsider.get(url).status_code == 404
