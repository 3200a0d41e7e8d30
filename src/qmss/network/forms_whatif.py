"""Parsing of the what-if form: the kind shown, weight overrides, entries removed, applications added and capacities
changed. Only known keys are accepted (the criteria of the rule set, the candidates of the scoring inputs), every
number is bounded, and every refusal is a Czech message naming the field. Nothing here touches the database.

Field names: ``druh`` (kind code), ``vaha-<criterion>`` / ``vaha-<criterion>.<part>`` (weights),
``odebrat`` (entry keys ``e<pk>``, repeated), ``pridat`` (application keys ``a<pk>``, repeated),
``kapacita-<key>`` (capacity of a candidate), plus ``nazev`` / ``poznamka`` of a scenario being saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

KIND = "druh"
WEIGHT_PREFIX = "vaha-"
CAPACITY_PREFIX = "kapacita-"
REMOVE = "odebrat"
ADD = "pridat"
NAME = "nazev"
NOTE = "poznamka"
# fields a what-if form may carry besides the ones above (the CSRF token, the submit buttons)
OTHER_FIELDS = frozenset({"csrfmiddlewaretoken", "akce", NAME, NOTE})

WEIGHT_MAX = Decimal(100)
CAPACITY_MAX = Decimal(100_000)
MAX_FIELDS = 3000  # a region's kind has a few hundred candidates; more is not a form QMSS rendered
MAX_VALUE_LENGTH = 20
MAX_PLACES = 2
NAME_LENGTH = 200
NOTE_LENGTH = 2000


@dataclass(frozen=True)
class WhatIf:
    """A what-if: the kind shown and the changes against the baseline (only real changes are kept)."""

    kind: str
    weights: dict[str, Decimal] = field(default_factory=dict)
    removed: frozenset[str] = frozenset()
    added: frozenset[str] = frozenset()
    capacity: dict[str, Decimal] = field(default_factory=dict)

    @property
    def is_baseline(self) -> bool:
        return not (self.weights or self.removed or self.added or self.capacity)

    def change_count(self) -> int:
        return len(self.weights) + len(self.removed) + len(self.added) + len(self.capacity)


@dataclass(frozen=True)
class Known:
    """What a what-if may name: the baseline weights per key, the candidates (key -> kind code) with their
    baseline capacity where known, the kinds in the order shown and the default kind."""

    weights: Mapping[str, Decimal]
    candidates: Mapping[str, str]
    kinds: tuple[str, ...]
    capacities: Mapping[str, Decimal] = field(default_factory=dict)
    criteria: tuple[str, ...] = ()

    @property
    def default_kind(self) -> str:
        return self.kinds[0] if self.kinds else ""


@dataclass
class Parsed:
    whatif: WhatIf
    errors: list[str]
    name: str = ""
    note: str = ""
    refused: dict[str, str] = field(default_factory=dict)  # field name -> the refused text, shown back in the form

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_number(text: str, *, label: str, maximum: Decimal, errors: list[str]) -> Decimal | None:
    """A bounded non-negative decimal (Czech comma or dot, at most two decimal places), or None with a message."""
    text = (text or "").strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not text:
        errors.append(_("%(field)s: enter a number.") % {"field": label})
        return None
    if len(text) > MAX_VALUE_LENGTH:
        errors.append(_("%(field)s: the number is too long.") % {"field": label})
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.append(_("%(field)s: “%(value)s” is not a number.") % {"field": label, "value": text})
        return None
    if not value.is_finite():
        errors.append(_("%(field)s: “%(value)s” is not a number.") % {"field": label, "value": text})
        return None
    if value < 0 or value > maximum:
        errors.append(
            _("%(field)s: enter a number from 0 to %(max)s.")
            % {"field": label, "max": f"{maximum:,}".replace(",", " ")}
        )
        return None
    if value != value.quantize(Decimal(1).scaleb(-MAX_PLACES)):
        errors.append(_("%(field)s: at most two decimal places.") % {"field": label})
        return None
    return value.normalize() if value == value.to_integral_value() else value


def _values(data, name: str) -> list[str]:
    return list(data.getlist(name)) if hasattr(data, "getlist") else ([data[name]] if name in data else [])


def _keys(values: Iterable[str], *, allowed, label: str, errors: list[str]) -> frozenset[str]:
    keys = set()
    for value in values:
        value = (value or "").strip()[:MAX_VALUE_LENGTH]
        if value in allowed:
            keys.add(value)
        else:
            errors.append(
                _("%(field)s: unknown service or application “%(value)s”.") % {"field": label, "value": value}
            )
    return frozenset(keys)


def parse(data, known: Known, *, labels: Mapping[str, str] | None = None) -> Parsed:
    """Read a what-if from POST data (a QueryDict or a plain mapping). ``labels`` names weights in messages."""
    labels = labels or {}
    errors: list[str] = []
    names = list(data.keys())
    if len(names) > MAX_FIELDS:
        return Parsed(WhatIf(kind=known.default_kind), [_("The form has too many fields.")])

    kind = (data.get(KIND) or "").strip()[:MAX_VALUE_LENGTH]
    if not kind:
        kind = known.default_kind
    elif kind not in known.kinds:
        errors.append(_("Kind of service: unknown kind “%(value)s”.") % {"value": kind})
        kind = known.default_kind

    weights: dict[str, Decimal] = {}
    capacity: dict[str, Decimal] = {}
    refused: dict[str, str] = {}
    for name in names:
        if name.startswith(WEIGHT_PREFIX):
            key = name.removeprefix(WEIGHT_PREFIX)
            if key not in known.weights:
                errors.append(_("Unknown criterion “%(value)s”.") % {"value": key[:MAX_VALUE_LENGTH]})
                continue
            label = _("Weight of %(criterion)s") % {"criterion": labels.get(key, key)}
            value = parse_number(data.get(name), label=label, maximum=WEIGHT_MAX, errors=errors)
            if value is None:
                refused[name] = (data.get(name) or "")[:MAX_VALUE_LENGTH]
            elif value != known.weights[key]:
                weights[key] = value
        elif name.startswith(CAPACITY_PREFIX):
            key = name.removeprefix(CAPACITY_PREFIX)
            if key not in known.candidates:
                errors.append(
                    _("Capacity: unknown service or application “%(value)s”.") % {"value": key[:MAX_VALUE_LENGTH]}
                )
                continue
            label = _("Capacity of %(name)s") % {"name": labels.get(key, key)}
            value = parse_number(data.get(name), label=label, maximum=CAPACITY_MAX, errors=errors)
            if value is not None and value != known.capacities.get(key):
                capacity[key] = value
        elif name not in (KIND, REMOVE, ADD) and name not in OTHER_FIELDS:
            errors.append(_("Unknown field “%(value)s”.") % {"value": name[:MAX_VALUE_LENGTH]})

    entries = {k for k in known.candidates if k.startswith("e")}
    applications = {k for k in known.candidates if k.startswith("a")}
    removed = _keys(_values(data, REMOVE), allowed=entries, label=_("Remove from the network"), errors=errors)
    added = _keys(_values(data, ADD), allowed=applications, label=_("Add to the network"), errors=errors)
    _check_sums(known, weights, errors)

    name = (data.get(NAME) or "").strip()
    note = (data.get(NOTE) or "").strip()
    if len(name) > NAME_LENGTH:
        errors.append(_("Name of the scenario: at most %(count)s characters.") % {"count": NAME_LENGTH})
    if len(note) > NOTE_LENGTH:
        errors.append(_("Note: at most %(count)s characters.") % {"count": NOTE_LENGTH})
    whatif = WhatIf(kind=kind, weights=weights, removed=removed, added=added, capacity=capacity)
    return Parsed(whatif, errors, name=name[:NAME_LENGTH], note=note[:NOTE_LENGTH], refused=refused)


def _check_sums(known: Known, weights: Mapping[str, Decimal], errors: list[str]) -> None:
    """The total divides by the sum of the criteria weights, a criterion by the sum of its parts' weights."""

    def weight(key: str) -> Decimal:
        return weights.get(key, known.weights[key])

    criteria = known.criteria or tuple(k for k in known.weights if "." not in k)
    if criteria and not any(weight(c) for c in criteria):
        errors.append(_("At least one of the criteria must have a weight above zero."))
    for criterion in criteria:
        parts = [k for k in known.weights if k.startswith(f"{criterion}.")]
        if parts and not any(weight(p) for p in parts):
            errors.append(
                _("%(criterion)s: at least one of its parts must have a weight above zero.") % {"criterion": criterion}
            )


def from_scenario(scenario, known: Known, kind: str | None = None) -> tuple[WhatIf, int]:
    """The what-if a saved scenario describes, and how many of its changes no longer apply (unknown criteria,
    entries of an older network version, applications decided since)."""
    stale = 0
    weights = {}
    for key, text in (scenario.weights or {}).items():
        try:
            value = Decimal(str(text))
        except InvalidOperation:
            value = None
        if key in known.weights and value is not None and value.is_finite() and 0 <= value <= WEIGHT_MAX:
            if value != known.weights[key]:
                weights[key] = value
        else:
            stale += 1
    removed = set()
    for pk in scenario.removed_entries or []:
        key = f"e{pk}"
        if key in known.candidates:
            removed.add(key)
        else:
            stale += 1
    added = set()
    for pk in scenario.added_applications or []:
        key = f"a{pk}"
        if key in known.candidates:
            added.add(key)
        else:
            stale += 1
    capacity = {}
    for key, text in (scenario.capacity_changes or {}).items():
        try:
            value = Decimal(str(text))
        except InvalidOperation:
            value = None
        if key in known.candidates and value is not None and value.is_finite() and 0 <= value <= CAPACITY_MAX:
            capacity[key] = value
        else:
            stale += 1
    if kind not in known.kinds:
        changed = [known.candidates[k] for k in (*removed, *added, *capacity)]
        kind = next((k for k in known.kinds if k in changed), known.default_kind)
    return WhatIf(
        kind=kind, weights=weights, removed=frozenset(removed), added=frozenset(added), capacity=capacity
    ), stale
