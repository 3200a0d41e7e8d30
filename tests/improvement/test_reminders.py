"""E-mail digests of overdue and upcoming actions, and the dashboard block."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qmss.core.models import Membership
from qmss.core.roles import Role
from qmss.improvement.models import Action, ActionReminder, DevelopmentPlan
from qmss.improvement.tasks import deliver_action_reminders, send_action_reminders
from qmss.improvement.testing import make_action, make_plan

pytestmark = pytest.mark.django_db


def _actions(world):
    today = timezone.localdate()
    plan = make_plan(world.provider)
    late = make_action(plan, title="Aktualizovat pravidla", deadline=today - timedelta(days=3), owner=world.editor)
    soon = make_action(plan, title="Proškolit tým", deadline=today + timedelta(days=5), owner=world.editor)
    make_action(plan, title="Daleko", deadline=today + timedelta(days=30), owner=world.editor)
    make_action(plan, title="Hotovo", deadline=today - timedelta(days=3), owner=world.editor, status="done")
    make_action(plan, title="Cizí", deadline=today, owner=world.admin)
    closed = make_plan(world.provider, state=DevelopmentPlan.State.CLOSED)
    make_action(closed, title="Uzavřený plán", deadline=today - timedelta(days=1), owner=world.editor)
    return late, soon


def test_digest_per_owner_once_a_day(world, django_capture_on_commit_callbacks):
    _actions(world)
    with django_capture_on_commit_callbacks(execute=True):  # e-mail goes out after commit
        assert deliver_action_reminders() == 2
    assert len(mail.outbox) == 2
    message = next(m for m in mail.outbox if m.to == [world.editor.email])
    assert "Aktualizovat pravidla" in message.body and "Proškolit tým" in message.body
    assert "Daleko" not in message.body and "Hotovo" not in message.body and "Uzavřený plán" not in message.body
    assert "/rozvoj/opatreni/" in message.body
    # idempotent: a second run on the same day sends nothing
    assert deliver_action_reminders() == 0
    assert len(mail.outbox) == 2
    assert ActionReminder.objects.filter(sent_on=timezone.localdate()).count() == 2
    # the next day it is sent again
    assert deliver_action_reminders(timezone.localdate() + timedelta(days=1)) == 2


def test_command_and_task(world, django_capture_on_commit_callbacks):
    _actions(world)
    out = StringIO()
    call_command("improvement_reminders", "--dry-run", stdout=out)
    assert "would send 2" in out.getvalue() and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):  # e-mail goes out after commit
        send_action_reminders.enqueue()  # the immediate backend in tests
    assert len(mail.outbox) == 2
    call_command("improvement_reminders", stdout=out)
    assert "sent 0" in out.getvalue()


def test_owner_without_email_is_skipped(world):
    world.editor.email = ""
    world.editor.save()
    _actions(world)
    assert deliver_action_reminders() == 1


def test_dashboard_shows_overdue_and_upcoming(world):
    late, soon = _actions(world)
    response = world.client(world.editor).get(reverse("home"))
    body = response.content.decode()
    assert late.title in body and soon.title in body
    assert "Daleko" not in body and "Uzavřený plán" not in body
    assert reverse("improvement:plan_list", kwargs={"organisation_pk": world.provider.pk}) in body


def test_dashboard_adds_one_query_for_all_panels(world, world_b):
    """The user belongs to two providers: the actions of both come in one query, whatever their number."""
    Membership.objects.create(user=world.editor, organisation=world_b.provider, role=Role.EDITOR)
    client = world.client(world.editor)
    url = reverse("home")
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return sum(1 for q in ctx.captured_queries if "improvement_action" in q["sql"])

    assert count() == 1
    for plan in (make_plan(world.provider), make_plan(world_b.provider)):
        for i in range(6):
            make_action(plan, title=f"Úkol {i}", deadline=timezone.localdate() - timedelta(days=i))
    assert count() == 1
    body = client.get(url).content.decode()
    assert body.count("Úkol 0") == 2  # one per panel
    assert Action.objects.count() == 12
