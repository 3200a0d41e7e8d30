"""E-mail digests of overdue and upcoming actions: each responsible person gets one e-mail a day listing their
open actions that are overdue or due within 7 days (actions of closed plans are left out).

Idempotent per day: a sent digest is recorded in :class:`~qmss.improvement.models.ActionReminder`, and a second
run on the same day skips that person. Run daily: ``qmss improvement_reminders`` or the django-tasks task
:data:`send_action_reminders`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from qmss.core.mail import send_after_commit
from qmss.improvement.models import Action, ActionReminder, DevelopmentPlan
from qmss.improvement.selectors import UPCOMING_DAYS


def due_actions(today: date) -> dict[int, list[Action]]:
    """Open actions due by ``today + 7 days`` whose responsible person has an e-mail, grouped by user id."""
    grouped: dict[int, list[Action]] = defaultdict(list)
    rows = (
        Action.objects.filter(
            status__in=Action.OPEN_STATUSES,
            deadline__lte=today + timedelta(days=UPCOMING_DAYS),
            owner__isnull=False,
            owner__is_active=True,
        )
        .exclude(owner__email="")
        .exclude(plan__state=DevelopmentPlan.State.CLOSED)
        .select_related("owner", "plan", "plan__organisation")
        .order_by("owner_id", "deadline", "pk")
    )
    for action in rows:
        grouped[action.owner_id].append(action)
    return grouped


def deliver_action_reminders(today: date | None = None, *, dry_run: bool = False) -> int:
    """Send the day's digests; returns how many e-mails were sent (or would be, with ``dry_run``)."""
    today = today or timezone.localdate()
    grouped = due_actions(today)
    if not grouped:
        return 0
    already = set(ActionReminder.objects.filter(sent_on=today, user_id__in=grouped).values_list("user_id", flat=True))
    base_url = getattr(settings, "QMSS_BASE_URL", "").rstrip("/")
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user_id, items in grouped.items():
            if user_id in already:
                continue
            user = items[0].owner
            overdue = [a for a in items if a.deadline < today]
            upcoming = [a for a in items if a.deadline >= today]
            if dry_run:
                sent += 1
                continue
            try:
                with transaction.atomic():
                    ActionReminder.objects.create(user=user, sent_on=today, action_count=len(items))
            except IntegrityError:
                continue  # another worker sent it a moment ago
            context = {"user": user, "overdue": overdue, "upcoming": upcoming, "today": today, "base_url": base_url}
            send_after_commit(
                subject=_("Development-plan actions: %(overdue)s overdue, %(upcoming)s due soon")
                % {"overdue": len(overdue), "upcoming": len(upcoming)},
                message=render_to_string("improvement/email/action_reminder.txt", context),
                recipient_list=[user.email],
            )
            sent += 1
    return sent


@task()
def send_action_reminders() -> int:
    """The daily digest as a django-tasks task (``send_action_reminders.enqueue()``)."""
    return deliver_action_reminders()
