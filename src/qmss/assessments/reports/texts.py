"""The sentences that say what a score is computed over, and that an assessment is partial – one wording for the
assessment page, the PDF and the XLSX (issue #9: "scores and percentages say how many criteria they are computed
over"; never "0 z 0 bodů ( %)").

Numbers go through :mod:`qmss.core.formatting`; counts through ``ngettext``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmss.core.formatting import format_decimal

try:  # the one percentage rule of QMSS (helper "czech" adds it to core.formatting)
    from qmss.core.formatting import format_percent as _format_percent
except ImportError:  # pragma: no cover - until core.formatting has it
    _format_percent = None

NBSP = "\u00a0"


@dataclass(frozen=True)
class Basis:
    """What a score is computed over: criteria with points, criteria with any result, criteria that apply."""

    scored: int
    assessed: int
    total: int


def basis_of(evaluation: Any) -> Basis | None:
    """The basis of a :class:`qmss.frameworks.scoring.Evaluation` (None without one)."""
    if evaluation is None:
        return None
    criteria = [criterion for standard in evaluation.standards for criterion in standard.criteria]
    return Basis(
        scored=sum(1 for criterion in criteria if criterion.score is not None),
        assessed=len(criteria) - len(evaluation.missing),
        total=len(criteria),
    )


def percent(share: Any) -> str:
    """A share (0–1) as a percentage by the one rule (one decimal place, a trailing ,0 dropped); "" for None."""
    if share is None:
        return ""
    if _format_percent is not None:
        return _format_percent(ratio=share)
    number = (Decimal(str(share)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{format_decimal(number)}{NBSP}%"


def points(total: Any, maximum: Any) -> str:
    """ "12 z 18 bodů" – the plural form follows the maximum."""
    count = int(Decimal(str(maximum or 0)))
    return ngettext("%(total)s of %(max)s point", "%(total)s of %(max)s points", count) % {
        "total": format_decimal(total or 0),
        "max": format_decimal(maximum or 0),
    }


def basis_text(basis: Basis) -> str:
    """ "za 6 posouzených kritérií z celkových 48", or that nothing has been assessed yet."""
    if basis.scored == 0:
        return nothing_assessed_text(basis)
    return ngettext(
        "over %(scored)d assessed criterion of %(total)d in all",
        "over %(scored)d assessed criteria of %(total)d in all",
        basis.scored,
    ) % {"scored": basis.scored, "total": basis.total}


def nothing_assessed_text(basis: Basis) -> str:
    if basis.assessed:  # results exist, but none carries points ("does not apply")
        return ngettext(
            "No criterion with points yet (%(total)d criterion in all): no score is computed.",
            "No criterion with points yet (%(total)d criteria in all): no score is computed.",
            basis.total,
        ) % {"total": basis.total}
    return ngettext(
        "No criterion has been assessed yet (%(total)d criterion in all): no score is computed.",
        "No criterion has been assessed yet (%(total)d criteria in all): no score is computed.",
        basis.total,
    ) % {"total": basis.total}


def score_text(total: Any, maximum: Any, share: Any, basis: Basis) -> str:
    """ "12 z 18 bodů (67 %) – za 6 posouzených kritérií z celkových 48"; when nothing carries points, says so."""
    if basis.scored == 0 or not maximum:
        return nothing_assessed_text(basis)
    return _("%(points)s (%(percent)s) – %(basis)s") % {
        "points": points(total, maximum),
        "percent": percent(share),
        "basis": basis_text(basis),
    }


def partial_text(kind: str, assessed: int, total: int, reason: str) -> str:
    """ "Částečný audit: posouzeno 8 z celkových 48 kritérií – důvod: …" (an audit or consultation), else
    "Částečné hodnocení: …"."""
    from qmss.assessments.permissions import AUDIT_KINDS

    values = {"assessed": assessed, "total": total, "reason": reason}
    if kind in AUDIT_KINDS:
        return (
            ngettext(
                "Partial audit: %(assessed)d of %(total)d criterion assessed – reason: %(reason)s",
                "Partial audit: %(assessed)d of %(total)d criteria assessed – reason: %(reason)s",
                total,
            )
            % values
        )
    return (
        ngettext(
            "Partial assessment: %(assessed)d of %(total)d criterion assessed – reason: %(reason)s",
            "Partial assessment: %(assessed)d of %(total)d criteria assessed – reason: %(reason)s",
            total,
        )
        % values
    )
