"""Writes of entrustments: the manager proposes updated entrustments from the network's current version, edits a
proposal, and issues the chosen proposals. Keyword-only arguments, one transaction each (``@audit.action``),
the permission checked inside (``qmss.financing.permissions``); refusals are ``ValidationError`` with a code of
:class:`qmss.financing.error_codes.FinancingErrorCode`.

Issuing a proposal makes it ``ISSUED`` and the issued entrustment of the same entry (service and unit)
``SUPERSEDED``; issuing an end proposal makes that issued entrustment ``ENDED`` (its period cut to the proposal's
end) and removes the proposal. Nothing is issued without the manager choosing it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core.scoping import Scope
from qmss.financing import entrustment_sync as sync
from qmss.financing import permissions
from qmss.financing.error_codes import FinancingErrorCode as Code
from qmss.financing.models import Entrustment
from qmss.network.models import Network
from qmss.network.selectors_networks import current_version

MAX_TEXT = 20_000


def _refuse(message: str, code: Code) -> ValidationError:
    return ValidationError(message, code=code.value)


def _require_manager(user, network: Network) -> None:
    if not permissions.can_manage_organisation(Scope.for_user(user), network.organisation):
        raise PermissionDenied(_("Only the network's manager may change its entrustments."))


def _next_numbers(network: Network, year: int) -> Iterator[str]:
    """Numbers P-<year>-<network pk>-<seq>, continuing the network's highest sequence of the year (read now)."""
    prefix = f"P-{year}-{network.pk}-"
    used = Entrustment.objects.filter(network=network, number__startswith=prefix).values_list("number", flat=True)
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    last = max((int(m.group(1)) for number in used if (m := pattern.match(number))), default=0)
    return (f"{prefix}{seq}" for seq in itertools.count(last + 1))


@audit.action
def propose_entrustments(*, user, network: Network, keys: Sequence[str] | None = None) -> list[Entrustment]:
    """PROPOSED records for the pending proposals of the network's current version (all, or those of ``keys`` –
    ``"<service id>:<unit>"``). A proposal of the same entry from an older version is replaced."""
    _require_manager(user, network)
    Network.objects.select_for_update().filter(pk=network.pk).first()  # one proposing / issuing at a time
    version = current_version(network)
    if version is None:
        raise _refuse(_("The network has no version yet."), Code.INVALID_STATE)
    proposals = sync.pending_proposals(network, version)
    if keys is not None:
        wanted = {str(key) for key in keys}
        proposals = [p for p in proposals if p.key in wanted]
    if not proposals:
        raise _refuse(_("There is nothing to propose: the entrustments match the network."), Code.INVALID_STATE)
    _issued, waiting = sync.open_records(network)
    cache: dict = {}
    contents = [sync.proposal_content(proposal, network, version, cache) for proposal in proposals]
    # numbers continue after every number the network has used, a replaced proposal's included
    numbers = {year: _next_numbers(network, year) for year in {content["period_start"].year for content in contents}}
    created = []
    for proposal, content in zip(proposals, contents, strict=True):
        stale = waiting.get(proposal.key)
        if stale is not None:
            stale.delete()
        created.append(
            Entrustment.objects.create(
                organisation=network.organisation,
                network=network,
                network_version=version,
                entry=proposal.entry,
                service=proposal.entry.service,
                number=next(numbers[content["period_start"].year]),
                state=Entrustment.State.PROPOSED,
                supersedes=proposal.previous,
                act_reference=proposal.previous.act_reference if proposal.kind == sync.END else "",
                **content,
            )
        )
    return created


@audit.action
def update_entrustment(
    *,
    user,
    entrustment: Entrustment,
    obligation: str,
    period_start: date,
    period_end: date,
    act_reference: str = "",
) -> Entrustment:
    """Change a proposal's obligation, period and act reference (an issued entrustment is never changed: a new
    network version or a new proposal replaces it)."""
    _require_manager(user, entrustment.network)
    entrustment = Entrustment.objects.select_for_update().get(pk=entrustment.pk)
    if entrustment.state != Entrustment.State.PROPOSED:
        raise _refuse(_("Only a proposed entrustment can be changed."), Code.INVALID_STATE)
    obligation = obligation.strip()
    if not obligation:
        raise _refuse(_("Enter the content of the public-service obligation."), Code.INVALID_VALUE)
    if len(obligation) > MAX_TEXT:
        raise _refuse(_("The text is too long."), Code.INVALID_VALUE)
    if period_end < period_start:
        raise _refuse(_("The end of the period must not be earlier than its start."), Code.INVALID_VALUE)
    entrustment.obligation = obligation
    entrustment.period_start, entrustment.period_end = period_start, period_end
    entrustment.act_reference = act_reference.strip()[:300]
    entrustment.save(update_fields=["obligation", "period_start", "period_end", "act_reference", "updated_at"])
    return entrustment


@audit.action
def issue_entrustments(*, user, network: Network, entrustment_ids: Sequence[int]) -> list[Entrustment]:
    """Issue the chosen proposals of the network (made from its current version). Returns the issued records
    (for an end proposal the entrustment it ended)."""
    _require_manager(user, network)
    Network.objects.select_for_update().filter(pk=network.pk).first()
    ids = {int(pk) for pk in entrustment_ids}
    if not ids:
        raise _refuse(_("Choose the proposals to issue."), Code.INVALID_VALUE)
    chosen = list(
        Entrustment.objects.select_for_update()
        .filter(pk__in=ids, network=network, state=Entrustment.State.PROPOSED)
        .select_related("entry")
        .order_by("pk")
    )
    if len(chosen) != len(ids):
        raise _refuse(_("A chosen proposal is not a proposal of this network."), Code.NOT_IN_SCOPE)
    version = current_version(network)
    if any(record.network_version_id != version.pk for record in chosen):
        raise _refuse(
            _("A chosen proposal was made from an older version of the network: propose again."), Code.INVALID_STATE
        )
    now = timezone.now()
    done = []
    for record in chosen:
        previous = (
            Entrustment.objects.select_for_update()
            .filter(network=network, service_id=record.service_id, unit=record.unit, state=Entrustment.State.ISSUED)
            .first()
        )
        if sync.is_end_proposal(record):
            if previous is None:
                record.delete()
                continue
            previous.state = Entrustment.State.ENDED
            previous.period_end = max(previous.period_start, min(previous.period_end, record.period_end))
            previous.change_summary = record.change_summary
            if record.act_reference and record.act_reference != previous.act_reference:
                previous.change_summary = f"{record.change_summary} ({record.act_reference})"[:500]
            previous.save(update_fields=["state", "period_end", "change_summary", "updated_at"])
            record.delete()
            done.append(previous)
            continue
        if previous is not None:
            previous.state = Entrustment.State.SUPERSEDED
            if record.period_start > previous.period_start:
                previous.period_end = min(previous.period_end, record.period_start - timedelta(days=1))
            previous.save(update_fields=["state", "period_end", "updated_at"])
        record.state = Entrustment.State.ISSUED
        record.supersedes = previous
        record.issued_at, record.issued_by = now, user
        record.save(update_fields=["state", "supersedes", "issued_at", "issued_by", "updated_at"])
        done.append(record)
    return done
