"""E-mail is sent only after the database transaction that caused it has committed.

A rolled-back invitation, reminder or password reset must not leave an e-mail behind (with a link to a row
that does not exist). Outside a transaction the e-mail goes out at once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import send_mail
from django.db import transaction


def send_after_commit(
    *, subject: str, message: str, recipient_list: list[str], from_email: str | None = None, using: str | None = None
) -> None:
    """``django.core.mail.send_mail`` once the current transaction commits (never if it rolls back)."""
    run_after_commit(
        partial(
            send_mail,
            subject=subject,
            message=message,
            from_email=from_email or settings.DEFAULT_FROM_EMAIL,
            recipient_list=list(recipient_list),
        ),
        using=using,
    )


def run_after_commit(send: Callable[[], object], *, using: str | None = None) -> None:
    transaction.on_commit(send, using=using, robust=False)


class AfterCommitPasswordResetForm(PasswordResetForm):
    """Django's password reset form, its e-mail sent after commit."""

    def send_mail(self, *args, **kwargs):
        run_after_commit(partial(super().send_mail, *args, **kwargs))
