"""The long tables of the what-if page (the ranking of a kind and the form's row per candidate) rendered in Python:
a region's kind has a few hundred candidates, and the template engine would spend most of the recompute's time
budget on them. Every value is escaped (``format_html`` / ``conditional_escape``); the texts are the same
gettext messages the templates use, looked up once per table."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from html import escape

from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmss.core.formatting import format_number


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
    """The table's fixed texts, translated and escaped once."""

    def __init__(self) -> None:
        self.not_before = escape(_("not ranked before"))
        self.no_change = f'<span aria-hidden="true">= </span>{escape(_("no change"))}'
        self.added = escape(_("added in the what-if"))
        self.yes, self.no = escape(_("yes")), escape(_("no"))
        self.before_yes, self.before_no = escape(_("before: yes")), escape(_("before: no"))
        self.no_data = f' <span class="muted">({escape(_("no data"))})</span>'
        self.remove = escape(_("remove from the network"))

        @cache
        def up(count: int) -> str:
            text = ngettext("%(count)s place up", "%(count)s places up", count) % {"count": count}
            return f'<span aria-hidden="true">↑ </span>{escape(text)}'

        @cache
        def down(count: int) -> str:
            text = ngettext("%(count)s place down", "%(count)s places down", count) % {"count": count}
            return f'<span aria-hidden="true">↓ </span>{escape(text)}'

        self._up, self._down = up, down

    def move(self, row) -> str:
        if row.move is None:
            return self.not_before
        if row.move > 0:
            return self._up(row.move)
        if row.move < 0:
            return self._down(row.move_down)
        return self.no_change

    def type(self, row) -> str:
        if row.is_entry:
            text = escape(_("entry (%(tier)s)") % {"tier": row.type_label})
        else:
            text = escape(_("application %(kind)s") % {"kind": row.type_label})
            if row.added:
                text = f"{text} – {self.added}"
        if row.capacity_changed:
            change = _("capacity %(old)s → %(new)s %(unit)s") % {
                "old": format_number(row.base_capacity),
                "new": format_number(row.capacity),
                "unit": row.unit,
            }
            text = f"{text}<br>{escape(change)}"
        return text


def _name(row, link: bool = True) -> str:
    name = escape(row.name)
    if link and row.explain_url:
        name = f'<a href="{escape(row.explain_url)}">{name}</a>'
    if row.provider:
        name = f'{name}<br><span class="muted">{escape(row.provider)}</span>'
    return name


def ranking_rows(view) -> SafeString:
    """``<tr>``s of the ranking table (rank, change, service, type, sub-scores, total, change, thresholds)."""
    n, t = _Numbers(), _Texts()
    parts = []
    for row in view.rows:
        subs = "".join(
            f'<td class="num">{n.one(value)}{t.no_data if missing else ""}</td>' for _code, value, missing in row.subs
        )
        passes = t.yes if row.passes else t.no
        if row.passes != row.base_passes:
            passes = f"{passes} ({t.before_yes if row.base_passes else t.before_no})"
        parts.append(
            f'<tr><td class="num">{int(row.rank)}.</td><td>{t.move(row)}</td><th scope="row">{_name(row)}</th>'
            f'<td>{t.type(row)}</td>{subs}<td class="num"><strong>{n.one(row.total)}</strong></td>'
            f'<td class="num">{n.signed(row.total_change)}</td><td>{passes}</td></tr>\n'
        )
    return mark_safe("".join(parts))  # noqa: S308 - user text escaped above, numbers formatted by us


def _capacity_value(value: Decimal | None) -> str:
    return "" if value is None else escape(str(value))


def input_rows(view) -> SafeString:
    """``<tr>``s of the form's table: remove an entry / add an application, and the capacity of each candidate."""
    t = _Texts()
    parts = []
    for row in view.inputs:
        key = escape(row.key)
        hidden_name = escape(row.name)
        if row.is_entry:
            checked = " checked" if row.removed else ""
            toggle = (
                f'<input type="checkbox" id="odebrat-{key}" name="odebrat" value="{key}"{checked}> '
                f'<label for="odebrat-{key}">{t.remove}<span class="visually-hidden"> – {hidden_name}</span></label>'
            )
        else:
            checked = " checked" if row.added else ""
            label = escape(_("add application %(kind)s to the network") % {"kind": row.type_label})
            toggle = (
                f'<input type="checkbox" id="pridat-{key}" name="pridat" value="{key}"{checked}> '
                f'<label for="pridat-{key}">{label}<span class="visually-hidden"> – {hidden_name}</span></label>'
            )
        label = escape(_("Capacity of %(name)s (%(unit)s)") % {"name": row.name, "unit": row.unit})
        changed = ""
        if row.capacity_changed:
            was = _("was %(value)s") % {"value": format_number(row.base_capacity)}
            changed = f' <span class="muted">({escape(was)})</span>'
        parts.append(
            f'<tr><th scope="row">{_name(row, link=False)}</th><td>{toggle}</td><td>'
            f'<label for="kapacita-{key}" class="visually-hidden">{label}</label>'
            f'<input type="number" id="kapacita-{key}" name="kapacita-{key}" value="{_capacity_value(row.capacity)}"'
            f' min="0" max="100000" step="0.01" inputmode="decimal"> {escape(row.unit)}{changed}</td></tr>\n'
        )
    return mark_safe("".join(parts))  # noqa: S308 - user text escaped above
