"""The analysis table as XLSX (through ``qmss.core.cells``: numbers stay numbers, texts never become formulas)."""

from __future__ import annotations

import tempfile

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import cells
from qmss.network.selectors_analysis import Analysis

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_1000_FORMAT = "#,##0.00"
CAPACITY_FORMAT = "#,##0.0#"


def headers(analysis: Analysis) -> list[str]:
    return [
        _("ORP"),
        _("RÚIAN code of the ORP"),
        _("Capacity (%(unit)s)") % {"unit": analysis.unit_name},
        _("Target population"),
        _("Capacity per 1,000 of the target population"),
        _("Demand (%(unit)s)") % {"unit": analysis.unit_name},
        _("Demand gap (demand − capacity)"),
        _("Capacity at the benchmark"),
        _("Services counted"),
        _("Map class"),
    ]


def data_rows(analysis: Analysis) -> list[list]:
    return [
        [
            row.name,
            row.ruian_code,
            row.capacity,
            row.population,
            row.per_1000,
            row.demand,
            row.gap,
            row.benchmark_capacity,
            row.services,
            row.class_label,
        ]
        for row in analysis.rows
    ]


def _notes(analysis: Analysis) -> list[list]:
    source = (
        _("Network %(name)s, version %(number)s")
        % {"name": analysis.network.name, "number": getattr(analysis.version, "number", "–")}
        if analysis.network is not None
        else _("Registry of social service providers (services registered today)")
    )
    notes = [
        [_("Region"), analysis.region.name],
        [_("Kind group"), analysis.group.name],
        [_("Service kinds"), ", ".join(analysis.group.kinds)],
        [_("Unit"), analysis.unit_name],
        [_("Target population"), _("aged 65+") if analysis.group.target == "65+" else _("all residents")],
        [_("Capacity source"), source],
        [_("Region per 1,000"), analysis.region_per_1000],
        [_("Median of the region's ORPs per 1,000"), analysis.region_median],
        [_("National median of ORPs per 1,000 (registry)"), analysis.national_median],
        [_("Split rule"), analysis.split_note],
    ]
    for benchmark in analysis.benchmarks:
        state = _("verified") if benchmark.verified else _("not verified")
        notes.append([benchmark.name, benchmark.per_1000, f"{benchmark.source} ({state})"])
    return notes


def write_xlsx(analysis: Analysis, target) -> int:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Need and capacity")[:31])
    sheet.freeze_panes = "B2"
    for index, width in enumerate([30, 12, 14, 16, 16, 14, 16, 16, 12, 40], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = [cells.cell(sheet, title) for title in headers(analysis)]
    for item in header:
        item.font = bold
    cells.append(sheet, header)
    formats = {3: CAPACITY_FORMAT, 4: cells.INTEGER_FORMAT, 5: PER_1000_FORMAT, 6: CAPACITY_FORMAT,
               7: CAPACITY_FORMAT, 8: CAPACITY_FORMAT}  # fmt: skip
    count = 0
    for row in data_rows(analysis):
        cells.append(sheet, row, formats=formats)
        count += 1
    notes = workbook.create_sheet(title=_("Notes")[:31])
    notes.column_dimensions["A"].width = 40
    notes.column_dimensions["B"].width = 60
    for row in _notes(analysis):
        cells.append(notes, row, formats={2: PER_1000_FORMAT})
    workbook.save(target)
    return count


def filename(analysis: Analysis) -> str:
    return f"analyza-site-{analysis.region.code}-{analysis.group.code}-{timezone.localdate():%Y-%m-%d}.xlsx"


def xlsx_response(analysis: Analysis) -> FileResponse:
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 – FileResponse closes (and so removes) it
    write_xlsx(analysis, target)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=filename(analysis), content_type=XLSX_CONTENT_TYPE)
