"""Writes of provider service cards and of the minimum form of a kind. Keyword-only typed arguments, one
transaction each (``@audit.action``), permission-checked inside; refusals are ``ValidationError`` with a code
from :class:`qmss.needs.error_codes.NeedsErrorCode`.

- :func:`create_card` opens a service's card for a period, pre-filled from the organisation's card of the
  latest previous period (same responses, activities and notes, ``prefilled_from`` set), else empty.
- :func:`save_card` stores the responses (all at once); ``confirm=True`` confirms the card (every need
  answered). Changing a confirmed card without confirming returns it to draft (``SaveResult.returned_to_draft``).
- :func:`confirm_minimum_form` stores the region's minimum form of a kind as its next version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmss.core import audit
from qmss.core.models import Organisation
from qmss.core.roles import Perm
from qmss.core.scoping import Scope
from qmss.needs import selectors_service_cards as selectors
from qmss.needs.error_codes import NeedsErrorCode as Code
from qmss.needs.models import MinimumForm, Need, ServiceCard, ServiceCardResponse
from qmss.registry.models import Service, ServiceKind
from qmss.territory.models import Region

NOTE_LENGTH = 1000
RESPONSES = frozenset(ServiceCardResponse.Response.values)
BASIC = ServiceCardResponse.Response.BASIC_ACTIVITY


@dataclass(frozen=True)
class ResponseInput:
    """One row of the card as submitted: ``response`` empty = not answered yet."""

    response: str = ""
    activity_id: int | None = None
    note: str = ""


@dataclass
class SaveResult:
    card: ServiceCard
    changed: bool
    returned_to_draft: bool


def _scope(user) -> Scope:
    return Scope.for_user(user)


def activity_required_message(need) -> str:
    return _("Need “%(need)s”: choose which of the kind's basic activities addresses it.") % {"need": need}


def activity_not_of_kind_message(need) -> str:
    return _("Need “%(need)s”: the chosen basic activity does not belong to the service's kind.") % {"need": need}


# --- service cards -------------------------------------------------------------------------------------------


@audit.action
def create_card(*, user, organisation: Organisation, service: Service, year: int) -> ServiceCard:
    """The service's card for ``year``, pre-filled from the organisation's latest earlier card."""
    scope = _scope(user)
    if not scope.has_perm(Perm.EDIT, organisation.pk):
        raise PermissionDenied
    if not selectors.provider_services(organisation).filter(pk=service.pk).exists():
        raise ValidationError(
            _("The service is not one of the organisation's registered services."), code=Code.NOT_IN_SCOPE.value
        )
    if not selectors.valid_year(year):
        raise ValidationError(_("Choose a period between 2000 and next year."), code=Code.INVALID_VALUE.value)
    if ServiceCard.objects.filter(service=service, year=year).exists():
        raise ValidationError(_("The service already has a card for this period."), code=Code.DUPLICATE.value)
    kind_card = selectors.kind_card_for(selectors.service_region_id(service), service.kind)
    taxonomy = kind_card.taxonomy if kind_card is not None else selectors.current_taxonomy()
    if taxonomy is None:
        raise ValidationError(_("No needs taxonomy has been published yet."), code=Code.NO_TAXONOMY.value)
    previous = selectors.previous_card(service, organisation, year)
    card = ServiceCard.objects.create(
        service=service,
        organisation=organisation,
        year=year,
        kind_card=kind_card,
        taxonomy=taxonomy,
        prefilled_from=previous,
    )
    if previous is not None:
        _prefill(card, previous)
    return card


def _prefill(card: ServiceCard, previous: ServiceCard) -> None:
    """Copy the previous card's answers to the needs the new card lists (matched by need code)."""
    old = {r.need.code: r for r in previous.responses.select_related("need")}
    allowed = set(selectors.kind_activities(card.service, card.kind_card).values_list("pk", flat=True))
    rows = []
    for need in selectors.card_needs(card):
        source = old.get(need.code)
        if source is None:
            continue
        activity_id = source.activity_id if source.activity_id in allowed else None
        rows.append(
            ServiceCardResponse(
                card=card,
                need=need,
                response=source.response,
                activity_id=activity_id if source.response == BASIC else None,
                note=source.note,
            )
        )
    ServiceCardResponse.objects.bulk_create(rows)


def _check_rows(card: ServiceCard, needs: list[Need], responses: Mapping[int, ResponseInput]) -> None:
    known = {need.pk for need in needs}
    unknown = set(responses) - known
    if unknown:
        raise ValidationError(_("The card has no such need."), code=Code.UNKNOWN_ELEMENT.value)
    allowed = set(selectors.kind_activities(card.service, card.kind_card).values_list("pk", flat=True))
    errors = []
    for need in needs:
        row = responses.get(need.pk)
        if row is None:
            continue
        if row.response and row.response not in RESPONSES:
            errors.append(ValidationError(_("Unknown response."), code=Code.INVALID_VALUE.value))
        elif row.response == BASIC and row.activity_id is None:
            errors.append(ValidationError(activity_required_message(need), code=Code.INVALID_VALUE.value))
        elif row.response == BASIC and row.activity_id not in allowed:
            errors.append(ValidationError(activity_not_of_kind_message(need), code=Code.INVALID_VALUE.value))
        if len(row.note) > NOTE_LENGTH:
            message = _("Need “%(need)s”: the note may have at most %(n)s characters.") % {
                "need": need,
                "n": NOTE_LENGTH,
            }
            errors.append(ValidationError(message, code=Code.INVALID_VALUE.value))
    if errors:
        raise ValidationError(errors)


@audit.action
def save_card(*, user, card: ServiceCard, responses: Mapping[int, ResponseInput], confirm: bool = False) -> SaveResult:
    """Store the card's answers (need pk -> :class:`ResponseInput`; a need left out keeps its answer, an empty
    response clears it). ``confirm`` also confirms the card, which needs every need answered."""
    scope = _scope(user)
    if not selectors.can_edit_card(scope, card):
        raise PermissionDenied
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of an outer join (kind, kind card)
    card = (
        ServiceCard.objects.select_for_update(of=("self",)).select_related("service__kind", "kind_card").get(pk=card.pk)
    )
    needs = selectors.card_needs(card)
    _check_rows(card, needs, responses)
    existing = {r.need_id: r for r in card.responses.all()}
    changed = False
    for need in needs:
        row = responses.get(need.pk)
        if row is None:
            continue
        note = row.note.strip()
        activity_id = row.activity_id if row.response == BASIC else None
        current = existing.get(need.pk)
        if not row.response:
            if current is not None:
                current.delete()
                changed = True
            continue
        if current is None:
            ServiceCardResponse.objects.create(
                card=card, need=need, response=row.response, activity_id=activity_id, note=note
            )
            changed = True
        elif (current.response, current.activity_id, current.note) != (row.response, activity_id, note):
            current.response, current.activity_id, current.note = row.response, activity_id, note
            current.save()
            changed = True
    returned = False
    if confirm:
        answered = set(card.responses.values_list("need_id", flat=True))
        unanswered = [need for need in needs if need.pk not in answered]
        if unanswered:
            message = ngettext(
                "The card can be confirmed only when every need has a response; %(n)s need has none.",
                "The card can be confirmed only when every need has a response; %(n)s needs have none.",
                len(unanswered),
            ) % {"n": len(unanswered)}
            raise ValidationError(message, code=Code.INVALID_STATE.value)
        card.state = ServiceCard.State.CONFIRMED
        card.confirmed_by = user
        card.confirmed_at = timezone.now()
        card.save()
    elif changed and card.state == ServiceCard.State.CONFIRMED:
        card.state = ServiceCard.State.DRAFT
        card.confirmed_by = None
        card.confirmed_at = None
        card.save()
        returned = True
    elif changed:
        card.save(update_fields=["updated_at"])
    return SaveResult(card=card, changed=changed, returned_to_draft=returned)


# --- minimum forms -------------------------------------------------------------------------------------------


def parse_threshold(value) -> Decimal:
    """A share between 0 (exclusive) and 1 (inclusive), given as 0.5 or 0,5; ValidationError otherwise."""
    try:
        threshold = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("Enter a share between 0 and 1, e.g. 0.5."), code=Code.INVALID_VALUE.value) from exc
    if not threshold.is_finite() or not (Decimal(0) < threshold <= Decimal(1)):
        raise ValidationError(_("Enter a share between 0 and 1, e.g. 0.5."), code=Code.INVALID_VALUE.value)
    return threshold.quantize(Decimal("0.001"))


@audit.action
def confirm_minimum_form(
    *,
    user,
    region: Region,
    kind: ServiceKind,
    year: int,
    threshold: Decimal,
    needs: Iterable[Need],
    note: str = "",
) -> MinimumForm:
    """The region's minimum form of the kind as its next version (earlier versions are kept)."""
    scope = _scope(user)
    if not selectors.can_manage_region(scope, region):
        raise PermissionDenied
    organisation = selectors.region_authority(scope, region)
    if organisation is None:
        raise PermissionDenied
    threshold = parse_threshold(threshold)
    if not selectors.valid_year(year):
        raise ValidationError(_("Choose a period between 2000 and next year."), code=Code.INVALID_VALUE.value)
    needs = list(needs)
    taxonomy_ids = {need.taxonomy_id for need in needs}
    if len(taxonomy_ids) > 1:
        raise ValidationError(
            _("The needs of one minimum form must come from one taxonomy version."), code=Code.INVALID_VALUE.value
        )
    if taxonomy_ids:
        taxonomy_id = taxonomy_ids.pop()
    else:
        taxonomy = selectors.current_taxonomy()
        if taxonomy is None:
            raise ValidationError(_("No needs taxonomy has been published yet."), code=Code.NO_TAXONOMY.value)
        taxonomy_id = taxonomy.pk
    last = MinimumForm.objects.filter(region=region, kind=kind).aggregate(last=Max("version"))["last"] or 0
    minimum = MinimumForm.objects.create(
        region=region,
        organisation=organisation,
        kind=kind,
        version=last + 1,
        taxonomy_id=taxonomy_id,
        threshold=threshold,
        year=year,
        note=note.strip(),
        valid_from=timezone.localdate(),
        confirmed_by=user,
    )
    minimum.needs.set(needs)
    return minimum
