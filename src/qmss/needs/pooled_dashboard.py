"""Pooled indicator values of many rounds at once, computed by the database (the region dashboard's engine).

An indicator's formula (numerator / denominator in :mod:`qmss.needs.expressions`) is translated into SQL over a
per-submission pivot of the values it needs, with the language's rules kept:

- ``users`` is the element's total: its "" value, else the sum of its categories, else unknown (NULL);
- ``refused["capacity"]`` one category; ``nz(x)`` is ``COALESCE(x, 0)``;
- arithmetic on an unknown value is unknown (SQL NULL does the same); a division by zero is unknown
  (``NULLIF(b, 0)``);
- a service counts when both its numerator and its denominator are known; the pooled value is
  Σ numerators / Σ denominators × factor (``None`` when Σ denominators is 0 or nobody counts).

Only approved submissions count; an indicator's kind and delivery-form filters apply. Everything user-given
(element ids, categories, kind codes, form keys, constants) goes in as query parameters; the SQL text holds only
names made here. A formula outside this subset (comparisons, logic) is computed as ``None`` for the dashboard.

One query for all rounds and indicators (plus one for the element ids); each round's results are cached under
a fingerprint of its approved submissions (:func:`pooled_values`), so a page of many closed rounds reads them
back instead of recomputing, and a change to any submission of a round gives that round a new key.
"""

from __future__ import annotations

import ast
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.db.models import Count, Max

from qmss.needs.expressions import ExpressionError, parse
from qmss.needs.models import DataElement, Indicator, Submission, SubmissionValue
from qmss.registry.cache import current_version, page_cache
from qmss.registry.models import DeliveryForm, Service, ServiceForm, ServiceKind

CACHE_TIMEOUT = 7 * 24 * 60 * 60  # seconds; a changed round gets a new key anyway


class Unsupported(Exception):
    """The formula uses a part of the language the SQL translation does not cover."""


class _Pivot:
    """The columns of the per-submission pivot: one per (element, category) a formula needs."""

    def __init__(self, element_ids: dict[str, list[int]]) -> None:
        self.element_ids = element_ids
        self.columns: dict[tuple[str, str], str] = {}
        self.select: list[str] = []
        self.params: list = []

    def _ids(self, code: str) -> str:
        ids = self.element_ids.get(code)
        if not ids:
            raise Unsupported(code)
        return ", ".join(str(int(pk)) for pk in ids)  # integers from the database

    def column(self, code: str, category: str | None) -> str:
        key = (code, category if category is not None else "\0total")
        if key in self.columns:
            return self.columns[key]
        ids = self._ids(code)
        name = f"c{len(self.columns)}"
        if category is None:  # the total: the "" value, else the sum of the categories
            self.select.append(
                f"COALESCE(MAX(CASE WHEN v.element_id IN ({ids}) AND v.category = '' THEN v.value END), "
                f"SUM(CASE WHEN v.element_id IN ({ids}) AND v.category <> '' THEN v.value END)) AS {name}"
            )
        else:
            self.select.append(f"MAX(CASE WHEN v.element_id IN ({ids}) AND v.category = %s THEN v.value END) AS {name}")
            self.params.append(category)
        self.columns[key] = name
        return name


def _sql(node: ast.AST, pivot: _Pivot, params: list) -> str:
    """SQL of an arithmetic expression node over the pivot's columns."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        params.append(float(node.value))
        return "(%s * 1.0)"
    if isinstance(node, ast.Name):
        return f"p.{pivot.column(node.id, None)}"
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and isinstance(node.slice, ast.Constant):
        return f"p.{pivot.column(node.value.id, str(node.slice.value))}"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "nz":
        return f"COALESCE({_sql(node.args[0], pivot, params)}, 0)"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _sql(node.operand, pivot, params)
        return f"(-{inner})" if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
        left = _sql(node.left, pivot, params)
        right = _sql(node.right, pivot, params)
        if isinstance(node.op, ast.Div):
            return f"(({left}) * 1.0 / NULLIF({right}, 0))"
        symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}[type(node.op)]
        return f"({left} {symbol} {right})"
    raise Unsupported(type(node).__name__)


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _kind_code() -> str:
    """The kind code of the submission's registry facts (at opening), else of the registry service now."""
    if connection.vendor == "postgresql":
        return "COALESCE(NULLIF(s.registry_facts ->> 'kind', ''), k.code)"
    return "COALESCE(NULLIF(json_extract(s.registry_facts, '$.kind'), ''), k.code)"


def _form_flag() -> str:
    """1 when the submission's delivery forms (registry facts at opening, else the registry service now) include
    the form key given as a parameter (twice: once for each source)."""
    registry = (
        f"EXISTS (SELECT 1 FROM {_table(ServiceForm)} sf JOIN {_table(DeliveryForm)} df ON df.id = sf.form_id "
        f"WHERE sf.service_id = s.service_id AND df.{connection.ops.quote_name('key')} = %s)"
    )
    if connection.vendor == "postgresql":
        forms = "s.registry_facts -> 'forms'"
        has_forms = f"jsonb_typeof({forms}) = 'array' AND jsonb_array_length({forms}) > 0"
        in_facts = "(s.registry_facts -> 'forms') @> jsonb_build_array(%s::text)"
        return f"CASE WHEN {has_forms} THEN (CASE WHEN {in_facts} THEN 1 ELSE 0 END) WHEN {registry} THEN 1 ELSE 0 END"
    has_forms = (
        "json_type(s.registry_facts, '$.forms') = 'array' AND json_array_length(s.registry_facts, '$.forms') > 0"
    )
    in_facts = "EXISTS (SELECT 1 FROM json_each(s.registry_facts, '$.forms') j WHERE j.value = %s)"
    return f"CASE WHEN {has_forms} THEN (CASE WHEN {in_facts} THEN 1 ELSE 0 END) WHEN {registry} THEN 1 ELSE 0 END"


Pooled = tuple[Decimal | None, Decimal | None, Decimal | None, int]


def round_fingerprints(round_ids: Iterable[int], states: Iterable[str]) -> dict[int, str]:
    """Per round, what changes whenever the values its submissions in ``states`` contribute can change: their
    number, the newest pk, and the latest save, submission and decision (values are only saved in a draft or
    a returned submission, and reach these states again only through a new submission or decision) – one query."""
    rows = (
        Submission.objects.filter(round_id__in=list(round_ids), state__in=list(states))
        .values("round_id")
        .annotate(
            n=Count("pk"),
            top=Max("pk"),
            saved=Max("last_saved_at"),
            sent=Max("submitted_at"),
            decided=Max("decided_at"),
        )  # fmt: skip
        .order_by()
    )
    return {row["round_id"]: repr((row["n"], row["top"], row["saved"], row["sent"], row["decided"])) for row in rows}


def cache_key(prefix: str, *parts: object) -> str:
    """A key of results computed from a round's data: the registry data version (kinds, forms and names of
    services), then the parts (round, fingerprint, definitions, filters)."""
    text = "\x1f".join([current_version(), *(repr(part) for part in parts)])
    return f"needs:dashboard:{prefix}:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"


def pooled_values(
    *, rounds: Sequence, indicators: Sequence[Indicator], kind_id: int | None = None, kind_code: str | None = None
) -> dict[tuple[str, int], Pooled]:
    """(indicator code, round pk) → (value, Σ numerator, Σ denominator, services counted).

    A round's results are cached under its fingerprint (:func:`round_fingerprints`), the indicator definitions,
    the kind filter and the registry data version, so they are never stale; the rounds not in the cache are
    computed together in one query."""
    rounds = list(rounds)
    if not rounds or not indicators:
        return {}
    fingerprints = round_fingerprints([r.pk for r in rounds], [Submission.State.APPROVED])
    definitions = [
        (i.code, i.numerator, i.denominator, str(i.factor), list(i.kinds), list(i.forms)) for i in indicators
    ]
    keys = {
        r.pk: cache_key("pooled", r.pk, r.template_id, fingerprints.get(r.pk), definitions, kind_id, kind_code)
        for r in rounds
    }
    cache = page_cache()
    cached = cache.get_many(list(keys.values()))
    result: dict[tuple[str, int], Pooled] = {}
    missing = []
    for round_ in rounds:
        if keys[round_.pk] in cached:
            result.update(cached[keys[round_.pk]])
        elif fingerprints.get(round_.pk) is None:
            continue  # no approved submission: nothing to compute
        else:
            missing.append(round_)
    if missing:
        computed = compute_pooled(rounds=missing, indicators=indicators, kind_id=kind_id, kind_code=kind_code)
        fresh = {keys[r.pk]: {k: v for k, v in computed.items() if k[1] == r.pk} for r in missing}
        cache.set_many(fresh, CACHE_TIMEOUT)
        result.update(computed)
    return result


def compute_pooled(
    *, rounds: Sequence, indicators: Sequence[Indicator], kind_id: int | None = None, kind_code: str | None = None
) -> dict[tuple[str, int], Pooled]:
    """(indicator code, round pk) → (value, Σ numerator, Σ denominator, services counted) – one query.

    ``kind_code`` filters by the kind in the submissions' registry facts (else the registry service's kind);
    ``kind_id`` by the registry service's kind."""
    round_ids = [r.pk for r in rounds]
    if not round_ids or not indicators:
        return {}
    names: set[str] = set()
    parsed = []
    for indicator in indicators:
        try:
            numerator = parse(indicator.numerator)
            denominator = parse(indicator.denominator) if indicator.denominator.strip() else None
        except ExpressionError:
            continue
        names |= numerator.names | (denominator.names if denominator else set())
        parsed.append((indicator, numerator, denominator))
    element_ids: dict[str, list[int]] = defaultdict(list)
    template_ids = {r.template_id for r in rounds}
    for pk, code in DataElement.objects.filter(template_id__in=template_ids, code__in=names).values_list("pk", "code"):
        element_ids[code].append(pk)

    pivot = _Pivot(element_ids)
    outer: list[str] = []
    outer_params: list = []
    form_columns: dict[str, str] = {}
    form_params: list = []
    computed: list[tuple[Indicator, int]] = []
    for indicator, numerator, denominator in parsed:
        num_params: list = []
        den_params: list = []
        try:
            num_sql = _sql(numerator.tree.body, pivot, num_params)
            den_sql = _sql(denominator.tree.body, pivot, den_params) if denominator else "1.0"
        except Unsupported:
            continue
        # a service counts when its own value is known: numerator known, denominator known and not 0
        conditions = [f"({num_sql}) IS NOT NULL", f"({den_sql}) <> 0"]
        cond_params = num_params + den_params  # the constants, in the order of the SQL text
        if indicator.kinds:
            conditions.append(f"p.kind_code IN ({', '.join(['%s'] * len(indicator.kinds))})")
            cond_params += [str(k) for k in indicator.kinds]
        if indicator.forms:
            flags = []
            for key in indicator.forms:
                if key not in form_columns:
                    form_columns[key] = f"f{len(form_columns)}"
                    form_params.append(str(key))
                flags.append(f"p.{form_columns[key]} = 1")
            conditions.append("(" + " OR ".join(flags) + ")")
        condition = " AND ".join(conditions)
        index = len(computed)
        outer.append(f"SUM(CASE WHEN {condition} THEN {num_sql} END) AS n{index}")
        outer_params += cond_params + num_params
        outer.append(f"SUM(CASE WHEN {condition} THEN {den_sql} END) AS d{index}")
        outer_params += cond_params + den_params
        outer.append(f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS s{index}")
        outer_params += cond_params
        computed.append((indicator, index))
    if not computed:
        return {}

    form_selects = [f"{_form_flag()} AS {column}" for column in form_columns.values()]
    form_params = [param for key in form_params for param in (key, key)]
    inner_select = ["s.round_id AS round_id", f"{_kind_code()} AS kind_code", *form_selects, *pivot.select]
    all_ids = sorted({pk for ids in element_ids.values() for pk in ids})
    where = [f"s.round_id IN ({', '.join(['%s'] * len(round_ids))})", "s.state = %s"]
    where_params: list = [*round_ids, Submission.State.APPROVED]
    if kind_id is not None:
        where.append("sv.kind_id = %s")
        where_params.append(kind_id)
    if kind_code is not None:
        where.append(f"{_kind_code()} = %s")
        where_params.append(kind_code)
    inner = (
        f"SELECT {', '.join(inner_select)} FROM {_table(Submission)} s "
        f"JOIN {_table(Service)} sv ON sv.id = s.service_id "
        f"LEFT JOIN {_table(ServiceKind)} k ON k.id = sv.kind_id "
        f"JOIN {_table(SubmissionValue)} v ON v.submission_id = s.id "
        f"AND v.element_id IN ({', '.join(str(int(pk)) for pk in all_ids) or 'NULL'}) "
        f"WHERE {' AND '.join(where)} GROUP BY s.id, s.round_id, s.service_id, k.code"
    )
    sql = f"SELECT p.round_id, {', '.join(outer)} FROM ({inner}) p GROUP BY p.round_id"
    params = outer_params + form_params + pivot.params + where_params
    result: dict[tuple[str, int], tuple[Decimal | None, Decimal | None, Decimal | None, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        round_id = row[0]
        for indicator, index in computed:
            numerator = _decimal(row[1 + 3 * index])
            denominator = _decimal(row[2 + 3 * index])
            services = int(row[3 + 3 * index] or 0)
            value = None
            if services and numerator is not None and denominator:
                value = numerator / denominator * indicator.factor
            result[(indicator.code, round_id)] = (value, numerator, denominator, services)
    return result
