"""Writes of the taxonomy part: publishing a loaded library version (superusers only).

A version loaded after the first one of its URN waits (``published_at`` empty) until a superuser publishes it;
from then on it is the current version for new rounds and cards, while running ones keep theirs. The change is
recorded in the audit log with the acting user.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.needs.error_codes import NeedsErrorCode
from qmss.needs.models import CollectionTemplate, Taxonomy


@audit.action
def publish_version(*, user, version: Taxonomy | CollectionTemplate) -> Taxonomy | CollectionTemplate:
    """Publish a waiting library version; refuse a non-superuser and an already published version."""
    if not (user is not None and user.is_authenticated and user.is_active and user.is_superuser):
        raise PermissionDenied(_("Only a system administrator can publish a library version."))
    locked = type(version).objects.select_for_update().get(pk=version.pk)
    if locked.published_at is not None:
        raise ValidationError(_("This version has already been published."), code=NeedsErrorCode.INVALID_STATE.value)
    locked.published_at = timezone.now()
    locked.save(update_fields=["published_at"])
    return locked
