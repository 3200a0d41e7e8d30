"""XLSX export of the region evaluation dashboard: one sheet per block, every cell through :mod:`qmss.core.cells`
(texts never become formulas; numbers, percentages and dates stay real values with Czech-looking formats)."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import cells
from qmss.core.formatting import format_number
from qmss.needs import selectors_dashboard as sel

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(workbook, title: str, header: list[str]):
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)
    row = []
    for text in header:
        cell = cells.cell(sheet, text)
        cell.font = bold
        row.append(cell)
    sheet.append(row)
    return sheet


def _service_name(service) -> str:
    return str(service) if service is not None else ""


def _need_names(needs) -> str:
    return ", ".join(str(need) for need in needs or [])


def dashboard_xlsx(data: sel.Dashboard, *, round_label: Callable) -> bytes:
    """The dashboard as a workbook: filters, round completeness, indicators, minimum form, outliers."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    filters = data.filters

    about = _sheet(workbook, _("Evaluation"), [_("Item"), _("Value")])
    cells.append(about, [_("Region"), filters.region.name])
    cells.append(about, [_("Period from (year)"), filters.year_from])
    cells.append(about, [_("Period to (year)"), filters.year_to])
    cells.append(about, [_("Service kind"), filters.kind.name if filters.kind else _("all kinds")])
    cells.append(about, [_("Exported"), timezone.now()])

    sheet = _sheet(
        workbook,
        _("Completeness"),
        [_("Round"), _("Period"), _("Deadline"), _("State"), _("Services"), _("Submitted"), _("Approved"),
         _("Returned"), _("Late"), _("Missing")],
    )  # fmt: skip
    for row in data.completeness:
        round_ = row.round
        cells.append(
            sheet,
            [round_.name, round_label(round_), round_.deadline, round_.get_state_display(), row.services,
             row.submitted, row.approved, row.returned, row.late, row.missing],
        )  # fmt: skip

    sheet = _sheet(
        workbook,
        _("Indicators"),
        [_("Indicator"), _("Unit"), _("Round"), _("Period"), _("Value"), _("Numerator"), _("Denominator"),
         _("Services counted")],
    )  # fmt: skip
    for series in data.indicators:
        indicator = series.indicator
        places = indicator.decimals
        for point in series.points:
            cells.append(
                sheet,
                [
                    indicator.name,
                    indicator.unit,
                    point.round.name,
                    round_label(point.round),
                    cells.number_cell(sheet, point.value, places=places) if point.value is not None else None,
                    point.numerator,
                    point.denominator,
                    point.services,
                ],
                formats={6: cells.DECIMAL_FORMAT, 7: cells.DECIMAL_FORMAT},
            )

    sheet = _sheet(
        workbook, _("Minimum form"), [_("Service"), _("Provider"), _("Kind"), _("Missing needs"), _("Covered needs")]
    )
    if data.minimum.available:
        for comparison in data.minimum.rows:
            service = getattr(comparison, "service", None)
            cells.append(
                sheet,
                [
                    _service_name(service),
                    str(service.provider) if service is not None else "",
                    str(service.kind) if service is not None and service.kind_id else "",
                    _need_names(comparison.missing),
                    len(comparison.covered or []),
                ],
            )
    else:
        cells.append(sheet, [_("The minimum form report is not available yet.")])

    sheet = _sheet(
        workbook,
        _("Outliers"),
        [_("Round"), _("Data element"), _("Service"), _("Provider"), _("Value"), _("Peer median"), _("MAD"),
         _("Robust z-score"), _("Peers"), _("Peer values")],
    )  # fmt: skip
    outliers = data.outliers
    for outlier in outliers.rows:
        cells.append(
            sheet,
            [
                outliers.round.name,
                outliers.elements.get(outlier.element_code, outlier.element_code),
                _service_name(outlier.service),
                str(outlier.service.provider),
                outlier.value,
                outlier.median,
                outlier.mad,
                outlier.score,
                len(outlier.peers),
                "; ".join(format_number(v) for v in outlier.peers),
            ],
            formats={5: cells.DECIMAL_FORMAT, 6: cells.DECIMAL_FORMAT, 7: cells.DECIMAL_FORMAT, 8: "0.00"},
        )

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
