"""The XLSX upload of a round: the whole workbook is checked first, then every submission's values are saved
through :func:`qmss.needs.actions_rounds.save_values` in one transaction – all services or none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core.scoping import Scope
from qmss.needs import selectors_xlsx, xlsx, xlsx_parse
from qmss.needs.actions_rounds import save_values
from qmss.needs.error_codes import NeedsErrorCode as Code
from qmss.needs.models import CollectionRound

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


@dataclass(frozen=True)
class ImportResult:
    services: int  # services in the file
    changed: int  # services whose values changed


def check_workbook(
    *, scope: Scope, round: CollectionRound, data: bytes, organisation_id: int | None = None
) -> tuple[list[xlsx.ServiceBlock], xlsx.Parsed]:
    """Parse and check an upload against the submissions the user may fill now (nothing is written)."""
    submissions = list(selectors_xlsx.fillable_submissions(scope, round, organisation_id))
    blocks = selectors_xlsx.service_blocks(submissions)
    others = selectors_xlsx.other_portal_ids(scope, round, [s.pk for s in submissions])
    parsed = xlsx_parse.parse_workbook(
        data, round_id=round.pk, blocks=blocks, secret=settings.SECRET_KEY, all_portal_ids=others
    )
    return blocks, parsed


def _messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


@audit.action
def import_workbook(
    *, user: AbstractBaseUser, round: CollectionRound, data: bytes, organisation_id: int | None = None
) -> ImportResult:
    """Save the values of an uploaded template, all or nothing. Refusal: ``ValidationError`` with every problem
    found (each naming its sheet, row and column), code ``bad_file``; nothing is saved then."""
    scope = Scope.for_user(user)
    blocks, parsed = check_workbook(scope=scope, round=round, data=data, organisation_id=organisation_id)
    if parsed.errors:
        messages = list(parsed.errors)
        if parsed.truncated:
            messages.append(_("There are more errors; correct these and upload the file again."))
        raise ValidationError(messages, code=Code.BAD_FILE.value)
    submissions = {s.pk: s for s in selectors_xlsx.fillable_submissions(scope, round, organisation_id)}
    errors: list[str] = []
    changed = 0
    for block in blocks:
        values = parsed.values.get(block.submission_pk)
        if values is None:
            continue
        unchanged = all(block.values.get(key) == value for key, value in values.items())
        if unchanged:
            continue
        try:
            save_values(user=user, submission=submissions[block.submission_pk], values=values, source="xlsx")
        except ValidationError as exc:
            where = _("Sheet “%(sheet)s”") % {"sheet": xlsx.sheet_title(block)}
            errors.extend(f"{where}: {message}" for message in _messages(exc))
        else:
            changed += 1
        if len(errors) >= xlsx.MAX_ERRORS:
            break
    if errors:
        raise ValidationError(errors, code=Code.BAD_FILE.value)  # rolls back the services saved before
    return ImportResult(services=len(parsed.values), changed=changed)
