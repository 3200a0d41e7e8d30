"""Pages of a submission: the provider's list ("Moje výkazy"), the form (sections of cells; with htmx each
section saves itself on change, without JavaScript with its button), the validation panel and submitting, the
comments, and the region's approve / return confirmations."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qmss.core.formatting import format_date, format_number
from qmss.core.pagination import filter_query_string, paginate
from qmss.core.scoping import get_scope
from qmss.needs import actions_rounds as actions
from qmss.needs import selectors_rounds as selectors
from qmss.needs import validation
from qmss.needs.error_codes import NeedsErrorCode as Code
from qmss.needs.forms_rounds import WARNING_PREFIX, ApproveForm, ReplyForm, ReturnForm, cell_name, read_cells
from qmss.needs.layout import TOTAL, ElementSpec, applies, form_layout, unit_for
from qmss.needs.models import Submission
from qmss.needs.views_rounds import index_crumbs, round_url


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def submission_url(submission: Submission) -> str:
    return reverse("needs:submission_detail", kwargs={"submission_pk": submission.pk})


# --- the provider's list ------------------------------------------------------------------------------------------


@login_required
def my_submissions_view(request):
    scope = get_scope(request)
    qs = selectors.my_submissions(scope)
    round_pk = request.GET.get("round", "")
    if round_pk.isdigit():
        qs = qs.filter(round_id=int(round_pk))
    page = paginate(request, qs)
    context = {
        "page_obj": page,
        "late_ids": {s.pk for s in page.object_list if selectors.is_late(s)},
        "query_string": filter_query_string(request),
        "crumbs": index_crumbs((_("My reports"), "")),
    }
    return render(request, "needs/rounds/my_submissions.html", context)


# --- the submission page ------------------------------------------------------------------------------------------


@dataclass
class CellView:
    name: str
    label: str
    category_name: str
    value: Decimal | None
    text: str
    error: str = ""


@dataclass
class ElementView:
    spec: ElementSpec
    unit: str
    cells: list[CellView]

    @property
    def error(self) -> bool:
        return any(c.error for c in self.cells)


@dataclass
class SectionView:
    index: int
    title: str
    elements: list[ElementView] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"section-{self.index}"


def _sections(submission, values, *, posted=None, errors=None) -> list[SectionView]:
    layout = form_layout(submission.round)
    applying = [spec for spec in layout.elements if applies(spec, submission)]
    sections = []
    for index, (title, specs) in enumerate(layout.sections(applying), start=1):
        section = SectionView(index=index, title=title or _("Report"))
        for spec in specs:
            cells = []
            stored = values.get(spec.code, {})
            for code, name in spec.categories:
                field_name = cell_name(spec.code, code)
                value = stored.get(code)
                if posted is not None and field_name in posted:
                    text = posted.get(field_name, "")
                else:
                    text = "" if value is None else format_number(value, grouping=False)
                label = spec.name if code == TOTAL else f"{spec.name} – {name}"
                error = (errors or {}).get(field_name, "")
                cells.append(CellView(field_name, label, name, value, text, error))
            section.elements.append(ElementView(spec=spec, unit=unit_for(spec, submission), cells=cells))
        sections.append(section)
    return sections


def _page_context(request, submission, *, posted=None, errors=None, submit_errors=None, warning_texts=None):
    scope = get_scope(request)
    values = selectors.submission_values(submission)
    results = validation.check(submission, values)
    region = selectors.is_region_staff(scope, submission.round)
    provider_editor = selectors.is_provider_member(scope, submission, "edit")
    return {
        "submission": submission,
        "round": submission.round,
        "sections": _sections(submission, values, posted=posted, errors=errors),
        "results": results,
        "blocking": validation.blocking_failures(results),
        "warnings": validation.warning_failures(results),
        "missing": validation.missing_required(submission, values),
        "warning_texts": warning_texts if warning_texts is not None else submission.warning_comments,
        "submit_errors": submit_errors or [],
        "comments": selectors.comments(submission),
        "can_fill": selectors.can_fill(scope, submission),
        "can_decide": selectors.can_manage_round(scope, submission.round),
        "can_reply": provider_editor or scope.is_superuser,
        "region_view": region,
        "late": selectors.is_late(submission),
        "reply_form": ReplyForm(),
        "crumbs": _crumbs(submission, region),
    }


def _crumbs(submission, region: bool):
    if region:
        return index_crumbs((submission.round.name, round_url(submission.round)), (str(submission.service), ""))
    return index_crumbs((_("My reports"), reverse("needs:my_submissions")), (str(submission.service), ""))


@login_required
def submission_detail_view(request, submission_pk: int):
    submission = selectors.get_submission(get_scope(request), submission_pk)
    return render(request, "needs/rounds/submission_detail.html", _page_context(request, submission))


def _map_errors(exc: ValidationError) -> tuple[dict[str, str], list[str]]:
    """Cell errors of ``save_values`` keyed by field name, and the rest."""
    by_cell: dict[str, str] = {}
    other: list[str] = []
    for error in exc.error_list if hasattr(exc, "error_list") else [exc]:
        cell = getattr(error, "cell", None)
        if cell is not None:
            by_cell[cell_name(*cell)] = error.message
        else:
            other.append(error.message)
    return by_cell, other


@login_required
@require_POST
def submission_save_view(request, submission_pk: int):
    """Save the cells of one section (htmx answers with the section; without JS the page or a redirect)."""
    scope = get_scope(request)
    submission = selectors.get_submission(scope, submission_pk)
    if not selectors.can_fill(scope, submission):
        raise PermissionDenied
    layout = form_layout(submission.round)
    specs = [spec for spec in layout.elements if applies(spec, submission)]
    section_index = request.POST.get("section", "")
    values, errors = read_cells(request.POST, specs)
    other: list[str] = []
    if not errors and values:
        try:
            actions.save_values(user=request.user, submission=submission, values=values)
        except ValidationError as exc:
            errors, other = _map_errors(exc)
        except PermissionDenied as exc:
            raise Http404 from exc
    saved = not errors and not other
    if _is_htmx(request):
        submission.refresh_from_db(fields=["last_saved_at", "state"])
        context = _page_context(request, submission, posted=None if saved else request.POST, errors=errors)
        section = next((s for s in context["sections"] if str(s.index) == section_index), None)
        if section is None:
            return HttpResponse(status=400)
        context.update(section=section, saved=saved, section_errors=other, oob=True)
        return render(request, "needs/rounds/_section.html", context)
    if saved:
        messages.success(request, _("Saved."))
        return redirect(submission_url(submission) + (f"#section-{section_index}" if section_index.isdigit() else ""))
    context = _page_context(request, submission, posted=request.POST, errors=errors, submit_errors=other)
    return render(request, "needs/rounds/submission_detail.html", context, status=422)


@login_required
@require_POST
def submission_submit_view(request, submission_pk: int):
    scope = get_scope(request)
    submission = selectors.get_submission(scope, submission_pk)
    if not selectors.can_fill(scope, submission):
        raise PermissionDenied
    comments = {
        key[len(WARNING_PREFIX) :]: value[:2000]
        for key, value in request.POST.items()
        if key.startswith(WARNING_PREFIX)
    }
    try:
        actions.submit(user=request.user, submission=submission, warning_comments=comments)
    except ValidationError as exc:
        submit_errors = exc.messages
        if getattr(exc, "code", "") == Code.WARNING_NEEDS_COMMENT.value:
            submit_errors = [_("Explain each warning before you submit the report.")]
        context = _page_context(request, submission, submit_errors=submit_errors, warning_texts=comments)
        return render(request, "needs/rounds/submission_detail.html", context, status=422)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("The report has been submitted to the region."))
    return redirect(submission_url(submission))


@login_required
@require_POST
def submission_reply_view(request, submission_pk: int):
    submission = selectors.get_submission(get_scope(request), submission_pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            actions.reply(user=request.user, submission=submission, text=form.cleaned_data["text"])
        except PermissionDenied as exc:
            raise Http404 from exc
        messages.success(request, _("Your reply has been added."))
        return redirect(submission_url(submission) + "#comments")
    context = _page_context(request, submission)
    context["reply_form"] = form
    return render(request, "needs/rounds/submission_detail.html", context, status=422)


def _decision_page(request, submission, *, form, title, intro, label, style, warning=None):
    context = {
        "title": title,
        "crumbs": index_crumbs(
            (submission.round.name, round_url(submission.round)),
            (str(submission.service), submission_url(submission)),
            (title, ""),
        ),
        "intro": intro,
        "summary": [
            (_("Round"), submission.round.name),
            (_("Service"), str(submission.service)),
            (_("State"), submission.get_state_display()),
            (_("Submitted"), format_date(submission.submitted_at) if submission.submitted_at else ""),
        ],
        "warning": warning,
        "form": form,
        "confirm_label": label,
        "confirm_style": style,
        "cancel_url": submission_url(submission),
    }
    return render(request, "core/confirm.html", context, status=200 if not form.errors else 422)


def _decided_submission(request, submission_pk: int) -> Submission:
    scope = get_scope(request)
    submission = selectors.get_submission(scope, submission_pk)
    if not selectors.can_manage_round(scope, submission.round):
        raise Http404
    return submission


@login_required
@require_http_methods(["GET", "POST"])
def submission_approve_view(request, submission_pk: int):
    submission = _decided_submission(request, submission_pk)
    form = ApproveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.approve(user=request.user, submission=submission, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The report has been approved."))
            return redirect(round_url(submission.round))
    warning = None if submission.state == Submission.State.SUBMITTED else _("Only a submitted report can be approved.")
    return _decision_page(
        request,
        submission,
        form=form,
        title=_("Approve the report?"),
        intro=_("The approved figures enter the region's indicators."),
        label=_("Approve"),
        style="primary",
        warning=warning,
    )


@login_required
@require_http_methods(["GET", "POST"])
def submission_return_view(request, submission_pk: int):
    submission = _decided_submission(request, submission_pk)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.return_submission(user=request.user, submission=submission, comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                form.add_error("comment", exc.error_dict.get("comment", []))
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The report has been returned to the provider for correction."))
            return redirect(round_url(submission.round))
    warning = (
        None
        if submission.state in (Submission.State.SUBMITTED, Submission.State.APPROVED)
        else _("Only a submitted report can be returned.")
    )
    return _decision_page(
        request,
        submission,
        form=form,
        title=_("Return the report for correction?"),
        intro=_("The provider can change the report again and submits it anew."),
        label=_("Return for correction"),
        style="secondary",
        warning=warning,
    )
