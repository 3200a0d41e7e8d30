"""Writes of the reports part: a member of the public submits a report; the staff of the region's authority move
it through its workflow. Keyword-only typed arguments, one transaction each (``@audit.action``), permissions from
:mod:`qmss.portal.permissions`; refusals are ``PermissionDenied`` or ``ValidationError`` with a
:class:`~qmss.portal.error_codes.PortalErrorCode`.

States::

    received → checking → closed (with an outcome)
        └──────────────→ closed → checking (reopened)

A new report notifies the members of the region's authority by e-mail after commit; the e-mail carries only a
link to the report, never the reporter's details nor the report's text.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core.mail import send_after_commit
from qmss.core.scoping import Scope
from qmss.portal import permissions
from qmss.portal import selectors_reports as selectors
from qmss.portal.error_codes import PortalErrorCode as Code
from qmss.portal.models import UnregisteredReport
from qmss.territory.models import Municipality

State = UnregisteredReport.State
Outcome = UnregisteredReport.Outcome

MOVES: dict[str, tuple[str, ...]] = {
    State.RECEIVED: (State.CHECKING, State.CLOSED),
    State.CHECKING: (State.CLOSED,),
    State.CLOSED: (State.CHECKING,),
}
LIMITS = {
    "service_name": 200,
    "place": 300,
    "what_happened": 3000,
    "when": 200,
    "reporter_name": 150,
    "reporter_email": 254,
    "reporter_phone": 30,
    "note": 2000,
}


def _refuse(message: str, code: Code, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=code.value)
    return ValidationError({field: error}) if field else error


def _bounded(value: str, field: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _refuse(_("This field is required."), Code.INVALID_VALUE, field)
    if len(text) > LIMITS[field]:
        raise _refuse(
            _("The text is too long (at most %(n)s characters).") % {"n": LIMITS[field]}, Code.INVALID_VALUE, field
        )
    return text


@audit.action
def submit_report(
    *,
    municipality: Municipality,
    service_name: str,
    what_happened: str,
    place: str = "",
    when: str = "",
    anonymous: bool = False,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
) -> UnregisteredReport:
    """A public report; the region is the municipality's. An anonymous report stores no contact at all."""
    contact = {
        name: "" if anonymous else _bounded(value, name)
        for name, value in (
            ("reporter_name", reporter_name),
            ("reporter_email", reporter_email),
            ("reporter_phone", reporter_phone),
        )
    }
    report = UnregisteredReport.objects.create(
        region_id=municipality.region_id,
        municipality=municipality,
        service_name=_bounded(service_name, "service_name", required=True),
        place=_bounded(place, "place"),
        what_happened=_bounded(what_happened, "what_happened", required=True),
        when=_bounded(when, "when"),
        anonymous=bool(anonymous),
        **contact,
    )
    _notify_inbox(report)
    return report


def _notify_inbox(report: UnregisteredReport) -> None:
    """One e-mail per member of the region's authority: a link only (no report text, no personal data)."""
    url = f"{settings.QMSS_BASE_URL.rstrip('/')}{report.get_absolute_url()}"
    subject = _("New report of a suspected unregistered social service")
    message = _(
        "A new report of a suspected unregistered social service has arrived in your region's inbox in QMSS.\n\n"
        "Open it after logging in: %(url)s\n\n"
        "For the protection of personal data this e-mail contains no details of the report."
    ) % {"url": url}
    for email in selectors.inbox_recipients(report.region_id):
        send_after_commit(subject=subject, message=message, recipient_list=[email])


@audit.action
def move_report(
    *, scope: Scope, report: UnregisteredReport, to_state: str, outcome: str = "", note: str = ""
) -> UnregisteredReport:
    """Move a report to ``to_state``; closing needs an outcome (and a note when the outcome is "other")."""
    locked = UnregisteredReport.objects.select_for_update().get(pk=report.pk)
    if not permissions.can_see_report(scope, locked):
        raise PermissionDenied(_("This report is not in your region's inbox."))
    if not permissions.can_handle_report(scope, locked):
        raise PermissionDenied(_("Only editors and administrators of the regional authority handle reports."))
    if to_state not in MOVES.get(locked.state, ()):
        raise _refuse(_("The report cannot move to this state now."), Code.INVALID_STATE, "to_state")
    note = _bounded(note, "note")
    if to_state == State.CLOSED:
        if outcome not in Outcome.values:
            raise _refuse(_("Choose the outcome of the check."), Code.INVALID_VALUE, "outcome")
        if outcome == Outcome.OTHER and not note:
            raise _refuse(_("Describe the outcome in the note."), Code.INVALID_VALUE, "note")
        locked.outcome = outcome
        locked.closed_at = timezone.now()
    else:
        locked.outcome = ""
        locked.closed_at = None
    locked.state = to_state
    locked.outcome_note = note
    locked.handled_by_id = scope.user_id
    locked.save(update_fields=["state", "outcome", "outcome_note", "closed_at", "handled_by", "updated_at"])
    return locked
