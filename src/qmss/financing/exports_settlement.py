"""Settlement spreadsheets: one settlement (the provider and the manager) and every settlement of a programme (the
manager). Every value goes through :mod:`qmss.core.cells` (user texts never become formulas)."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _

from qmss.core import cells
from qmss.financing.selectors_settlement import Explanation, explain

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY = "#,##0.00"
SHARE = cells.PERCENT_FORMAT


def _workbook():
    from openpyxl import Workbook

    return Workbook()


def _bold(sheet, value):
    from openpyxl.styles import Font

    made = cells.cell(sheet, value)
    made.font = Font(bold=True)
    return made


def _save(workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _widths(sheet, widths) -> None:
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def settlement_xlsx(explanation: Explanation) -> bytes:
    """One settlement: facts, the budget lines, every figure with its formula, the parameters with their source."""
    settlement = explanation.settlement
    application = settlement.application
    programme = application.programme
    workbook = _workbook()
    sheet = workbook.active
    sheet.title = _("Settlement")[:31]
    facts = [
        (_("Programme"), f"{programme.name} {programme.year}"),
        (_("Manager"), programme.organisation.name),
        (_("Provider"), settlement.organisation.name),
        (_("Service"), application.service.name),
        (_("State"), settlement.get_state_display()),
        (_("Actual units"), settlement.units),
        (_("Note"), settlement.note),
        (_("Manager's note"), settlement.reviewer_note),
    ]
    for label, value in facts:
        cells.append(sheet, [_bold(sheet, label), value])
    cells.append(sheet, [])
    cells.append(sheet, [_bold(sheet, _("Item")), _bold(sheet, _("Amount (CZK)"))])
    for heading, lines in (
        (_("Actual costs"), explanation.costs),
        (_("Own revenues"), explanation.revenues),
        (_("Public money received"), explanation.public),
    ):
        cells.append(sheet, [_bold(sheet, heading)])
        for line in lines:
            cells.append(sheet, [line.label, line.amount], formats={2: MONEY})
    cells.append(sheet, [])
    cells.append(sheet, [_bold(sheet, _("Figure")), _bold(sheet, _("Amount (CZK)")), _bold(sheet, _("Formula"))])
    for figure in explanation.figures:
        cells.append(sheet, [figure.label, figure.value, figure.formula], formats={2: MONEY})
    cells.append(sheet, [])
    cells.append(
        sheet,
        [
            _bold(sheet, _("Parameter")),
            _bold(sheet, _("Value")),
            _bold(sheet, _("Source")),
            _bold(sheet, _("Verified")),
        ],
    )
    for parameter in explanation.parameters:
        cells.append(
            sheet,
            [
                parameter.label,
                parameter.value,
                f"{parameter.source} – {parameter.library_source}",
                _("verified") if parameter.verified else _("not verified"),
            ],
            formats={2: SHARE},
        )
    _widths(sheet, [44, 18, 90, 14])
    return _save(workbook)


def programme_headers() -> list[str]:
    return [
        _("Service"),
        _("Provider"),
        _("State"),
        _("Actual costs"),
        _("Own revenues"),
        _("Public money received"),
        _("of it compensation"),
        _("Net cost"),
        _("Reasonable profit"),
        _("Overcompensation"),
        _("Carried over"),
        _("To return"),
        _("Submitted"),
    ]


def programme_xlsx(programme, settlements) -> bytes:
    """Every settlement of a programme, a row each (the stored results of submitted and checked settlements; a
    draft's figures are computed now and marked by its state)."""
    workbook = _workbook()
    sheet = workbook.active
    sheet.title = _("Settlements")[:31]
    cells.append(sheet, [_bold(sheet, f"{programme.name} {programme.year}"), programme.organisation.name])
    cells.append(sheet, [_bold(sheet, title) for title in programme_headers()])
    money_columns = dict.fromkeys(range(4, 13), MONEY)
    for settlement in settlements:
        x = explain(settlement, with_awarded=False)
        by_code = {figure.code: figure.value for figure in x.figures}
        public = {line.code: line.amount for line in x.public}
        cells.append(
            sheet,
            [
                settlement.application.service.name,
                settlement.organisation.name,
                settlement.get_state_display(),
                by_code["costs"],
                by_code["own_revenues"],
                by_code["public_money"],
                public.get("compensation"),
                x.result.net_cost,
                x.result.reasonable_profit,
                x.result.overcompensation,
                x.result.carry_over,
                x.result.to_return,
                settlement.submitted_at,
            ],
            formats=money_columns,
        )
    sheet.freeze_panes = "A3"
    _widths(sheet, [40, 36, 18, *([16] * 9), 16])
    return _save(workbook)
