"""Loading for the indicator engine (:mod:`qmss.needs.indicators`): the approved values of many submissions in one
query and the registry facts that group and filter them (kind, delivery forms, registered capacity) in one more."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import CharField, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from qmss.needs.models import DataElement, Submission, SubmissionValue

CAPACITY_ELEMENT = "capacity"

Values = dict[str, dict[str, Decimal]]
_NO_VALUES: Values = {}


@dataclass(frozen=True)
class Facts:
    """What groups and filters a service: its kind code, delivery form keys and registered capacity."""

    kind_code: str = ""
    form_keys: tuple[str, ...] = ()
    capacity: Decimal | None = None


# --- loading ---------------------------------------------------------------------------------------------------


def _approved(round_ids: list[int], service_ids: list[int] | None) -> QuerySet[Submission]:
    qs = Submission.objects.filter(round_id__in=round_ids, state=Submission.State.APPROVED).order_by()
    return qs if service_ids is None else qs.filter(service_id__in=service_ids)


def load_values(
    round_ids: Iterable[int], codes: Iterable[str] | None = None, service_ids: Iterable[int] | None = None
) -> dict[int, Values]:
    """Submission pk → element code → category → value, of the approved submissions of the rounds: ONE query
    (and a small one for the elements' codes), only the elements of ``codes``. The rows come submission by
    submission (the unique index of submission × element × category); the value is read as text and made a
    Decimal here (exact, and much faster than the database backend's decimal converter)."""
    round_ids = list(round_ids)
    elements = DataElement.objects.filter(template__rounds__in=round_ids).order_by().distinct()
    if codes is not None:
        elements = elements.filter(code__in=sorted(codes))
    code_of = dict(elements.values_list("pk", "code"))
    if not code_of:
        return {}
    submissions = _approved(round_ids, None if service_ids is None else list(service_ids)).values("pk")
    rows = (
        SubmissionValue.objects.filter(submission_id__in=submissions, element_id__in=list(code_of))
        .order_by()
        .annotate(text=Cast("value", output_field=CharField()))
        .values_list("submission_id", "element_id", "category", "text")
    )
    result: dict[int, Values] = {}
    current_id = current = None
    for submission_id, element_id, category, text in rows.iterator(chunk_size=20000):
        if submission_id != current_id:  # rows come grouped by submission: one look-up per submission
            current_id = submission_id
            current = result.get(submission_id)
            if current is None:
                current = result[submission_id] = {}
        code = code_of[element_id]
        cells = current.get(code)
        if cells is None:
            cells = current[code] = {}
        cells[category] = Decimal(text)
    return result


def _text(value) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _facts_from(kind, forms, capacity_fact, values: Values) -> Facts:
    if not isinstance(forms, list | tuple) or not all(isinstance(key, str) for key in forms):
        forms = ()
    capacity = (values.get(CAPACITY_ELEMENT) or {}).get("")
    if capacity is None and isinstance(capacity_fact, int | float | str) and not isinstance(capacity_fact, bool):
        try:
            capacity = Decimal(str(capacity_fact))
        except ArithmeticError:
            capacity = None
    return Facts(kind_code=_text(kind), form_keys=tuple(sorted(forms)), capacity=capacity)


def _forms_decoder() -> Callable[[object], object]:
    """The delivery-form keys of the facts, read as JSON text (``KT``): decoded once per distinct text."""
    seen: dict[str, object] = {}

    def decode(text):
        if not isinstance(text, str):
            return text
        if text not in seen:
            try:
                seen[text] = json.loads(text)
            except ValueError:
                seen[text] = ()
        return seen[text]

    return decode


def load_facts(
    round_ids: Iterable[int], values: dict[int, Values], service_ids: Iterable[int] | None = None, *, capacity=True
) -> dict[tuple[int, int], tuple[int, Facts]]:
    """(round pk, service pk) → (submission pk, registry facts) of the approved submissions: ``kind``, ``forms``,
    ``capacity`` of ``Submission.registry_facts`` (one query, only these keys read – the capacity only when asked
    for, the capacity element's value first); a submission whose facts lack the kind or forms takes them from the
    registry service (two more queries, only then)."""
    from qmss.registry.models import Service, ServiceForm

    qs = _approved(list(round_ids), None if service_ids is None else list(service_ids))
    fields = ["pk", "round_id", "service_id", KT("registry_facts__kind"), KT("registry_facts__forms")]
    if capacity:
        fields.append("registry_facts__capacity")
    decode = _forms_decoder()
    shared: dict[tuple, Facts] = {}  # equal facts share one object (fewer objects to keep and to pickle)
    facts = {}
    for pk, r, s, kind, forms, *cap in qs.values_list(*fields):
        fact = _facts_from(kind, decode(forms), cap[0] if cap else None, values.get(pk, _NO_VALUES) if cap else {})
        facts[(r, s)] = (pk, shared.setdefault((fact.kind_code, fact.form_keys, fact.capacity), fact))
    missing = {s for (_r, s), (_pk, f) in facts.items() if not f.kind_code or not f.form_keys}
    if missing:
        kinds = dict(Service.objects.filter(pk__in=missing).values_list("pk", "kind__code"))
        forms: dict[int, set[str]] = defaultdict(set)
        for service_id, key in ServiceForm.objects.filter(service_id__in=missing).values_list(
            "service_id", "form__key"
        ):
            if key:
                forms[service_id].add(key)
        for (round_id, service_id), (pk, fact) in list(facts.items()):
            if service_id in missing:
                facts[(round_id, service_id)] = (
                    pk,
                    Facts(
                        kind_code=fact.kind_code or (kinds.get(service_id) or ""),
                        form_keys=fact.form_keys or tuple(sorted(forms.get(service_id, ()))),
                        capacity=fact.capacity,
                    ),
                )
    return facts
