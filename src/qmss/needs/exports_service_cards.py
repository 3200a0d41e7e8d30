"""XLSX export of the region's minimum-form report; every value through :mod:`qmss.core.cells` (no text ever
becomes a formula)."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _

from qmss.core import cells

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_headers() -> list[str]:
    return [
        _("Service"),
        _("Service identifier"),
        _("Provider"),
        _("Service kind"),
        _("Minimum form (version)"),
        _("Card state"),
        _("Card filled in by"),
        _("Below the minimum"),
        _("Needs covered"),
        _("Needs missing"),
        _("Covered needs"),
        _("Missing needs"),
    ]


def report_rows(comparisons) -> list[list]:
    rows = []
    for comparison in comparisons:
        service = comparison.service
        card = comparison.card
        rows.append(
            [
                service.name or str(service.portal_id),
                service.identifier,
                service.provider.name if service.provider_id else "",
                str(service.kind) if service.kind_id else "",
                comparison.minimum_form.version if comparison.minimum_form else None,
                card.get_state_display() if card else _("no card"),
                card.organisation.name if card else "",
                _("yes") if comparison.below else _("no"),
                len(comparison.covered),
                len(comparison.missing),
                ", ".join(need.name for need in comparison.covered),
                ", ".join(need.name for need in comparison.missing),
            ]
        )
    return rows


def report_xlsx(region, year: int, comparisons) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Minimum form")[:31]
    bold = Font(bold=True)
    title = cells.cell(sheet, _("Services and the minimum form of their kind – %(region)s, %(year)s")
                       % {"region": region.name, "year": year})  # fmt: skip
    title.font = bold
    cells.append(sheet, [title])
    cells.append(sheet, [])
    header = [cells.cell(sheet, text) for text in report_headers()]
    for item in header:
        item.font = bold
    cells.append(sheet, header)
    for row in report_rows(comparisons):
        cells.append(sheet, row, formats={5: cells.INTEGER_FORMAT, 9: cells.INTEGER_FORMAT, 10: cells.INTEGER_FORMAT})
    for index, width in enumerate([45, 14, 40, 30, 12, 14, 30, 12, 10, 10, 50, 50], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=4, column=1)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
