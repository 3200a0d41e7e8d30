"""Pages of the entrustments part: a network's entrustments (issued, proposed, history) with the proposals its
current version waits for; proposing and issuing (POST); one entrustment, its edit form while proposed, and its
PDF. Thin: forms in, actions do the work and check the permission again. Whoever may not see an entrustment
gets 404 (``qmss.financing.permissions.can_see_entrustment``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from qmss.core.pagination import paginate
from qmss.core.scoping import get_scope
from qmss.financing import actions_entrustments as actions
from qmss.financing import entrustment_sync as sync
from qmss.financing import selectors_entrustments as selectors
from qmss.financing.forms_entrustments import EntrustmentForm, IssueForm, ProposeForm
from qmss.financing.models import Entrustment
from qmss.network.selectors_networks import current_version, get_network

PDF_TYPE = "application/pdf"


def _link(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _crumbs(network, current: str | None = None, entrustments: bool = False) -> list:
    items = []
    index = _link("financing:index")
    if index:
        items.append((_("Financing"), index))
    items.append((network.name, network.get_absolute_url()))
    title = _("Entrustments")
    items.append((title, reverse("financing:entrustments", kwargs={"network_pk": network.pk}) if current else None))
    if current:
        items.append((current, None))
    return items


def _decorate(rows) -> list[Entrustment]:
    """ORP and unit names for many records at once (one query)."""
    from qmss.core.collation import sort_key
    from qmss.territory.models import Orp

    rows = list(rows)
    orps = {int(code) for row in rows for code in row.orp_codes or []}
    names = dict(Orp.objects.filter(ruian_code__in=orps).values_list("ruian_code", "name")) if orps else {}
    for row in rows:
        row.orp_names = sorted((names.get(int(code), str(code)) for code in row.orp_codes or []), key=sort_key)
        row.unit_name = sync.unit_name(row.unit)
        row.is_end = row.state == Entrustment.State.PROPOSED and sync.is_end_proposal(row)
    return rows


def _network_or_404(network_pk: int):
    network = get_network(network_pk)
    if network is None:
        raise Http404
    return network


@never_cache
@require_safe
@login_required
def entrustments(request, network_pk: int):
    network = _network_or_404(network_pk)
    scope = get_scope(request)
    manager_side = selectors.is_manager_side(scope, network)
    rows = selectors.visible_entrustments(scope, network)
    if not manager_side and not rows.exists():
        raise Http404
    can_manage = selectors.can_manage(scope, network)
    pending = sync.pending_proposals(network) if manager_side else []
    proposed = _decorate(selectors.by_state(rows, Entrustment.State.PROPOSED)) if manager_side else []
    page = paginate(request, selectors.by_state(rows, Entrustment.State.ISSUED))
    page.object_list = _decorate(page.object_list)
    past = _decorate(selectors.by_state(rows, Entrustment.State.SUPERSEDED, Entrustment.State.ENDED)[:200])
    for proposal in pending:
        proposal.unit_name = sync.unit_name(proposal.entry.unit)
        labels = sync.field_labels()
        proposal.field_names = [labels[name] for name in proposal.fields]
    version = current_version(network)
    return render(
        request,
        "financing/entrustments/list.html",
        {
            "network": network,
            "version": version,
            "manager_side": manager_side,
            "can_manage": can_manage,
            "pending": pending,
            "proposed": proposed,
            "page_obj": page,
            "past": past,
            "crumbs": _crumbs(network),
        },
    )


def _managed_network(request, network_pk: int):
    network = _network_or_404(network_pk)
    scope = get_scope(request)
    if not selectors.can_manage(scope, network):
        if selectors.is_manager_side(scope, network):
            raise PermissionDenied
        raise Http404
    return network


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
@login_required
def entrustment_propose(request, network_pk: int):
    network = _managed_network(request, network_pk)
    keys = [p.key for p in sync.pending_proposals(network)]
    form = ProposeForm(request.POST, keys=keys)
    if not form.is_valid():
        messages.error(request, _("Choose the proposals to make."))
    else:
        try:
            created = actions.propose_entrustments(
                user=request.user, network=network, keys=form.cleaned_data["proposal"]
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            count = len(created)
            messages.success(
                request,
                ngettext(
                    "%(count)s entrustment has been proposed.", "%(count)s entrustments have been proposed.", count
                )
                % {"count": count},
            )
    return redirect("financing:entrustments", network_pk=network.pk)


@require_POST
@login_required
def entrustment_issue(request, network_pk: int):
    network = _managed_network(request, network_pk)
    ids = list(
        Entrustment.objects.filter(network=network, state=Entrustment.State.PROPOSED).values_list("pk", flat=True)
    )
    form = IssueForm(request.POST, ids=ids)
    if not form.is_valid():
        messages.error(request, _("Choose the proposals to issue."))
    else:
        try:
            done = actions.issue_entrustments(
                user=request.user, network=network, entrustment_ids=form.cleaned_data["entrustment"]
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            count = len(done)
            messages.success(
                request,
                ngettext("%(count)s entrustment has been issued.", "%(count)s entrustments have been issued.", count)
                % {"count": count},
            )
    return redirect("financing:entrustments", network_pk=network.pk)


def _visible_or_404(request, entrustment_pk: int) -> Entrustment:
    entrustment = selectors.get_entrustment(get_scope(request), entrustment_pk)
    if entrustment is None:
        raise Http404
    return entrustment


@never_cache
@require_safe
@login_required
def entrustment(request, entrustment_pk: int):
    record = _visible_or_404(request, entrustment_pk)
    scope = get_scope(request)
    manager_side = selectors.is_manager_side(scope, record.network)
    can_manage = selectors.can_manage(scope, record.network)
    history = selectors.history(record)
    if not manager_side:
        history = history.exclude(state=Entrustment.State.PROPOSED)
    return render(
        request,
        "financing/entrustments/detail.html",
        {
            "entrustment": record,
            "network": record.network,
            "manager_side": manager_side,
            "can_edit": can_manage and record.state == Entrustment.State.PROPOSED,
            "history": list(history[:50]),
            "crumbs": _crumbs(record.network, record.number),
            **selectors.describe(record),
        },
    )


@never_cache
@login_required
def entrustment_edit(request, entrustment_pk: int):
    record = _visible_or_404(request, entrustment_pk)
    if not selectors.can_manage(get_scope(request), record.network):
        raise PermissionDenied
    if record.state != Entrustment.State.PROPOSED:
        messages.error(request, _("Only a proposed entrustment can be changed."))
        return redirect(record.get_absolute_url())
    initial = {
        "obligation": record.obligation,
        "period_start": record.period_start,
        "period_end": record.period_end,
        "act_reference": record.act_reference,
    }
    form = EntrustmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_entrustment(user=request.user, entrustment=record, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The proposed entrustment has been saved."))
            return redirect(record.get_absolute_url())
    title = _("Edit the proposed entrustment %(number)s") % {"number": record.number}
    return render(
        request,
        "financing/entrustments/edit.html",
        {
            "entrustment": record,
            "network": record.network,
            "form": form,
            "title": title,
            "crumbs": _crumbs(record.network, record.number),
        },
    )


@never_cache
@require_safe
@login_required
def entrustment_pdf(request, entrustment_pk: int):
    from qmss.financing.pdf_entrustments import render_pdf

    record = _visible_or_404(request, entrustment_pk)
    response = HttpResponse(render_pdf(record), content_type=PDF_TYPE)
    response["Content-Disposition"] = f'attachment; filename="povereni-{record.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
