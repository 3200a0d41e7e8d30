"""Exports of a development plan: XLSX (openpyxl) and PDF (WeasyPrint, A4)."""

from __future__ import annotations

from io import BytesIO

from django.template.loader import render_to_string
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _date(value) -> str:
    return formats.date_format(value, "j. n. Y") if value else ""


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
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Plan")[:31]
    facts = [
        (_("Development plan"), plan.title),
        (_("Organisation"), plan.organisation.name),
        (_("Service"), plan.service.name if plan.service else _("whole organisation")),
        (_("Period"), f"{_date(plan.period_start)} – {_date(plan.period_end)}"),
        (_("State"), plan.get_state_display()),
        (_("Goals"), plan.goals),
    ]
    for label, value in facts:
        sheet.append([label, value])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append([])
    sheet.append(headers())
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in action_rows(actions):
        sheet.append(row)
        sheet.cell(row=sheet.max_row, column=6).number_format = "DD.MM.YYYY"
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


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (quotes, backslashes, newlines and ``<`` escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    return f'"{escaped}"'


def plan_pdf_html(plan, actions, today) -> str:
    footer = mark_safe(css_string(f"QMSS · {plan.organisation.name}"))  # noqa: S308 – escaped for CSS above
    return render_to_string(
        "improvement/plan_pdf.html", {"plan": plan, "actions": actions, "today": today, "css_footer": footer}
    )


def plan_pdf(plan, actions, today) -> bytes:
    from weasyprint import HTML

    return HTML(string=plan_pdf_html(plan, actions, today)).write_pdf()
