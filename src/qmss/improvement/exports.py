"""Exports of a development plan: XLSX (openpyxl) and PDF (WeasyPrint, A4)."""

from __future__ import annotations

from io import BytesIO

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qmss.core import cells
from qmss.core.formatting import format_date
from qmss.core.pdf import css_string, html_to_pdf

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _date(value) -> str:
    return format_date(value)


def action_rows(actions) -> list[list]:
    rows = []
    for index, action in enumerate(actions, start=1):
        links = [f"{f.result.requirement.ref_id} {f.get_kind_display()}" for f in action.findings.all()]
        links += [f"{r.framework.short_name} {r.ref_id}" for r in action.requirements.all()]
        rows.append(
            [
                index,
                action.title,
                action.get_status_display() + (f" – {_('overdue')}" if action.overdue else ""),
                action.get_priority_display(),
                _user(action.owner),
                action.deadline,
                ", ".join(links),
                action.get_review_verdict_display() if action.review_verdict else "",
                action.review_text,
            ]
        )
    return rows


def headers() -> list[str]:
    return [
        "#",
        pgettext("development plan", "Action"),
        _("Status"),
        _("Priority"),
        _("Responsible"),
        _("Deadline"),
        _("Links"),
        _("Verdict"),
        _("Effectiveness review"),
    ]


def plan_xlsx(plan, actions) -> bytes:
    """The plan as an XLSX workbook; every value through :mod:`qmss.core.cells` (texts never become formulas)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Plan")[:31]
    bold = Font(bold=True)
    facts = [
        (_("Development plan"), plan.title),
        (_("Organisation"), plan.organisation.name),
        (_("Service"), plan.service.name if plan.service else _("whole organisation")),
        (_("Period"), f"{_date(plan.period_start)} – {_date(plan.period_end)}"),
        (_("State"), plan.get_state_display()),
        (_("Goals"), plan.goals),
    ]
    for label, value in facts:
        label_cell = cells.cell(sheet, label)
        label_cell.font = bold
        cells.append(sheet, [label_cell, value])
    cells.append(sheet, [])
    header_cells = [cells.cell(sheet, title) for title in headers()]
    for cell in header_cells:
        cell.font = bold
    cells.append(sheet, header_cells)
    header_row = sheet.max_row
    for row in action_rows(actions):
        cells.append(sheet, row)
    widths = [5, 50, 22, 12, 24, 12, 30, 18, 50]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plan_pdf_html(plan, actions, today) -> str:
    footer = css_string(f"QMSS · {plan.organisation.name}")  # hex-escaped: no text can leave the CSS string
    return render_to_string(
        "improvement/plan_pdf.html", {"plan": plan, "actions": actions, "today": today, "css_footer": footer}
    )


def plan_pdf(plan, actions, today) -> bytes:
    return html_to_pdf(plan_pdf_html(plan, actions, today))
