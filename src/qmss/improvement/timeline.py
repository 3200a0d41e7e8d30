"""The plan's timeline: an accessible table-based Gantt chart with months as columns and actions as rows.

Each action's bar runs from the start of the plan period to its deadline; the deadline cell says so in text
(and whether it is overdue or done), so nothing depends on colour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

MAX_MONTHS = 36


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


@dataclass
class Cell:
    month: date
    kind: str = ""  # "", "bar", "deadline"


@dataclass
class Row:
    action: object
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Timeline:
    months: list[date]
    rows: list[Row]
    undated: list[object]
    current_month: date
    truncated: bool = False


def build_timeline(plan, actions, today: date) -> Timeline:
    dated = [a for a in actions if a.deadline is not None]
    first = month_start(min([plan.period_start] + [a.deadline for a in dated]))
    last = month_start(max([plan.period_end] + [a.deadline for a in dated]))
    months: list[date] = []
    month = first
    while month <= last and len(months) < MAX_MONTHS:
        months.append(month)
        month = add_month(month)
    truncated = month <= last
    start = month_start(plan.period_start)
    rows = []
    for action in dated:
        due = month_start(action.deadline)
        cells = []
        for month in months:
            if month == due:
                kind = "deadline"
            elif start <= month < due:
                kind = "bar"
            else:
                kind = ""
            cells.append(Cell(month=month, kind=kind))
        rows.append(Row(action=action, cells=cells))
    undated = [a for a in actions if a.deadline is None]
    return Timeline(months=months, rows=rows, undated=undated, current_month=month_start(today), truncated=truncated)
