"""Reminders of data-collection rounds: ``reminder_days`` before the deadline of an open round, the members who
may fill in (admins and editors) of the provider organisation of every report still being filled in or returned
get one e-mail per report – once (``Submission.reminded_at``; a second run skips it).

Run daily: ``qmss needs_reminders`` or the django-tasks task :data:`send_round_reminders`.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from qmss.core.formatting import format_date
from qmss.core.mail import send_after_commit
from qmss.core.models import Membership
from qmss.core.roles import ROLE_PERMS, Perm
from qmss.needs.models import CollectionRound, Submission
from qmss.needs.selectors_rounds import OPEN_STATES

FILLING_ROLES = [role for role, perms in ROLE_PERMS.items() if Perm.EDIT in perms]


def due_submissions(today: date) -> list[Submission]:
    """Reports of open rounds in their reminder window (deadline − reminder days … deadline), not yet reminded."""
    rows = (
        Submission.objects.filter(
            state__in=OPEN_STATES,
            reminded_at__isnull=True,
            round__state=CollectionRound.State.OPEN,
            round__deadline__gte=today,
            service__provider__link__isnull=False,
        )
        .select_related("round", "service", "service__provider__link")
        .order_by("round__deadline", "pk")
    )
    return [s for s in rows if s.round.deadline - timedelta(days=s.round.reminder_days) <= today]


def _recipients(organisation_ids) -> dict[int, list[str]]:
    rows = (
        Membership.objects.filter(
            organisation_id__in=list(organisation_ids), role__in=FILLING_ROLES, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("organisation_id", F("user__email"))
        .order_by("organisation_id", "user__email")
    )
    result: dict[int, list[str]] = {}
    for organisation_id, email in rows:
        result.setdefault(organisation_id, []).append(email)
    return result


def deliver_round_reminders(today: date | None = None, *, dry_run: bool = False) -> int:
    """Send the due reminders; returns how many e-mails were sent (or would be, with ``dry_run``)."""
    today = today or timezone.localdate()
    due = due_submissions(today)
    if not due:
        return 0
    recipients = _recipients({s.service.provider.link.organisation_id for s in due})
    base_url = getattr(settings, "QMSS_BASE_URL", "").rstrip("/")
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for submission in due:
            emails = recipients.get(submission.service.provider.link.organisation_id)
            if not emails:
                continue
            if dry_run:
                sent += 1
                continue
            with transaction.atomic():
                claimed = Submission.objects.filter(pk=submission.pk, reminded_at__isnull=True).update(
                    reminded_at=timezone.now()
                )
                if not claimed:
                    continue  # another worker reminded it a moment ago
                context = {
                    "submission": submission,
                    "round": submission.round,
                    "url": base_url + reverse("needs:submission_detail", kwargs={"submission_pk": submission.pk}),
                }
                send_after_commit(
                    subject=_("Report due by %(deadline)s: %(service)s")
                    % {"deadline": format_date(submission.round.deadline), "service": submission.service},
                    message=render_to_string("needs/rounds/email/reminder.txt", context),
                    recipient_list=emails,
                )
            sent += 1
    return sent


@task()
def send_round_reminders() -> int:
    """The daily reminders as a django-tasks task (``send_round_reminders.enqueue()``)."""
    return deliver_round_reminders()
