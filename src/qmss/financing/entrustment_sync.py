"""Entrustments against the network: what the network's current version asks to change in the entrustments, and
the content a proposal starts with.

An entrustment belongs to a network entry – a service in a unit – so records are keyed ``(service id, unit)``
(a unit change therefore ends one entrustment and proposes another). :func:`pending_proposals` compares the
current version's entries with the issued entrustments:

- ``new``: an entry without an issued entrustment;
- ``change``: an entry whose capacity, territory (ORPs, municipalities) or tier differs from the issued one's;
- ``end``: an issued entrustment whose entry is no longer in the network.

A key that already has a proposal made from the current version is not pending. Nothing here writes: a new network
version never touches entrustments until the manager proposes and issues (``actions_entrustments``).

An *end proposal* is a ``PROPOSED`` record whose ``entry`` is the last entry of the service (in an older version)
while its ``network_version`` is the version the entry left: :func:`is_end_proposal` tells them apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qmss.core.collation import sort_key
from qmss.financing import library
from qmss.financing.models import Entrustment
from qmss.network.models import Network, NetworkEntry, NetworkVersion
from qmss.network.selectors_networks import current_version, version_entries

NEW, CHANGE, END = "new", "change", "end"
# the fields of an entry that make an entrustment change, in the order a change summary names them
COMPARED = ("capacity", "orp_codes", "municipality_codes", "tier")
DOCUMENT_LANGUAGE = "cs"  # the act of entrustment is a Czech document whatever the user's language


@dataclass
class Proposal:
    kind: str  # NEW, CHANGE or END
    key: str  # "<service id>:<unit>"
    entry: NetworkEntry  # the current entry (for END the entry of the issued entrustment)
    previous: Entrustment | None = None  # the issued entrustment it replaces or ends
    fields: list[str] = field(default_factory=list)  # CHANGE: the changed fields (COMPARED names)


def key_of(service_id: int, unit: str) -> str:
    return f"{service_id}:{unit}"


def is_end_proposal(entrustment: Entrustment) -> bool:
    """A proposal to end an entrustment: its entry is not in the version it was proposed from."""
    return entrustment.entry.version_id != entrustment.network_version_id


def _codes(values) -> list[str]:
    return sorted(str(value) for value in values or [])


def changed_fields(issued: Entrustment, entry: NetworkEntry) -> list[str]:
    names = []
    if issued.capacity != entry.capacity:
        names.append("capacity")
    if _codes(issued.orp_codes) != _codes(entry.orp_codes):
        names.append("orp_codes")
    if _codes(issued.municipality_codes) != _codes(entry.municipality_codes):
        names.append("municipality_codes")
    if issued.entry.tier_id != entry.tier_id:
        names.append("tier")
    return names


def open_records(network: Network) -> tuple[dict[str, Entrustment], dict[str, Entrustment]]:
    """(issued by key, proposed by key) of the network."""
    rows = (
        Entrustment.objects.filter(network=network, state__in=[Entrustment.State.ISSUED, Entrustment.State.PROPOSED])
        .select_related("entry")
        .order_by("pk")
    )
    issued: dict[str, Entrustment] = {}
    proposed: dict[str, Entrustment] = {}
    for record in rows:
        target = issued if record.state == Entrustment.State.ISSUED else proposed
        target[key_of(record.service_id, record.unit)] = record
    return issued, proposed


def pending_proposals(network: Network, version: NetworkVersion | None = None) -> list[Proposal]:
    """What the current version (or ``version``) asks to change, by service name; empty without a version."""
    version = version or current_version(network)
    if version is None:
        return []
    issued, proposed = open_records(network)
    rows = version_entries(version).prefetch_related("service__forms__form")
    entries = {key_of(e.service_id, e.unit): e for e in rows}
    result: list[Proposal] = []
    for key, entry in entries.items():
        waiting = proposed.get(key)
        if waiting is not None and waiting.network_version_id == version.pk:
            continue
        current = issued.get(key)
        if current is None:
            result.append(Proposal(NEW, key, entry))
            continue
        fields = changed_fields(current, entry)
        if fields:
            result.append(Proposal(CHANGE, key, entry, previous=current, fields=fields))
    gone = [record for key, record in issued.items() if key not in entries]
    gone = [
        r
        for r in gone
        if (w := proposed.get(key_of(r.service_id, r.unit))) is None or w.network_version_id != version.pk
    ]
    if gone:
        old_entries = NetworkEntry.objects.select_related("service__provider", "service__kind", "tier").in_bulk(
            [record.entry_id for record in gone]
        )
        for record in gone:
            result.append(Proposal(END, key_of(record.service_id, record.unit), old_entries[record.entry_id], record))
    result.sort(key=lambda p: (sort_key(p.entry.service.name), p.entry.unit, p.kind))
    return result


# --- content of a proposal --------------------------------------------------------------------------------


def version_date(version: NetworkVersion) -> date:
    return timezone.localdate(version.created_at) if version.created_at else timezone.localdate()


def period_for(proposal: Proposal, network: Network, version: NetworkVersion) -> tuple[date, date]:
    """New or changed: from the network's start (version 1) or the version's date, to the network's end. End:
    the issued period, cut the day before the version's date."""
    day = version_date(version)
    if proposal.kind == END:
        previous = proposal.previous
        end = min(previous.period_end, max(previous.period_start, day - timedelta(days=1)))
        return previous.period_start, end
    start = network.period_start if version.number <= 1 else max(network.period_start, day)
    if proposal.previous is not None:
        start = max(start, proposal.previous.period_start)
    return min(start, network.period_end), network.period_end


def field_labels() -> dict[str, str]:
    return {
        "capacity": _("capacity"),
        "orp_codes": _("ORPs served"),
        "municipality_codes": _("municipalities served"),
        "tier": _("tier"),
    }


def change_summary(proposal: Proposal, version: NetworkVersion) -> str:
    labels = field_labels()
    if proposal.kind == NEW:
        text = _("New entry in version %(number)s of the network.") % {"number": version.number}
    elif proposal.kind == END:
        text = _("The entry left the network in version %(number)s: the entrustment ends.") % {"number": version.number}
    else:
        names = ", ".join(labels[name] for name in proposal.fields)
        text = _("Changed in version %(number)s of the network: %(fields)s.") % {
            "number": version.number,
            "fields": names,
        }
    return text[:500]


def territory_names(orp_codes, municipality_codes) -> tuple[list[str], list[str]]:
    """Names of the ORPs and municipalities of the codes (a code that is not known is shown as the code)."""
    from qmss.territory.models import Municipality, Orp

    orp_codes = [int(code) for code in orp_codes or []]
    municipality_codes = [str(code) for code in municipality_codes or []]
    orps = dict(Orp.objects.filter(ruian_code__in=orp_codes).values_list("ruian_code", "name")) if orp_codes else {}
    places = (
        dict(Municipality.objects.filter(code__in=municipality_codes).values_list("code", "name"))
        if municipality_codes
        else {}
    )
    orp_names = sorted((orps.get(code, str(code)) for code in orp_codes), key=sort_key)
    place_names = sorted((places.get(code, code) for code in municipality_codes), key=sort_key)
    return orp_names, place_names


def unit_name(unit: str) -> str:
    from qmss.network.units import units

    found = units().get(unit)
    return found.name if found else unit


def obligation_text(entry: NetworkEntry, network: Network, cache: dict | None = None) -> str:
    """The generated content of the public-service obligation (Czech): the service, its kind and basic
    activities, the extent and the territory."""
    service = entry.service
    kind = service.kind
    orp_names, place_names = territory_names(entry.orp_codes, entry.municipality_codes)
    parts = [
        _(
            "The provider shall provide the social service “%(service)s” (%(kind)s, identifier %(identifier)s) as a "
            "service of general economic interest in the network “%(network)s”, to the extent of %(capacity)s "
            "(%(unit)s)."
        )
        % {
            "service": service.name or service.portal_id,
            "kind": str(kind) if kind else service.kind_code or "–",
            "identifier": service.identifier or service.portal_id,
            "network": network.name,
            "capacity": _number(entry.capacity),
            "unit": unit_name(entry.unit),
        }
    ]
    cache = {} if cache is None else cache
    if kind and ("activities", kind.pk) not in cache:
        cache["activities", kind.pk] = [a.name for a in kind.activities.order_by("order", "name")]
    activities = cache["activities", kind.pk] if kind else []
    if activities:
        parts.append(_("Basic activities: %(activities)s.") % {"activities": "; ".join(activities)})
    if orp_names or place_names:
        territory = ", ".join(orp_names)
        if place_names:
            territory = (territory + "; " if territory else "") + _("municipalities: %(names)s") % {
                "names": ", ".join(place_names)
            }
        parts.append(_("Territory: %(territory)s.") % {"territory": territory})
    else:
        parts.append(_("Territory: the whole territory of the network."))
    parts.append(
        _(
            "The service is provided in accordance with Act No. 108/2006 Coll., on social services, its registration "
            "and the quality standards of social services."
        )
    )
    return "\n\n".join(parts)


def _number(value: Decimal) -> str:
    from qmss.core.formatting import format_number

    return format_number(value)


def _form_codes(service) -> tuple[str, ...]:
    return tuple(sorted({form.form.code for form in service.forms.all() if form.form_id}))


def reference_value(organisation, year: int, kind_code: str | None, form_codes: tuple[str, ...]):
    """(reference set, reference value) of the manager for the year, through ``reference_values`` – (None, None)
    when the manager has no set."""
    from qmss.financing import reference_values

    reference_set = reference_values.current_set(organisation, year)
    if reference_set is None or not kind_code:
        return reference_set, None
    return reference_set, reference_values.value_for_forms(reference_set, kind_code, form_codes)


def compensation_parameters(
    network: Network, entry: NetworkEntry, year: int, cache: dict | None = None
) -> dict[str, Any]:
    """How the compensation of the entry is computed, controlled and reviewed (JSON, decimals as text): the
    manager's reference values of the year for the kind × form, and the library's programme parameters."""
    service = entry.service
    kind_code = service.kind.code if service.kind_id else None
    form_codes = _form_codes(service)
    cache = {} if cache is None else cache
    key = ("reference", year, kind_code, form_codes)
    if key not in cache:
        cache[key] = reference_value(network.organisation, year, kind_code, form_codes)
    reference_set, value = cache[key]
    if "parameters" not in cache:
        cache["parameters"] = library.programme_parameters()
    parameters = cache["parameters"]
    data: dict[str, Any] = {
        "year": year,
        "kind": kind_code,
        "form": value.form.code if value is not None and value.form_id else None,
        "unit": entry.unit,
        "capacity": str(entry.capacity),
        "reference_set": None,
        "usual_cost": None,
        "usual_revenue": None,
        "reference_unit": None,
        "max_public_share": parameters["max_public_share"],
        "max_public_share_from": "library",
        "adjustment_enabled": parameters["adjustment_enabled"],
        "adjustment_bands": parameters["adjustment_bands"],
        "quality_threshold": parameters["quality_threshold"],
        "reasonable_profit_rate": parameters["reasonable_profit_rate"],
        "carry_over_max_share": parameters["carry_over_max_share"],
        "library": parameters["source"],
    }
    if reference_set is not None:
        data["reference_set"] = {
            "pk": reference_set.pk,
            "name": reference_set.name,
            "version": reference_set.version,
            "source": reference_set.source,
            "verified": reference_set.verified,
        }
    if value is not None:
        data.update(
            usual_cost=str(value.usual_cost),
            usual_revenue=str(value.usual_revenue),
            reference_unit=value.unit,
            max_public_share=str(value.max_public_share),
            max_public_share_from="reference",
        )
    return data


def overcompensation_text(parameters: dict[str, Any]) -> str:
    """The rule to avoid and recover overcompensation (Czech), from the library's settlement parameters."""
    from qmss.core.formatting import format_percent

    profit = format_percent(ratio=Decimal(parameters["reasonable_profit_rate"]))
    carry = format_percent(ratio=Decimal(parameters["carry_over_max_share"]))
    return _(
        "The compensation must not exceed the net cost of the entrusted service (costs minus the provider's own "
        "revenues) plus a reasonable profit of %(profit)s of the costs. After the end of each year the provider "
        "submits a settlement of its actual costs, revenues and all public money received; the manager checks it. "
        "Overcompensation (public money above the net cost and the reasonable profit) up to %(carry)s of the year's "
        "compensation may be carried over to the next year; the rest is returned to the manager, at most the "
        "compensation paid (Commission Decision 2012/21/EU, Articles 5 and 6)."
    ) % {"profit": profit, "carry": carry}


def proposal_content(
    proposal: Proposal, network: Network, version: NetworkVersion, cache: dict | None = None
) -> dict[str, Any]:
    """The field values of a new PROPOSED record for ``proposal`` (texts in Czech); ``cache`` keeps what many
    proposals share (a kind's activities, the reference values, the library's parameters) within one call."""
    start, end = period_for(proposal, network, version)
    entry = proposal.entry
    with translation.override(DOCUMENT_LANGUAGE):
        summary = change_summary(proposal, version)
        if proposal.kind == END:
            previous = proposal.previous
            return {
                "period_start": start,
                "period_end": end,
                "obligation": previous.obligation,
                "orp_codes": previous.orp_codes,
                "municipality_codes": previous.municipality_codes,
                "unit": previous.unit,
                "capacity": previous.capacity,
                "compensation_parameters": previous.compensation_parameters,
                "overcompensation_rule": previous.overcompensation_rule,
                "change_summary": summary,
            }
        parameters = compensation_parameters(network, entry, start.year, cache)
        return {
            "period_start": start,
            "period_end": end,
            "obligation": obligation_text(entry, network, cache),
            "orp_codes": list(entry.orp_codes or []),
            "municipality_codes": list(entry.municipality_codes or []),
            "unit": entry.unit,
            "capacity": entry.capacity,
            "compensation_parameters": parameters,
            "overcompensation_rule": overcompensation_text(parameters),
            "change_summary": summary,
        }
