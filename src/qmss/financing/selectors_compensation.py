"""Reads of the compensation part: runs of a programme, their lines (sorted, for the table and the export), the
totals, one line for its explanation page and the awarded line of an application.

Who sees what is decided by :mod:`qmss.financing.permissions`: the programme's manager side sees the runs and
every line (``can_see_programme``); a line's provider organisation sees its own line's explanation only
(``can_see_filed`` of the line's application) once the run is approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from qmss.core.scoping import Scope
from qmss.financing import permissions
from qmss.financing.error_codes import FinancingErrorCode
from qmss.financing.models import CompensationLine, CompensationRun, Programme, SubsidyApplication

ZERO = Decimal(0)

# ?razeni= value -> the field ordered by (a leading "-" reverses it); names by their Czech sort keys
SORTS: dict[str, str] = {
    "sluzba": "service__name_sort",
    "poskytovatel": "service__provider__name_sort",
    "druh": "service__kind__order",
    "jednotky": "units",
    "optimalni": "optimal",
    "koeficient": "adjustment_percent",
    "po-uprave": "adjusted",
    "strop-podil": "cap_public_share",
    "strop-naklady": "cap_net_cost",
    "po-stropech": "capped",
    "vyrovnavaci-platba": "real",
    "problem": "problem",
}
DEFAULT_SORT = "sluzba"


def problem_text(code: str) -> str:
    """Why a line has no amount, in words."""
    if not code:
        return ""
    texts = {
        FinancingErrorCode.NO_REFERENCE_VALUE.value: _(
            "No reference value for the service's kind and delivery form in the programme's reference values."
        ),
        FinancingErrorCode.UNIT_MISMATCH.value: _(
            "The application's unit differs from the unit of the reference value."
        ),
    }
    return texts.get(code, code)


def get_programme(programme_pk: int) -> Programme | None:
    return Programme.objects.select_related("organisation", "network", "reference_set").filter(pk=programme_pk).first()


def runs(programme: Programme) -> list[CompensationRun]:
    return list(programme.runs.select_related("created_by", "approved_by").order_by("-number"))


def latest_run(programme: Programme, approved_only: bool = False) -> CompensationRun | None:
    """The programme's newest run (the newest approved one with ``approved_only``)."""
    qs = CompensationRun.objects.filter(programme=programme)
    if approved_only:
        qs = qs.filter(state=CompensationRun.State.APPROVED)
    return qs.order_by("-number").first()


def run_by_number(programme: Programme, number: str | int | None) -> CompensationRun | None:
    """The run ``?vypocet=number`` of the programme, else the newest one (a malformed number → None)."""
    if number in (None, ""):
        return latest_run(programme)
    try:
        number = int(number)
    except (TypeError, ValueError):
        return None
    return CompensationRun.objects.filter(programme=programme, number=number).first()


def awarded_line(application: SubsidyApplication) -> CompensationLine | None:
    """The application's line in its programme's newest approved run (None before any approval)."""
    run = latest_run(application.programme, approved_only=True)
    if run is None:
        return None
    return CompensationLine.objects.filter(run=run, application=application).first()


def sort_key(value: str | None) -> str:
    """A known ``?razeni=`` value (with an optional leading "-"), else the default."""
    value = (value or "").strip()
    return value if value.lstrip("-") in SORTS else DEFAULT_SORT


def lines(run: CompensationRun, sort: str = DEFAULT_SORT) -> QuerySet[CompensationLine]:
    """The run's lines with their service, kind, provider and application (one query), ordered by ``sort``."""
    sort = sort_key(sort)
    field = F(SORTS[sort.lstrip("-")])
    order = field.desc(nulls_last=True) if sort.startswith("-") else field.asc(nulls_last=True)
    return (
        CompensationLine.objects.filter(run=run)
        .select_related("service__kind", "service__provider", "application__organisation")
        .order_by(order, "service__name_sort", "pk")
    )


@dataclass
class Totals:
    count: int
    problems: int
    units: Decimal
    optimal: Decimal
    adjusted: Decimal
    capped: Decimal
    real: Decimal


def totals(run: CompensationRun) -> Totals:
    row = CompensationLine.objects.filter(run=run).aggregate(
        count=Count("pk"),
        problems=Count("pk", filter=~Q(problem="")),
        units=Sum("units"),
        optimal=Sum("optimal"),
        adjusted=Sum("adjusted"),
        capped=Sum("capped"),
        real=Sum("real"),
    )
    return Totals(**{key: (value if value is not None else ZERO) for key, value in row.items()})


def visible_line(scope: Scope, line_pk: int) -> CompensationLine | None:
    """The line for its explanation page when ``scope`` may see it: the manager side any line, the line's provider
    organisation its own line once the run is approved."""
    line = (
        CompensationLine.objects.select_related(
            "run__programme__organisation",
            "run__programme__network",
            "service__kind",
            "service__provider",
            "application__organisation",
            "application__programme",
        )
        .filter(pk=line_pk)
        .first()
    )
    if line is None:
        return None
    if permissions.can_see_programme(scope, line.run.programme):
        return line
    # the provider: its own line of an approved run (a draft is the manager's working material)
    if line.run.state == CompensationRun.State.APPROVED and permissions.can_see_filed(scope, line.application):
        return line
    return None


def sees_programme(scope: Scope, programme: Programme) -> bool:
    return permissions.can_see_programme(scope, programme)
