"""Writes of the kind cards (karta druhu služby) and their consultation. Keyword-only arguments, one transaction
each (``@audit.action``: every change is in the audit log with the acting user), the permission checked inside.

Who may do what:
- staff with ``Perm.EDIT`` in a regional authority of the card's region: create a draft (from the QMSS model card
  or the region's published version), edit it (also while in consultation – the audit log keeps the history),
  open the consultation, record meetings, settle comments, publish;
- editors of a provider organisation the consultation was sent to: comment while it is open.

Refusals are ``PermissionDenied`` or ``ValidationError`` with a code of :class:`NeedsErrorCode`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core.mail import send_after_commit
from qmss.core.models import Membership, Organisation
from qmss.core.roles import ROLE_PERMS, OrganisationKind, Perm
from qmss.core.scoping import Scope
from qmss.needs import selectors_cards as selectors
from qmss.needs.error_codes import NeedsErrorCode as Code
from qmss.needs.models import CardComment, Consultation, ConsultationMeeting, KindCard, KindCardNeed, Need
from qmss.registry.models import BasicActivity, CapacityType, ServiceKind
from qmss.territory.models import Region

EDITABLE_STATES = (KindCard.State.DRAFT, KindCard.State.CONSULTATION)
MAX_TEXT = 5000


@dataclass
class NeedLine:
    """One need of a card as the edit form gives it."""

    need: Need
    activities: Sequence[BasicActivity] = field(default_factory=list)
    note: str = ""


def _invalid(message: str, code: Code, field_name: str | None = None) -> ValidationError:
    error = ValidationError(message, code=code.value)
    return ValidationError({field_name: error}) if field_name else error


def _require_region(scope: Scope, region_id: int | None) -> None:
    if not selectors.can_edit_region(scope, region_id):
        raise PermissionDenied


def _require_editable(card: KindCard) -> None:
    if card.region_id is None or card.state not in EDITABLE_STATES:
        raise _invalid(_("Only a draft card or a card in consultation can be changed."), Code.INVALID_STATE)


def _authority(scope: Scope, region: Region) -> Organisation:
    """The regional authority the user acts for in ``region`` (any for a superuser)."""
    orgs = Organisation.objects.filter(kind=OrganisationKind.REGION, region=region).order_by("pk")
    if not scope.is_superuser:
        orgs = orgs.filter(pk__in=scope.organisation_ids(Perm.EDIT))
    organisation = orgs.first()
    if organisation is None:
        raise PermissionDenied
    return organisation


def _copy_content(source: KindCard, card: KindCard) -> None:
    card.activities.set(source.activities.all())
    for line in source.needs.prefetch_related("activities").order_by("order", "pk"):
        copied = KindCardNeed.objects.create(card=card, need=line.need, note=line.note, order=line.order)
        copied.activities.set(line.activities.all())


# --- drafts ----------------------------------------------------------------------------------------------


@audit.action
def create_draft(*, scope: Scope, region: Region, kind: ServiceKind) -> KindCard:
    """A new draft of the region's card of ``kind``: a copy of its published version, else of the QMSS model card,
    else an empty card on the current needs taxonomy. One draft (or consultation) per region and kind at a time."""
    _require_region(scope, region.pk)
    organisation = _authority(scope, region)
    if selectors.region_cards(region).filter(kind=kind, state__in=EDITABLE_STATES).exists():
        raise _invalid(
            _("The region already has a draft or a consultation of this kind's card; continue with it."),
            Code.DUPLICATE,
        )
    source = selectors.published_card(region, kind) or selectors.model_card(kind)
    taxonomy = source.taxonomy if source else selectors.current_taxonomy()
    if taxonomy is None:
        raise _invalid(_("No needs taxonomy is published yet."), Code.NO_TAXONOMY)
    latest = KindCard.objects.filter(region=region, kind=kind).aggregate(latest=Max("version"))["latest"] or 0
    card = KindCard.objects.create(
        region=region,
        organisation=organisation,
        kind=kind,
        version=latest + 1,
        state=KindCard.State.DRAFT,
        taxonomy=taxonomy,
        purpose=source.purpose if source else "",
        public_expectations=source.public_expectations if source else "",
        capacity_type=source.capacity_type if source else None,
        source=source.source if source else "",
        verified=source.verified if source else False,
        based_on=source,
        created_by_id=scope.user_id,
    )
    if source is not None:
        _copy_content(source, card)
    return card


@audit.action
def update_draft(
    *,
    scope: Scope,
    card: KindCard,
    purpose: str,
    public_expectations: str,
    capacity_type: CapacityType | None,
    activities: Iterable[BasicActivity],
    needs: Iterable[NeedLine],
) -> KindCard:
    """Replace the card's texts, unit, basic activities and needs (with their activities and notes)."""
    _require_region(scope, card.region_id)
    _require_editable(card)
    activities = list(activities)
    allowed = set(card.kind.activities.values_list("pk", flat=True))
    if any(activity.pk not in allowed for activity in activities):
        raise _invalid(_("Choose only basic activities of the service kind."), Code.INVALID_VALUE, "activities")
    chosen = {activity.pk for activity in activities}
    lines = list(needs)
    need_ids = [line.need.pk for line in lines]
    if len(set(need_ids)) != len(need_ids):
        raise _invalid(_("A need is listed twice."), Code.DUPLICATE, "needs")
    if any(line.need.taxonomy_id != card.taxonomy_id for line in lines):
        raise _invalid(_("Choose needs of the card's taxonomy."), Code.INVALID_VALUE, "needs")
    for line in lines:
        if any(activity.pk not in chosen for activity in line.activities):
            message = _("The need “{need}” is answered by an activity the card does not list.").format(
                need=line.need.name
            )
            raise _invalid(message, Code.INVALID_VALUE, "needs")
        if len(line.note) > MAX_TEXT:
            raise _invalid(_("A note is too long."), Code.INVALID_VALUE, "needs")
    card.purpose = purpose.strip()
    card.public_expectations = public_expectations.strip()
    card.capacity_type = capacity_type
    card.full_clean()
    card.save()
    card.activities.set(activities)
    existing = {line.need_id: line for line in card.needs.all()}
    keep = set()
    for order, line in enumerate(lines, start=1):
        row = existing.get(line.need.pk)
        if row is None:
            row = KindCardNeed.objects.create(card=card, need=line.need, note=line.note.strip(), order=order)
        elif row.note != line.note.strip() or row.order != order:
            row.note = line.note.strip()
            row.order = order
            row.save()
        row.activities.set(list(line.activities))
        keep.add(row.pk)
    for row in existing.values():
        if row.pk not in keep:
            row.delete()  # one audit entry each
    return card


# --- consultation ----------------------------------------------------------------------------------------


def _notify(consultation: Consultation, recipients: list[Organisation]) -> None:
    """One e-mail to the editors of each provider asked (after commit)."""
    base_url = getattr(settings, "QMSS_BASE_URL", "").rstrip("/")
    url = base_url + reverse("needs:card_detail", kwargs={"kind_card_pk": consultation.card_id})
    editor_roles = [role for role, perms in ROLE_PERMS.items() if Perm.EDIT in perms]
    emails: dict[int, set[str]] = {}
    rows = Membership.objects.filter(
        organisation__in=recipients, role__in=editor_roles, user__is_active=True
    ).values_list("organisation_id", "user__email")
    for organisation_id, email in rows:
        if email:
            emails.setdefault(organisation_id, set()).add(email)
    card = consultation.card
    for organisation in recipients:
        addresses = sorted(emails.get(organisation.pk, ()))
        if not addresses:
            continue
        context = {"consultation": consultation, "card": card, "organisation": organisation, "url": url}
        send_after_commit(
            subject=_("Consultation of the card of %(kind)s") % {"kind": card.kind.name},
            message=render_to_string("needs/cards/email/consultation_opened.txt", context),
            recipient_list=addresses,
        )


@audit.action
def open_consultation(*, scope: Scope, card: KindCard, message: str, deadline: date | None) -> Consultation:
    """Send the draft to the providers of the region whose verified registry provider has a service of the kind."""
    _require_region(scope, card.region_id)
    if card.state != KindCard.State.DRAFT or Consultation.objects.filter(card=card).exists():
        raise _invalid(_("Only a draft card can be sent to consultation, and only once."), Code.INVALID_STATE)
    if deadline is not None and deadline < timezone.localdate():
        raise _invalid(_("The deadline must not be in the past."), Code.INVALID_VALUE, "deadline")
    recipients = list(selectors.consultation_candidates(card.region, card.kind))
    if not recipients:
        raise _invalid(
            _("No provider organisation verified in QMSS has a service of this kind in the region."),
            Code.NOT_IN_SCOPE,
        )
    consultation = Consultation.objects.create(
        card=card,
        organisation=card.organisation or _authority(scope, card.region),
        message=message.strip(),
        deadline=deadline,
        opened_by_id=scope.user_id,
    )
    consultation.recipients.set(recipients)
    card.state = KindCard.State.CONSULTATION
    card.save(update_fields=["state"])
    _notify(consultation, recipients)
    return consultation


def _require_open(consultation: Consultation) -> None:
    if consultation.closed_at is not None or consultation.card.state != KindCard.State.CONSULTATION:
        raise _invalid(_("The consultation is closed."), Code.INVALID_STATE)


@audit.action
def record_meeting(
    *, scope: Scope, consultation: Consultation, date: date, place: str, attendees: str, outcome: str
) -> ConsultationMeeting:
    _require_region(scope, consultation.card.region_id)
    values = {"place": place.strip(), "attendees": attendees.strip(), "outcome": outcome.strip()}
    for name, value in values.items():
        if not value:
            raise _invalid(_("This field is required."), Code.INVALID_VALUE, name)
    meeting = ConsultationMeeting(consultation=consultation, date=date, created_by_id=scope.user_id, **values)
    meeting.full_clean()
    meeting.save()
    return meeting


@audit.action
def add_comment(
    *,
    scope: Scope,
    consultation: Consultation,
    organisation: Organisation,
    field: str,
    text: str,
    need: Need | None = None,
) -> CardComment:
    """A provider's comment on the card, per need or field; only an editor of a provider asked, while it is open."""
    if (
        not scope.has_perm(Perm.EDIT, organisation.pk)
        or not consultation.recipients.filter(pk=organisation.pk).exists()
    ):
        raise PermissionDenied
    _require_open(consultation)
    if consultation.deadline is not None and consultation.deadline < timezone.localdate():
        raise _invalid(_("The deadline for comments has passed."), Code.INVALID_STATE)
    if field not in CardComment.Field.values:
        raise _invalid(_("Choose what the comment is about."), Code.INVALID_VALUE, "field")
    if field == CardComment.Field.NEED:
        if need is None or need.taxonomy_id != consultation.card.taxonomy_id:
            raise _invalid(_("Choose the need the comment is about."), Code.INVALID_VALUE, "need")
    else:
        need = None
    text = text.strip()
    if not text:
        raise _invalid(_("Write the comment."), Code.INVALID_VALUE, "text")
    if len(text) > MAX_TEXT:
        raise _invalid(_("The comment is too long."), Code.INVALID_VALUE, "text")
    return CardComment.objects.create(
        consultation=consultation, organisation=organisation, author_id=scope.user_id, field=field, need=need, text=text
    )


@audit.action
def settle_comment(*, scope: Scope, comment: CardComment, status: str, reason: str) -> CardComment:
    """Accept or reject a comment; a rejection needs its reason."""
    _require_region(scope, comment.consultation.card.region_id)
    if comment.consultation.closed_at is not None:
        raise _invalid(_("The consultation is closed."), Code.INVALID_STATE)
    if status not in (CardComment.Status.ACCEPTED, CardComment.Status.REJECTED):
        raise _invalid(_("Choose whether the comment is accepted or rejected."), Code.INVALID_VALUE, "status")
    reason = reason.strip()
    if status == CardComment.Status.REJECTED and not reason:
        raise _invalid(_("Give the reason for rejecting the comment."), Code.INVALID_VALUE, "reason")
    comment.status = status
    comment.reason = reason
    comment.settled_by_id = scope.user_id
    comment.settled_at = timezone.now()
    comment.save()
    return comment


# --- publishing ------------------------------------------------------------------------------------------


def publish_refusal(card: KindCard) -> tuple[str, Code] | None:
    """Why the card cannot be published now, with the error code (None when it can)."""
    if card.region_id is None or card.state not in EDITABLE_STATES:
        return _("Only a draft card or a card in consultation can be published."), Code.INVALID_STATE
    if (
        card.state == KindCard.State.CONSULTATION
        and CardComment.objects.filter(consultation__card=card, status=CardComment.Status.OPEN).exists()
    ):
        return _("Settle every comment of the consultation before publishing the card."), Code.OPEN_COMMENTS
    if not card.needs.exists():
        return _("The card lists no need yet."), Code.INVALID_VALUE
    return None


@audit.action
def publish_card(*, scope: Scope, card: KindCard) -> KindCard:
    """The card becomes the region's published version; the previous published version is superseded and the
    consultation closed. Refused while comments await settlement."""
    _require_region(scope, card.region_id)
    card = KindCard.objects.select_for_update().get(pk=card.pk)
    refusal = publish_refusal(card)
    if refusal:
        raise _invalid(*refusal)
    now = timezone.now()
    today = timezone.localdate()
    for previous in KindCard.objects.filter(region=card.region, kind=card.kind, state=KindCard.State.PUBLISHED):
        previous.state = KindCard.State.SUPERSEDED
        previous.valid_to = today
        previous.save(update_fields=["state", "valid_to"])
    consultation = Consultation.objects.filter(card=card).first()
    if consultation is not None and consultation.closed_at is None:
        consultation.closed_at = now
        consultation.save(update_fields=["closed_at"])
    card.state = KindCard.State.PUBLISHED
    card.valid_from = today
    card.valid_to = None
    card.published_at = now
    card.published_by_id = scope.user_id
    card.save(update_fields=["state", "valid_from", "valid_to", "published_at", "published_by"])
    return card
