"""Pages of the kind cards: the region's list of kinds, a card with its consultation, editing a draft, opening the
consultation, meetings, provider comments and their settlement, publishing; public pages of published cards."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qmss.core.roles import Perm
from qmss.core.scoping import get_scope
from qmss.needs import actions_cards as actions
from qmss.needs import selectors_cards as selectors
from qmss.needs.forms_cards import CardEditForm, CommentForm, ConsultationForm, MeetingForm, SettleForm
from qmss.needs.models import KindCard, Need
from qmss.registry.models import ServiceKind
from qmss.territory.models import Region


def _card_url(card: KindCard) -> str:
    return reverse("needs:card_detail", kwargs={"kind_card_pk": card.pk})


def _crumbs(card: KindCard | None = None, current: str | None = None) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = [(_("Kind cards"), reverse("needs:card_index"))]
    if card is not None:
        crumbs.append((f"{card.kind.name} – {card.region.name}", _card_url(card) if current else None))
    if current:
        crumbs.append((current, None))
    return crumbs


def _form_page(request, *, title: str, form, card: KindCard, submit_label: str, intro: str = "", notice: str = ""):
    context = {
        "title": title,
        "form": form if not notice else None,
        "card": card,
        "crumbs": _crumbs(card, title),
        "submit_label": submit_label,
        "intro": intro,
        "notice": notice,
        "cancel_url": _card_url(card),
    }
    return render(request, "needs/cards/form_page.html", context)


# --- region staff and providers --------------------------------------------------------------------------


@login_required
def card_index(request):
    scope = get_scope(request)
    regions = selectors.staff_regions(scope)
    wanted = request.GET.get("region", "")
    region = next((r for r in regions if r.code == wanted), regions[0] if regions else None)
    asked = selectors.provider_consultations(scope.organisation_ids(Perm.VIEW)) if scope.is_authenticated else {}
    consultations = sorted({c.pk: c for items in asked.values() for c in items}.values(), key=lambda c: c.pk)
    context = {
        "regions": regions,
        "region": region,
        "rows": selectors.kind_rows(region) if region else [],
        "can_edit": region is not None and selectors.can_edit_region(scope, region.pk),
        "consultations": consultations,
        "crumbs": [(_("Kind cards"), None)],
    }
    return render(request, "needs/cards/index.html", context)


@login_required
@require_POST
def card_create(request):
    scope = get_scope(request)
    region = Region.objects.filter(code=request.POST.get("region", "")).only("pk", "code", "name").first()
    if region is None or not selectors.can_edit_region(scope, region.pk):
        raise Http404
    kind = get_object_or_404(ServiceKind, code=request.POST.get("kind", ""))
    try:
        card = actions.create_draft(scope=scope, region=region, kind=kind)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('needs:card_index')}?region={region.code}")
    messages.success(request, _("The draft card has been created."))
    return redirect(_card_url(card))


@login_required
def card_detail(request, kind_card_pk: int):
    scope = get_scope(request)
    card = selectors.get_card(scope, kind_card_pk)
    staff = selectors.can_view_region(scope, card.region_id)
    can_edit = selectors.can_edit_region(scope, card.region_id)
    consultation = selectors.consultation_of(card)
    if not staff and consultation is None:
        raise Http404
    comment_form = None
    comments = meetings = recipients = []
    if consultation is not None:
        comments = selectors.visible_comments(scope, consultation)
        meetings = selectors.meetings(consultation) if staff else []
        recipients = selectors.recipients(consultation) if staff else []
        organisations = selectors.commenting_organisations(scope, consultation)
        if organisations:
            comment_form = CommentForm(organisations=organisations, card=card)
    refusal = actions.publish_refusal(card) if can_edit else None
    context = {
        "card": card,
        "lines": selectors.card_content(card),
        "activities": selectors.card_activities(card),
        "consultation": consultation,
        "comments": comments,
        "meetings": meetings,
        "recipients": recipients,
        "comment_form": comment_form,
        "staff": staff,
        "can_edit": can_edit and card.state in actions.EDITABLE_STATES,
        "can_publish": can_edit and refusal is None,
        "publish_refusal": refusal[0] if refusal and card.state in actions.EDITABLE_STATES else "",
        "crumbs": _crumbs(card),
    }
    return render(request, "needs/cards/detail.html", context)


def _staff_card(request, kind_card_pk: int) -> tuple:
    scope = get_scope(request)
    card = selectors.get_card(scope, kind_card_pk)
    if not selectors.can_edit_region(scope, card.region_id):
        raise PermissionDenied
    return scope, card


@login_required
def card_edit(request, kind_card_pk: int):
    scope, card = _staff_card(request, kind_card_pk)
    if card.state not in actions.EDITABLE_STATES:
        messages.info(request, _("Only a draft card or a card in consultation can be changed."))
        return redirect(_card_url(card))
    needs = list(
        Need.objects.filter(taxonomy_id=card.taxonomy_id).select_related("area").order_by("area__order", "order")
    )
    lines = selectors.card_content(card)
    form = CardEditForm(request.POST or None, card=card, needs=needs, lines=lines)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_draft(
                scope=scope,
                card=card,
                purpose=data["purpose"],
                public_expectations=data["public_expectations"],
                capacity_type=data["capacity_type"],
                activities=data["activities"],
                needs=form.need_lines(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The card has been saved."))
            return redirect(_card_url(card))
    context = {"card": card, "form": form, "crumbs": _crumbs(card, _("Edit the card"))}
    return render(request, "needs/cards/edit.html", context)


@login_required
def consultation_open(request, kind_card_pk: int):
    scope, card = _staff_card(request, kind_card_pk)
    title = _("Send the card to consultation")
    if card.state != KindCard.State.DRAFT:
        return _form_page(
            request,
            title=title,
            form=None,
            card=card,
            submit_label="",
            notice=_("Only a draft card can be sent to consultation; this card is: {state}.").format(
                state=card.get_state_display()
            ),
        )
    form = ConsultationForm(request.POST or None)
    candidates = list(selectors.consultation_candidates(card.region, card.kind))
    if request.method == "POST" and form.is_valid():
        try:
            actions.open_consultation(scope=scope, card=card, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The card has been sent to the providers for comments."))
            return redirect(_card_url(card))
    intro = (
        _("The draft goes to these providers of the kind in the region: {names}.").format(
            names=", ".join(org.name for org in candidates)
        )
        if candidates
        else _("No provider organisation verified in QMSS has a service of this kind in the region.")
    )
    return _form_page(request, title=title, form=form, card=card, submit_label=_("Send to consultation"), intro=intro)


@login_required
def meeting_create(request, consultation_pk: int):
    scope = get_scope(request)
    consultation = selectors.get_consultation(scope, consultation_pk)
    card = consultation.card
    if not selectors.can_edit_region(scope, card.region_id):
        raise PermissionDenied
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_meeting(scope=scope, consultation=consultation, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The meeting has been recorded."))
            return redirect(_card_url(card))
    intro = _("Consultation opened by {organisation}.").format(organisation=consultation.organisation.name)
    return _form_page(
        request, title=_("Record a consultation meeting"), form=form, card=card, submit_label=_("Save"), intro=intro
    )


@login_required
def comment_create(request, consultation_pk: int):
    scope = get_scope(request)
    consultation = selectors.get_consultation(scope, consultation_pk)
    card = consultation.card
    organisations = selectors.commenting_organisations(scope, consultation)
    if not organisations:
        raise PermissionDenied
    form = CommentForm(request.POST or None, organisations=organisations, card=card)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_comment(
                scope=scope,
                consultation=consultation,
                organisation=data["organisation"],
                field=data["field"],
                need=data["need"],
                text=data["text"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your comment has been sent to the region."))
            return redirect(_card_url(card))
    intro = _("Comments on behalf of: {names}.").format(names=", ".join(org.name for org in organisations))
    return _form_page(
        request, title=_("Comment on the card"), form=form, card=card, submit_label=_("Send"), intro=intro
    )


@login_required
def comment_settle(request, comment_pk: int):
    scope = get_scope(request)
    comment = selectors.get_comment(scope, comment_pk)
    card = comment.consultation.card
    if not selectors.can_edit_region(scope, card.region_id):
        raise PermissionDenied
    title = _("Settle the comment")
    if comment.consultation.closed_at is not None:
        return _form_page(
            request, title=title, form=None, card=card, submit_label="", notice=_("The consultation is closed.")
        )
    initial = {"status": comment.status if comment.status != "open" else "", "reason": comment.reason}
    form = SettleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.settle_comment(scope=scope, comment=comment, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The comment has been settled."))
            return redirect(_card_url(card))
    intro = _("Comment of {organisation}: {text}").format(organisation=comment.organisation.name, text=comment.text)
    return _form_page(request, title=title, form=form, card=card, submit_label=_("Save"), intro=intro)


@login_required
def card_publish(request, kind_card_pk: int):
    scope, card = _staff_card(request, kind_card_pk)
    refusal = actions.publish_refusal(card)
    if request.method == "POST" and refusal is None:
        try:
            actions.publish_card(scope=scope, card=card)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("The card has been published as version {version}.").format(version=card.version)
            )
            return redirect(_card_url(card))
        refusal = actions.publish_refusal(card)
    title = _("Publish the card")
    context = {
        "title": title,
        "crumbs": _crumbs(card, title),
        "intro": _(
            "The card of {kind} becomes the published version {version} of {region}; the previous published version "
            "stays available as an older version. The consultation is closed."
        ).format(kind=card.kind.name, version=card.version, region=card.region.name),
        "summary": [(_("Prepared by"), card.organisation.name if card.organisation else "")],
        "warning": refusal[0] if refusal else "",
        "confirm_label": _("Publish"),
        "cancel_url": _card_url(card),
    }
    template = "needs/cards/publish_refused.html" if refusal else "core/confirm.html"
    return render(request, template, context)


# --- public ------------------------------------------------------------------------------------------------


def public_region(request, region_code: str):
    region = get_object_or_404(Region.objects.only("pk", "code", "name"), code=region_code)
    cards = list(selectors.published_cards(region_code=region.code))
    return render(request, "needs/cards/public_list.html", {"region": region, "cards": cards})


def public_card(request, region_code: str, card_kind_code: str):
    version = request.GET.get("verze", "")
    card = selectors.public_card(
        region_code, card_kind_code, int(version) if version.isdigit() and len(version) <= 6 else None
    )
    if card is None:
        raise Http404
    context = {
        "card": card,
        "lines": selectors.card_content(card),
        "activities": selectors.card_activities(card),
        "versions": selectors.public_versions(card),
    }
    return render(request, "needs/cards/public_card.html", context)
