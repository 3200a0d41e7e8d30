"""The assessments API, evidence reminders (command and task) and the stats source."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command

from qmss.assessments.models import Assessment
from qmss.assessments.tasks import evidence_reminders_task, send_evidence_reminders
from qmss.assessments.testing import make_assessment, make_evidence, make_finding, make_result
from qmss.core.roles import OrganisationKind, Role
from qmss.core.stats import collect_stats

Kind, State = Assessment.Kind, Assessment.State
API = "/api/v1/assessments/"


def test_api_lists_published_assessments_visible_to_the_caller(world, tenant_b):
    published = make_assessment(
        world.provider,
        service=world.service,
        framework=world.framework,
        state=State.PUBLISHED,
        title="Zveřejněné sebehodnocení",
    )
    make_assessment(world.provider, framework=world.framework, title="Koncept")
    assert world.client(None).get(API).json() == []
    rows = world.client(world.provider_reader).get(API).json()
    assert [row["id"] for row in rows] == [published.pk]
    assert rows[0]["service_portal_id"] == world.service.portal_id and rows[0]["framework"] == "SQSS v1"
    assert world.client(world.region_manager).get(API).json()[0]["id"] == published.pk
    assert world.client(tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN)).get(API).json() == []


def test_api_detail_has_results_without_working_notes(world, tenant_b):
    audit = make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.PUBLISHED,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.audit_body,
        internal_notes="TAJNÁ-POZNÁMKA",
        fill="2",
    )
    result = make_result(audit, "1a", "1", internal_note="PRACOVNÍ-POZNÁMKA", comment="Veřejný komentář")
    make_finding(result, text="Neshoda v 1a", measure="Doplnit postup", deadline=date(2030, 1, 1))
    url = f"{API}{audit.pk}"
    for user in (world.auditor, world.provider_reader, world.region_manager):
        response = world.client(user).get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert "TAJNÁ-POZNÁMKA" not in text and "PRACOVNÍ-POZNÁMKA" not in text
    data = world.client(world.provider_reader).get(url).json()
    assert data["total"] == "95.00" or float(data["total"]) == 95
    assert data["passed"] is False  # essential 1a below 2
    first = data["results"][0]
    assert first["ref_id"] == "1a" and first["failed_essential"] and first["comment"] == "Veřejný komentář"
    assert first["findings"][0]["text"] == "Neshoda v 1a"
    assert len(data["results"]) == 48 and len(data["standards"]) == 15
    assert world.client(None).get(url).status_code == 404
    assert world.client(tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN)).get(url).status_code == 404
    draft = make_assessment(world.provider, framework=world.framework)
    assert world.client(world.provider_admin).get(f"{API}{draft.pk}").status_code == 404


def test_evidence_reminders_email_the_admins(world, django_capture_on_commit_callbacks):
    today = date(2026, 5, 1)
    make_evidence(world.provider, title="Končící pojištění", store=False, expires_on=today + timedelta(days=5))
    make_evidence(world.provider, title="Prošlé oprávnění", store=False, expires_on=today - timedelta(days=1))
    make_evidence(world.provider, title="Ještě dlouho", store=False, expires_on=today + timedelta(days=90))
    make_evidence(
        world.provider,
        title="Krátké upozornění",
        store=False,
        expires_on=today + timedelta(days=5),
        remind_days_before=3,
    )
    assert send_evidence_reminders(today, dry_run=True) == 1 and not mail.outbox
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # e-mail goes out after commit
        call_command("evidence_reminders", "--date", today.isoformat(), stdout=out)
    assert "1" in out.getvalue()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.provider_admin.email]
    assert "Končící pojištění" in message.body and "Prošlé oprávnění" in message.body
    assert "Ještě dlouho" not in message.body and "Krátké upozornění" not in message.body


def test_reminder_task_runs(world, django_capture_on_commit_callbacks):
    make_evidence(world.provider, store=False, expires_on=date.today() - timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        result = evidence_reminders_task.enqueue()
    assert result.return_value == 1
    assert len(mail.outbox) == 1


def test_stats(world):
    make_assessment(world.provider, framework=world.framework)
    stats = collect_stats()
    assert stats["assessments"] == 1 and stats["evidence"] == 0
