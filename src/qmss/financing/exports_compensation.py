"""The XLSX of a compensation run: the programme, the run, the budget, the coefficient and the formula on top,
then one row per line with every input and step (optimal, adjustment, caps, capped, compensation) and the
totals. Every value goes through :mod:`qmss.core.cells` (texts never become formulas)."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _

from qmss.core import cells
from qmss.financing import selectors_compensation as selectors
from qmss.financing.models import CompensationRun


def formula_text() -> str:
    return _(
        "optimal = units × (usual cost − usual own revenue), at least 0; adjusted = optimal × (1 + band % / 100); "
        "capped = min(adjusted, maximum public share × units × usual cost, budgeted public need); "
        "coefficient = min(1, budget / Σ capped); compensation = capped × coefficient, rounded down to whole CZK"
    )


def headers() -> list[str]:
    return [
        _("Service"),
        _("Service identifier"),
        _("Provider"),
        _("Applicant organisation"),
        _("Kind of service"),
        _("Units"),
        _("Unit"),
        _("Usual cost per unit (CZK)"),
        _("Usual own revenue per unit (CZK)"),
        _("Maximum public share"),
        _("Budgeted public need (CZK)"),
        _("Network score"),
        _("Optimal (CZK)"),
        _("Criteria adjustment (%)"),
        _("After the adjustment (CZK)"),
        _("Cap by the public share (CZK)"),
        _("Cap by the budgeted net cost (CZK)"),
        _("After the caps (CZK)"),
        _("Budget coefficient"),
        _("Compensation (CZK)"),
        _("Problem"),
    ]


MONEY_COLUMNS = (8, 9, 11, 13, 15, 16, 17, 18, 20)


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value))


def rows(run: CompensationRun, sort: str = selectors.DEFAULT_SORT):
    for line in selectors.lines(run, sort).iterator(chunk_size=500):
        service = line.service
        score = (line.inputs or {}).get("score") or {}
        budget = (line.inputs or {}).get("budget") or {}
        yield [
            service.name,
            service.identifier,
            service.provider.name,
            line.application.organisation.name,
            service.kind.name if service.kind_id else service.kind_code,
            line.units,
            line.unit,
            line.usual_cost,
            line.usual_revenue,
            line.max_public_share,
            _decimal(budget.get("public_need")),
            _decimal(score.get("total")),
            line.optimal,
            line.adjustment_percent,
            line.adjusted,
            line.cap_public_share,
            line.cap_net_cost,
            line.capped,
            run.coefficient,
            line.real,
            selectors.problem_text(line.problem),
        ]


def run_xlsx(run: CompensationRun, *, sort: str = selectors.DEFAULT_SORT) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    programme = run.programme
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Compensation")[:31])
    bold = Font(bold=True)
    title = cells.cell(sheet, f"{programme.name} {programme.year} – {_('calculation no.')} {run.number}")
    title.font = bold
    cells.append(sheet, [title])
    cells.append(sheet, [_("State"), run.get_state_display()])
    cells.append(sheet, [_("Budget (CZK)"), run.budget], formats={2: cells.DECIMAL_FORMAT})
    cells.append(sheet, [_("Budget coefficient"), run.coefficient], formats={2: "0.000000"})
    cells.append(sheet, [_("Formula"), formula_text()])
    cells.append(sheet, [])
    header = [cells.cell(sheet, text) for text in headers()]
    for cell in header:
        cell.font = bold
    cells.append(sheet, header)
    formats = dict.fromkeys(MONEY_COLUMNS, cells.DECIMAL_FORMAT)
    formats.update({6: cells.DECIMAL_FORMAT, 10: "0.0000", 12: cells.DECIMAL_FORMAT, 14: cells.DECIMAL_FORMAT})
    formats[19] = "0.000000"
    for row in rows(run, sort):
        cells.append(sheet, row, formats=formats)
    totals = selectors.totals(run)
    total_row = [_("Total")] + [None] * 4 + [totals.units] + [None] * 6
    total_row += [totals.optimal, None, totals.adjusted, None, None, totals.capped, None, totals.real]
    cells.append(sheet, total_row, formats=formats)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
