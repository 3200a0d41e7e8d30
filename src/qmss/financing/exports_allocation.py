"""The XLSX of a programme's budget allocation: the budget, the totals, the shadow price and the linear programme
in words on top, then one row per service with both methods, the difference and the reason, then the need groups.
Every value goes through :mod:`qmss.core.cells` (texts never become formulas)."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _

from qmss.core import cells
from qmss.financing import allocation_problem
from qmss.financing.allocation_problem import Comparison
from qmss.financing.models import Programme


def headers() -> list[str]:
    return [
        _("Service"),
        _("Provider"),
        _("Kind of service"),
        _("ORPs served"),
        _("Units"),
        _("Unit"),
        _("Quality score"),
        _("Eligible for the optimiser"),
        _("Compensation after the caps (CZK)"),
        _("Units of need covered at the full cap"),
        _("Need covered per 1 million CZK"),
        _("Proportional (CZK)"),
        _("Optimised (CZK)"),
        _("Difference (CZK)"),
        _("Change"),
        _("Reason"),
    ]


def allocation_xlsx(programme: Programme, comparison: Comparison) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Allocation")[:31])
    bold = Font(bold=True)
    money = cells.INTEGER_FORMAT
    title = cells.cell(sheet, f"{programme.name} {programme.year} – {_('budget allocation')}")
    title.font = bold
    cells.append(sheet, [title])
    cells.append(sheet, [_("Manager"), programme.organisation.name])
    cells.append(sheet, [_("Network"), programme.network.name])
    cells.append(sheet, [_("Budget (CZK)"), comparison.budget], formats={2: cells.DECIMAL_FORMAT})
    cells.append(sheet, [_("Sum of the caps (CZK)"), comparison.total_caps], formats={2: cells.DECIMAL_FORMAT})
    cells.append(sheet, [_("Total need (units)"), comparison.total_need], formats={2: cells.DECIMAL_FORMAT})
    cells.append(
        sheet,
        [_("Need covered – proportional (units)"), comparison.proportional.covered_need],
        formats={2: cells.DECIMAL_FORMAT},
    )
    cells.append(
        sheet,
        [_("Need covered – optimised (units)"), comparison.optimised.covered_need],
        formats={2: cells.DECIMAL_FORMAT},
    )
    if comparison.shadow_price is not None:
        cells.append(sheet, [_("Need covered by one more CZK (units)"), comparison.shadow_price])
        cells.append(
            sheet,
            [_("Need covered by one more million CZK (units)"), comparison.shadow_price * allocation_problem.MILLION],
            formats={2: cells.DECIMAL_FORMAT},
        )
    for number, sentence in enumerate(allocation_problem.formulation(), start=1):
        cells.append(sheet, [_("Formulation") if number == 1 else None, sentence])
    cells.append(sheet, [])
    header = [cells.cell(sheet, text) for text in headers()]
    for item in header:
        item.font = bold
    cells.append(sheet, header)
    formats = {5: cells.DECIMAL_FORMAT, 7: cells.DECIMAL_FORMAT, 9: cells.DECIMAL_FORMAT, 10: cells.DECIMAL_FORMAT,
               11: cells.DECIMAL_FORMAT, 12: money, 13: money, 14: money}  # fmt: skip
    for row in comparison.rows:
        cells.append(
            sheet,
            [
                row["service"],
                row["provider"],
                row["kind_name"],
                ", ".join(row["orps"]),
                row["units"],
                row["unit"],
                None if row["quality"] is None else round(row["quality"], 2),
                _("yes") if row["eligible"] else _("no"),
                row["cap"],
                row["need_units"],
                row["need_per_million"],
                row["proportional"],
                row["optimised"],
                row["difference"],
                allocation_problem.change_text(row["change"]),
                allocation_problem.reason_text(row["reason"]),
            ],
            formats=formats,
        )
    cells.append(
        sheet,
        [_("Total")] + [None] * 7 + [comparison.total_caps, None, None]
        + [int(comparison.proportional.total), int(comparison.optimised.total),
           int(comparison.optimised.total) - int(comparison.proportional.total)],
        formats=formats,
    )  # fmt: skip
    cells.append(sheet, [])
    group_header = [cells.cell(sheet, text) for text in
                    (_("ORP"), _("Kind of service"), _("Need (units)"), _("Covered – proportional"),
                     _("Covered – optimised"))]  # fmt: skip
    for item in group_header:
        item.font = bold
    cells.append(sheet, group_header)
    for group in comparison.group_rows:
        cells.append(
            sheet,
            [
                group["orp"],
                group["kind_name"],
                group["need"],
                group["covered_proportional"],
                group["covered_optimised"],
            ],
            formats={3: cells.DECIMAL_FORMAT, 4: cells.DECIMAL_FORMAT, 5: cells.DECIMAL_FORMAT},
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
