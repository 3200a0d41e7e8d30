"""Writes of the situations part: editors add, change and retire their own phrasings of the finder's situations.

Keyword-only typed arguments, one transaction each (``@audit.action``: the audit log records who did what),
permission checked inside (:mod:`qmss.portal.permissions`). Refusals: ``PermissionDenied``, or
``ValidationError`` per field with a code from :class:`qmss.portal.error_codes.PortalErrorCode`. Nothing is
deleted: a retired phrasing stays (inactive) for the audit trail.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core.models import Organisation
from qmss.core.scoping import Scope
from qmss.portal import permissions
from qmss.portal.error_codes import PortalErrorCode as Code
from qmss.portal.library_situations import validate_phrase_codes
from qmss.portal.models import SituationPhrase
from qmss.portal.situations import phrase_stems
from qmss.registry.search import normalise

MIN_TEXT, MAX_TEXT = 3, 200


def _clean(
    *, text: str, need_codes: list[str], target_group_codes: list[str], organisation_id: int, exclude: int | None
) -> str:
    text = " ".join((text or "").split())
    errors: dict[str, list[ValidationError]] = {}
    if not MIN_TEXT <= len(text) <= MAX_TEXT:
        message = _("Write the phrasing in {min} to {max} characters.").format(min=MIN_TEXT, max=MAX_TEXT)
        errors["text"] = [ValidationError(message, code=Code.INVALID_VALUE.value)]
    elif not phrase_stems(text):
        message = _("The phrasing has no word the finder could recognise; use words of at least three letters.")
        errors["text"] = [ValidationError(message, code=Code.INVALID_VALUE.value)]
    else:
        same = SituationPhrase.objects.filter(organisation_id=organisation_id, active=True).exclude(pk=exclude)
        key = normalise(text)
        if any(normalise(other) == key for other in same.values_list("text", flat=True)):
            message = _("Your organisation already has this phrasing.")
            errors["text"] = [ValidationError(message, code=Code.DUPLICATE.value)]
    try:
        validate_phrase_codes(list(need_codes), list(target_group_codes))
    except ValidationError as exc:
        for name, messages in exc.error_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return text


@audit.action
def create_phrase(
    *,
    scope: Scope,
    organisation: Organisation,
    text: str,
    need_codes: list[str],
    target_group_codes: list[str] | None = None,
) -> SituationPhrase:
    """Add a phrasing for ``organisation`` (an editorial organisation of the user)."""
    if not permissions.can_edit_situations(scope) or not permissions.can_edit_phrase_of(scope, organisation.pk):
        raise PermissionDenied
    if organisation.kind not in permissions.EDITORIAL_KINDS:
        message = _("Phrasings belong to a regional authority or to the ministry.")
        raise ValidationError({"organisation": [ValidationError(message, code=Code.NOT_IN_SCOPE.value)]})
    groups = list(target_group_codes or [])
    text = _clean(text=text, need_codes=need_codes, target_group_codes=groups, organisation_id=organisation.pk,
                  exclude=None)  # fmt: skip
    return SituationPhrase.objects.create(
        text=text,
        need_codes=list(dict.fromkeys(need_codes)),
        target_group_codes=list(dict.fromkeys(groups)),
        organisation=organisation,
        created_by_id=scope.user_id,
        active=True,
    )


@audit.action
def edit_phrase(
    *,
    scope: Scope,
    phrase: SituationPhrase,
    text: str,
    need_codes: list[str],
    target_group_codes: list[str] | None = None,
) -> SituationPhrase:
    """Change an active phrasing's text, needs or target groups."""
    if not permissions.can_edit_phrase_of(scope, phrase.organisation_id):
        raise PermissionDenied
    if not phrase.active:
        raise ValidationError(_("A retired phrasing cannot be changed."), code=Code.INVALID_STATE.value)
    groups = list(target_group_codes or [])
    phrase.text = _clean(text=text, need_codes=need_codes, target_group_codes=groups,
                         organisation_id=phrase.organisation_id, exclude=phrase.pk)  # fmt: skip
    phrase.need_codes = list(dict.fromkeys(need_codes))
    phrase.target_group_codes = list(dict.fromkeys(groups))
    phrase.save(update_fields=["text", "need_codes", "target_group_codes", "updated_at"])
    return phrase


@audit.action
def retire_phrase(*, scope: Scope, phrase: SituationPhrase) -> SituationPhrase:
    """Take a phrasing out of the finder's matching (kept, inactive)."""
    if not permissions.can_edit_phrase_of(scope, phrase.organisation_id):
        raise PermissionDenied
    if not phrase.active:
        raise ValidationError(_("The phrasing is already retired."), code=Code.INVALID_STATE.value)
    phrase.active = False
    phrase.save(update_fields=["active", "updated_at"])
    return phrase
