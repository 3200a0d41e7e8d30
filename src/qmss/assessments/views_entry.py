"""Fast criterion entry: the criteria of one standard (or of all standards) of an assessment on one page, each
criterion a small form of its own.

With JavaScript a row is saved inline (htmx posts it to the single-criterion view, which answers with the
re-rendered row, the updated progress out of band and a message for the live region); without it the row is a
normal form posted to the same view, which redirects back to the page, anchored at the criterion.

Who may open the page is exactly who may edit the results in the assessment's current state
(:func:`permissions.can_edit_results`); others get 403 (or 404 when they may not see the assessment at all).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from qmss.assessments import actions, selectors
from qmss.assessments import permissions as perms
from qmss.assessments.forms import ResultForm
from qmss.assessments.models import Assessment, Result
from qmss.assessments.permissions import PUBLISHED_STATES
from qmss.core.scoping import get_scope
from qmss.frameworks.models import Requirement

ROW_MARK = "row"  # value of the hidden "entry" field that tells a row of the entry page from the full form


def is_row_post(request) -> bool:
    return request.method == "POST" and request.POST.get("entry") == ROW_MARK


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


# --- where to go ------------------------------------------------------------------------------------------


def entry_url(assessment: Assessment, standard: Requirement | None = None) -> str:
    url = reverse("assessments:entry", kwargs={"assessment_pk": assessment.pk})
    return f"{url}?{urlencode({'standard': standard.ref_id})}" if standard is not None else url


def safe_next(request, candidate: str | None) -> str | None:
    """``candidate`` without its fragment when it points to this site, else None (an open redirect refused)."""
    if not candidate:
        return None
    parts = urlsplit(candidate)
    url = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return url


def requested_next(request) -> str | None:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"))


SAVED_KEY = "assessments_saved_criterion"


def remember_saved(request, assessment: Assessment, requirement: Requirement) -> None:
    """Mark the criterion just saved, so the page the redirect anchors to shows "Saved" in its row (the message
    at the top of the page is out of sight there)."""
    request.session[SAVED_KEY] = [assessment.pk, requirement.pk]


def pop_saved(request, assessment: Assessment) -> int | None:
    """The pk of the criterion of ``assessment`` just saved (once), else None."""
    value = request.session.get(SAVED_KEY)
    if not value or value[0] != assessment.pk:
        return None
    del request.session[SAVED_KEY]
    return value[1]


def back_url(request, assessment: Assessment, requirement: Requirement) -> str:
    """Where the user goes after saving a criterion: the page they came from (a safe ``next``), else the entry
    page of the criterion's standard – anchored at the criterion either way."""
    target = requested_next(request) or entry_url(assessment, standard_of(assessment.framework, requirement))
    return f"{target}#criterion-{requirement.pk}"


# --- the framework's criteria and the assessment's results ------------------------------------------------


def standard_of(framework, requirement: Requirement) -> Requirement | None:
    for standard, criteria in selectors.requirement_tree(framework):
        if any(c.pk == requirement.pk for c in criteria):
            return standard
    return None


def assessed_ids(assessment: Assessment) -> set[int]:
    """Ids of the criteria that have a value (the others are not assessed yet)."""
    return set(
        Result.objects.filter(assessment=assessment, value__isnull=False).values_list("requirement_id", flat=True)
    )


def next_criterion(assessment: Assessment, requirement: Requirement) -> Requirement | None:
    """The criterion to record after ``requirement``: the next one in framework order that is not assessed yet
    (wrapping round to the start), else – when every criterion is assessed – simply the next one (None after
    the last)."""
    order = [c for _standard, criteria in selectors.requirement_tree(assessment.framework) for c in criteria]
    index = next((i for i, c in enumerate(order) if c.pk == requirement.pk), None)
    if index is None:
        return None
    done = assessed_ids(assessment)
    following = order[index + 1 :] + order[:index]
    return next((c for c in following if c.pk not in done), order[index + 1] if index + 1 < len(order) else None)


@dataclass
class StandardProgress:
    requirement: Requirement
    answered: int = 0
    total: int = 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.answered == self.total


@dataclass
class Row:
    requirement: Requirement
    form: ResultForm
    applicable: bool = True
    assessed: bool = False
    saved: bool = False


@dataclass
class Block:
    standard: Requirement
    rows: list[Row] = field(default_factory=list)


@dataclass
class Entry:
    """Everything the entry page shows, for one user: standards with their progress, and the rows shown."""

    assessment: Assessment
    show_internal: bool
    tree: list
    results: dict[int, Result]
    applicable: set[int] | None
    standards: list[StandardProgress] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.standards)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.standards)

    def progress_of(self, standard: Requirement) -> StandardProgress:
        return next(s for s in self.standards if s.requirement.pk == standard.pk)


def load_entry(scope, assessment: Assessment) -> Entry:
    """The criteria tree (cached), the results (one query) and which criteria apply to the service."""
    show_internal = perms.can_see_internal_notes(scope, assessment)
    fields = ["pk", "assessment_id", "requirement_id", "value_id", "comment"]
    if show_internal:
        fields.append("internal_note")
    results = {r.requirement_id: r for r in Result.objects.filter(assessment=assessment).only(*fields)}
    entry = Entry(
        assessment=assessment,
        show_internal=show_internal,
        tree=selectors.requirement_tree(assessment.framework),
        results=results,
        applicable=selectors.applicable_ids(assessment.framework, assessment.service),
    )
    for standard, criteria in entry.tree:
        answered = sum(1 for c in criteria if c.pk in results and results[c.pk].value_id)
        entry.standards.append(StandardProgress(requirement=standard, answered=answered, total=len(criteria)))
    return entry


def row_form(entry: Entry, requirement: Requirement, data=None) -> ResultForm:
    """The single-criterion form without evidence and uploads, its names prefixed per criterion."""
    result = entry.results.get(requirement.pk)
    initial = {}
    if result is not None:
        initial = {"value": str(result.value_id or ""), "comment": result.comment}
        if entry.show_internal:
            initial["internal_note"] = result.internal_note
    form = ResultForm(
        data,
        initial=initial,
        prefix=f"c{requirement.pk}",
        values=actions.allowed_values(requirement, entry.assessment.framework),
        evidence_choices=[],
        show_internal=entry.show_internal,
        can_upload=False,
        with_evidence=False,
    )
    for name in ("comment", "internal_note"):
        if name in form.fields:
            form.fields[name].widget.attrs["rows"] = 2
    return form


def make_row(entry: Entry, requirement: Requirement, form: ResultForm | None = None, saved: bool = False) -> Row:
    result = entry.results.get(requirement.pk)
    return Row(
        requirement=requirement,
        form=form or row_form(entry, requirement),
        applicable=entry.applicable is None or requirement.pk in entry.applicable,
        assessed=bool(result is not None and result.value_id),
        saved=saved,
    )


# --- the page ---------------------------------------------------------------------------------------------


def _editable(request, assessment_pk: int):
    scope = get_scope(request)
    assessment = selectors.get_assessment(scope, assessment_pk)
    if not perms.can_edit_results(scope, assessment):
        raise PermissionDenied
    return scope, assessment


def _page(request, entry: Entry, standard: Requirement | None, bound: dict[int, ResultForm] | None = None):
    bound = bound or {}
    saved_pk = pop_saved(request, entry.assessment)
    blocks = []
    for unit, criteria in entry.tree:
        if standard is None or unit.pk == standard.pk:
            rows = [make_row(entry, c, bound.get(c.pk), saved=c.pk == saved_pk) for c in criteria]
            blocks.append(Block(unit, rows))
    units = [unit for unit, _criteria in entry.tree]
    index = next((i for i, u in enumerate(units) if standard is not None and u.pk == standard.pk), None)
    context = {
        "assessment": entry.assessment,
        "entry": entry,
        "standard": standard,
        "blocks": blocks,
        "here": entry_url(entry.assessment, standard),
        "previous_standard": units[index - 1] if index else None,
        "next_standard": units[index + 1] if index is not None and index + 1 < len(units) else None,
    }
    return render(request, "assessments/entry/page.html", context)


@login_required
@require_safe
def entry_page(request, assessment_pk: int):
    published = selectors.get_assessment(get_scope(request), assessment_pk)  # 404 for those who may not see it
    if published.state in PUBLISHED_STATES:  # an old link or bookmark: say why, not "access denied"
        messages.info(request, _("A published assessment can no longer be changed."))
        return redirect(published.get_absolute_url())
    scope, assessment = _editable(request, assessment_pk)
    entry = load_entry(scope, assessment)
    standard = None
    code = request.GET.get("standard")
    if code:
        standard = next((unit for unit, _criteria in entry.tree if unit.ref_id == code), None)
        if standard is None:
            raise Http404
    return _page(request, entry, standard)


def save_row(request, scope, assessment: Assessment, requirement: Requirement):
    """A row of the entry page posted to the single-criterion view (the caller has checked the permission)."""
    entry = load_entry(scope, assessment)
    form = row_form(entry, requirement, request.POST)
    saved = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_result(
                scope=scope,
                assessment=assessment,
                requirement=requirement,
                user=request.user,
                value=data["value"],
                comment=data["comment"],
                internal_note=data.get("internal_note") if entry.show_internal else None,
                evidence_ids=None,  # the row does not show the links: they stay as they are
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            saved = True
    standard = standard_of(assessment.framework, requirement)
    if not _is_htmx(request):
        if not saved:
            return _page(request, entry, standard, bound={requirement.pk: form})
        messages.success(request, _("The result of criterion %(ref)s has been saved.") % {"ref": requirement.ref_id})
        remember_saved(request, assessment, requirement)
        return redirect(back_url(request, assessment, requirement))
    if saved:
        entry = load_entry(scope, assessment)
        form = row_form(entry, requirement)
        announcement = ngettext(
            "The result of criterion %(ref)s has been saved. Assessed %(answered)s of %(total)s criterion.",
            "The result of criterion %(ref)s has been saved. Assessed %(answered)s of %(total)s criteria.",
            entry.total,
        ) % {"ref": requirement.ref_id, "answered": entry.answered, "total": entry.total}
    else:
        announcement = _("The result of criterion %(ref)s has not been saved: correct the marked fields.") % {
            "ref": requirement.ref_id
        }
    context = {
        "assessment": assessment,
        "entry": entry,
        "row": make_row(entry, requirement, form, saved=saved),
        "here": requested_next(request) or entry_url(assessment, standard),
        "standard_progress": entry.progress_of(standard) if standard is not None else None,
        "announcement": announcement,
    }
    return render(request, "assessments/entry/row_response.html", context)
