"""Round reminders: sent once, the set number of days before the deadline, to the provider's fillers only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from qmss.needs import actions_rounds as actions
from qmss.needs.models import Submission
from qmss.needs.reminders_rounds import deliver_round_reminders
from qmss.needs.testing_rounds import GOOD_VALUES
from tests.needs.rounds_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant_a, tenant_b):
    world = build_world(tenant_a, tenant_b, others=2)
    world.round.deadline = timezone.localdate() + timedelta(days=5)
    world.round.reminder_days = 7
    world.round.save()
    actions.open_round(user=world.manager, round=world.round)
    return world


def test_reminders_sent_once_to_editors_of_the_provider(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = deliver_round_reminders()
    assert sent == 3  # the three services of A's provider (the other provider has no QMSS organisation)
    assert len(mail.outbox) == 3
    recipients = set(mail.outbox[0].to)
    assert world.editor.email in recipients and world.reader.email not in recipients
    assert "Domov Jasmín" in "".join(m.subject + m.body for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_round_reminders() == 0
    assert len(mail.outbox) == 3
    assert Submission.objects.filter(round=world.round, reminded_at__isnull=False).count() == 3


def test_no_reminder_before_the_window_or_after_submission(world, django_capture_on_commit_callbacks):
    early = timezone.localdate() - timedelta(days=3)  # 8 days before the deadline
    assert deliver_round_reminders(early) == 0
    sub = world.submission()
    actions.save_values(user=world.editor, submission=sub, values=GOOD_VALUES)
    actions.submit(user=world.editor, submission=sub)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_round_reminders() == 2
    sub.refresh_from_db()
    assert sub.reminded_at is None


def test_command_dry_run(world, capsys):
    call_command("needs_reminders", "--dry-run")
    assert "would send 3" in capsys.readouterr().out
    assert not mail.outbox
