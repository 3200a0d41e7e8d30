"""UX polish of issue #9 (helper "polish"): partial audits are marked outside their own page, and the smaller
fixes of the review."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

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
