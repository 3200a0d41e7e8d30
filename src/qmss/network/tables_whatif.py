"""The rows of the what-if page's long tables (the ranking of a kind and the form's row per candidate), ready to
print: a region's kind has a few hundred candidates, so every display text (numbers in the active language's
format, the move, the type, the gettext messages, looked up once per table) is computed here as plain text, and
the templates ``network/whatif/_ranking_rows.html`` and ``_input_rows.html`` only loop, print and escape.

Rows are dicts: the template engine resolves a dict key at the first try (an attribute only after a failed
subscript)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmss.core.formatting import format_number
from qmss.network import forms_whatif


class _Numbers:
    """Numbers in the active language's format, fast: one decimal place, no grouping (scores are 0–100)."""

    def __init__(self) -> None:
        self.separator = get_format("DECIMAL_SEPARATOR")

    def one(self, value: float | None) -> str:
        if value is None:
            return "–"
        text = f"{value:.1f}"
        if text == "-0.0":
            text = "0.0"
        return text.replace(".", self.separator)

    def signed(self, value: float | None) -> str:
        if value is None:
            return "–"
        text = self.one(value)
        return f"+{text}" if value > 0 else text


class _Texts:
    """The tables' fixed texts, translated once."""

    def __init__(self) -> None:
        self.not_before = ("", _("not ranked before"))
        self.no_change = ("=", _("no change"))
        self.added = _("added in the what-if")
        self.yes, self.no = _("yes"), _("no")
        self.before_yes, self.before_no = _("before: yes"), _("before: no")
        self.no_data = _("no data")
        self.remove = _("remove from the network")

        @cache
        def up(count: int) -> tuple[str, str]:
            return "↑", ngettext("%(count)s place up", "%(count)s places up", count) % {"count": count}

        @cache
        def down(count: int) -> tuple[str, str]:
            return "↓", ngettext("%(count)s place down", "%(count)s places down", count) % {"count": count}

        self._up, self._down = up, down

    def move(self, row) -> tuple[str, str]:
        """The arrow (hidden from screen readers; empty when not ranked before) and the text of the move."""
        if row.move is None:
            return self.not_before
        if row.move > 0:
            return self._up(row.move)
        if row.move < 0:
            return self._down(row.move_down)
        return self.no_change

    def type(self, row) -> str:
        if row.is_entry:
            return _("entry (%(tier)s)") % {"tier": row.type_label}
        text = _("application %(kind)s") % {"kind": row.type_label}
        return f"{text} – {self.added}" if row.added else text

    def passes(self, row) -> str:
        text = self.yes if row.passes else self.no
        if row.passes != row.base_passes:
            text = f"{text} ({self.before_yes if row.base_passes else self.before_no})"
        return text


def _capacity_change(row) -> str:
    if not row.capacity_changed:
        return ""
    return _("capacity %(old)s → %(new)s %(unit)s") % {
        "old": format_number(row.base_capacity),
        "new": format_number(row.capacity),
        "unit": row.unit,
    }


def ranking_rows(view) -> list[dict]:
    """Rows of the ranking table (rank, change, service, type, sub-scores, total, change, thresholds)."""
    n, t = _Numbers(), _Texts()
    rows = []
    for row in view.rows:
        arrow, move = t.move(row)
        rows.append(
            {
                "rank": f"{int(row.rank)}.",
                "arrow": arrow,
                "move": move,
                "name": row.name,
                "url": row.explain_url,
                "provider": row.provider,
                "type": t.type(row),
                "capacity_change": _capacity_change(row),
                "subs": [(n.one(value), t.no_data if missing else "") for _code, value, missing in row.subs],
                "total": n.one(row.total),
                "total_change": n.signed(row.total_change),
                "passes": t.passes(row),
            }
        )
    return rows


def _capacity_value(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def input_rows(view) -> list[dict]:
    """Rows of the form's table: remove an entry / add an application, and the capacity of each candidate."""
    t = _Texts()
    rows = []
    for row in view.inputs:
        if row.is_entry:
            field, checked, toggle = forms_whatif.REMOVE, row.removed, t.remove
        else:
            field, checked = forms_whatif.ADD, row.added
            toggle = _("add application %(kind)s to the network") % {"kind": row.type_label}
        rows.append(
            {
                "key": row.key,
                "name": row.name,
                "provider": row.provider,
                "field": field,
                "toggle_id": f"{field}-{row.key}",
                "capacity_field": f"{forms_whatif.CAPACITY_PREFIX}{row.key}",
                "checked": checked,
                "toggle": toggle,
                "capacity_label": _("Capacity of %(name)s (%(unit)s)") % {"name": row.name, "unit": row.unit},
                "capacity": _capacity_value(row.capacity),
                "unit": row.unit,
                "was": _("was %(value)s") % {"value": format_number(row.base_capacity)} if row.capacity_changed else "",
            }
        )
    return rows
