"""Base of the daily reminder commands: `--date` to pretend another day, `--dry-run` to count only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.management.base import BaseCommand, CommandError


class ReminderCommand(BaseCommand):
    """Subclasses set ``label`` and ``send(today, *, dry_run) -> number of e-mails``."""

    label = "reminders"
    send: Callable[..., int]

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Pretend today is this day (YYYY-MM-DD).")
        parser.add_argument("--dry-run", action="store_true", help="Only count the e-mails, send nothing.")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"invalid date: {options['date']}") from exc
        sent = self.send(today, dry_run=options["dry_run"])
        verb = "would send" if options["dry_run"] else "sent"
        self.stdout.write(f"{self.label}: {verb} {sent} e-mail(s)")
