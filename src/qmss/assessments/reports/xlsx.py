"""The XLSX report (openpyxl): summary, criteria, findings and evidence, one sheet each.

Every value goes through :mod:`qmss.core.cells`: text typed by users is always written as text, never as a
formula (a comment starting with "=" stays text, with Excel's quote prefix).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from qmss.assessments.reports.data import ReportData
from qmss.core import cells
from qmss.core.formatting import format_date

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
PERCENT = cells.PERCENT_FORMAT
SCORE = "0.##"


def sheet_titles() -> tuple[str, str, str, str]:
    """Names of the four sheets in the active language (Czech: Souhrn, Kritéria, Zjištění, Doklady); with their
    own context, so that they may differ from the same words elsewhere. At most 31 characters (Excel)."""
    names = (
        pgettext("xlsx sheet", "Summary"),
        pgettext("xlsx sheet", "Criteria"),
        pgettext("xlsx sheet", "Findings"),
        pgettext("xlsx sheet", "Evidence"),
    )
    return tuple(name[:31] for name in names)


def _write_row(ws: Worksheet, row: int, values: Sequence, *, formats: dict[int, str] | None = None) -> None:
    for col, value in enumerate(values, start=1):
        number_format = formats.get(col) if formats and not isinstance(value, date) else None
        cell = cells.put(ws.cell(row=row, column=col), value, number_format=number_format)
        if isinstance(cell.value, str):
            cell.alignment = WRAP if "\n" in cell.value or len(cell.value) > 60 else TOP


def _table(
    ws: Worksheet,
    header_row: int,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    widths: Sequence[int],
    *,
    formats: dict[int, str] | None = None,
    freeze: str | None = None,
) -> int:
    """Write a header with bold cells, the rows, column widths, frozen panes (below the header unless
    ``freeze`` names the top-left unfrozen cell) and an autofilter; return the number of data rows."""
    for col, header in enumerate(headers, start=1):
        cell = cells.put(ws.cell(row=header_row, column=col), header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
    count = 0
    for count, values in enumerate(rows, start=1):
        _write_row(ws, header_row + count, values, formats=formats)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A{header_row}:{last}{header_row + max(count, 1)}"
    ws.freeze_panes = freeze or ws.cell(row=header_row + 1, column=1)
    return count


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _verdict(data: ReportData) -> str:
    if data.rule_withheld:
        return _("No verdict: the pass rule is unverified")
    if data.passed is None:
        return _("Incomplete") if data.missing else _("No verdict")
    return _("Passed") if data.passed else _("Not passed")


def _summary_sheet(ws: Worksheet, data: ReportData) -> None:
    cells.put(ws.cell(row=1, column=1), data.title).font = TITLE_FONT
    share_label = _("Share")
    period = " – ".join(format_date(d) if d else "…" for d in (data.period_start, data.period_end))
    facts = [
        (_("Service"), data.service_name or "–"),
        (_("Provider"), data.provider_name),
        (_("Company ID (IČO)"), data.provider_ico or "–"),
        (_("Framework"), f"{data.framework_title} ({data.framework_short_name} v{data.framework_version})"),
        (_("Kind of assessment"), data.kind_label),
        (_("State"), data.state_label),
        (_("Assessed period"), period if (data.period_start or data.period_end) else "–"),
        (_("Date of the visit"), data.visit_date),
        (_("Published"), data.published_at),
        (_("Audit body"), data.auditing_organisation or "–"),
        (_("Assessors"), ", ".join(data.assessors) or "–"),
        (_("Total score"), data.total),
        (_("Maximum"), data.max_total),
        (share_label, data.share),
        (_("Score computed over"), data.score_text),
        (_("Partial assessment"), data.partial_text or _("no")),
        (_("Result"), _verdict(data)),
        (
            _("Pass rule"),
            " ".join(part for part in (data.rule_text, f"({data.rule_label})" if data.rule_label else "") if part),
        ),
        (_("Rule status"), data.rule_status or _("verified rule")),
        (_("Failed essential criteria"), ", ".join(c.ref_id for c in data.failed_essential) or "–"),
        (_("Criteria without a result"), len(data.missing)),
        (_("Report generated"), data.generated_at),
    ]
    for offset, (label, value) in enumerate(facts, start=3):
        _write_row(ws, offset, [label, value], formats={2: PERCENT if label == share_label else SCORE})
        ws.cell(row=offset, column=1).font = HEADER_FONT
    header_row = 3 + len(facts) + 1
    rows = [
        (
            s.ref_id, s.title, s.score, s.max_score, s.share,
            _yes_no(s.failed_essential), sum(1 for c in s.criteria if c.answered), len(s.criteria),
        )
        for s in data.standards
    ]  # fmt: skip
    headers = (
        _("Standard"), _("Title"), _("Score"), _("Maximum"), _("Share"), _("Failed essential criterion"),
        _("Criteria with a result"), _("Criteria"),
    )  # fmt: skip
    widths = (28, 60, 10, 10, 10, 14, 12, 10)
    _table(ws, header_row, headers, rows, widths, formats={3: SCORE, 4: SCORE, 5: PERCENT}, freeze="A2")


def _criteria_sheet(ws: Worksheet, data: ReportData) -> int:
    rows = []
    for standard in data.standards:
        for c in standard.criteria:
            rows.append(
                (
                    c.ref_id, f"{standard.ref_id} {standard.title}", c.title, _yes_no(c.essential), c.value_label,
                    c.score, c.max_score, _yes_no(c.failed_essential), c.comment, "; ".join(c.evidence),
                )
            )  # fmt: skip
    headers = (
        _("Criterion"), _("Standard"), _("Title"), _("Essential"), _("Result"), _("Score"), _("Maximum"),
        _("Failed essential criterion"), _("Comment"), _("Evidence"),
    )  # fmt: skip
    return _table(ws, 1, headers, rows, (10, 30, 60, 10, 18, 9, 9, 12, 60, 40), formats={6: SCORE, 7: SCORE})


def _findings_sheet(ws: Worksheet, data: ReportData) -> int:
    rows = [
        (f.kind_label, f.ref_id, f.criterion_title, f.text, f.measure, f.deadline)
        for group in data.finding_groups
        for f in group.findings
    ]
    headers = (_("Kind"), _("Criterion"), _("Criterion title"), _("Finding"), _("Required measure"), _("Deadline"))
    return _table(ws, 1, headers, rows, (24, 10, 40, 70, 50, 12))


def _evidence_sheet(ws: Worksheet, data: ReportData) -> int:
    rows = [
        (
            e.title, e.kind_label, e.version, e.version_date, e.file_name, e.expires_on,
            _yes_no(e.expired), ", ".join(e.criteria),
        )
        for e in data.evidence
    ]  # fmt: skip
    headers = (
        _("Title"), _("Kind"), _("Version"), _("Date"), _("File name"), _("Valid until"), _("Expired"), _("Criteria"),
    )  # fmt: skip
    return _table(ws, 1, headers, rows, (50, 18, 9, 12, 36, 12, 10, 30))


def render_xlsx(data: ReportData) -> bytes:
    """The report of ``data`` as an XLSX workbook (bytes)."""
    workbook = Workbook()
    summary = workbook.active
    titles = sheet_titles()
    summary.title = titles[0]
    _summary_sheet(summary, data)
    _criteria_sheet(workbook.create_sheet(titles[1]), data)
    _findings_sheet(workbook.create_sheet(titles[2]), data)
    _evidence_sheet(workbook.create_sheet(titles[3]), data)
    workbook.properties.title = cells.xlsx_value(data.title)[:255]
    workbook.properties.creator = "QMSS"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
