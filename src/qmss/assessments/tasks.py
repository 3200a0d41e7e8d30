"""Background work of assessments: e-mail reminders about expiring evidence (``qmss evidence_reminders``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from qmss.assessments.models import Evidence
from qmss.assessments.selectors import EXPIRY_EXPIRED, EXPIRY_SOON, expiry_status
from qmss.core.mail import send_after_commit
from qmss.core.models import Membership
from qmss.core.roles import Role


def due_evidence(today: date | None = None) -> dict[int, list[Evidence]]:
    """Evidence that has expired or falls within its reminder window, grouped by organisation id."""
    today = today or timezone.localdate()
    grouped: dict[int, list[Evidence]] = defaultdict(list)
    for item in (
        Evidence.objects.filter(expires_on__isnull=False)
        .select_related("organisation")
        .order_by("organisation_id", "expires_on", "pk")
    ):
        item.status = expiry_status(item, today)
        if item.status in (EXPIRY_EXPIRED, EXPIRY_SOON):
            item.days_left = (item.expires_on - today).days
            grouped[item.organisation_id].append(item)
    return grouped


def send_evidence_reminders(today: date | None = None, *, dry_run: bool = False) -> int:
    """E-mail the administrators of each organisation a list of its expired and expiring evidence.

    Returns the number of e-mails sent (or that would be sent with ``dry_run``).
    """
    grouped = due_evidence(today)
    if not grouped:
        return 0
    admins: dict[int, list[str]] = defaultdict(list)
    for organisation_id, email in (
        Membership.objects.filter(organisation_id__in=grouped, role=Role.ADMIN, user__is_active=True)
        .exclude(user__email="")
        .values_list("organisation_id", "user__email")
    ):
        if email not in admins[organisation_id]:
            admins[organisation_id].append(email)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for organisation_id, items in grouped.items():
            recipients = admins.get(organisation_id)
            if not recipients:
                continue
            organisation = items[0].organisation
            context = {"organisation": organisation, "items": items, "today": today or timezone.localdate()}
            if not dry_run:
                send_after_commit(
                    subject=_("Evidence of %(organisation)s is expiring") % {"organisation": organisation.name},
                    message=render_to_string("assessments/email/evidence_reminder.txt", context),
                    recipient_list=recipients,
                )
            sent += 1
    return sent


@task()
def evidence_reminders_task() -> int:
    """The reminders as a django-tasks task (enqueue daily, e.g. from cron: ``qmss evidence_reminders``)."""
    return send_evidence_reminders()
