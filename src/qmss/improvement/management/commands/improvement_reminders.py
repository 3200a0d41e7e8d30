"""qmss improvement_reminders – e-mail each responsible person their overdue and upcoming actions (once a day)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from qmss.improvement.tasks import deliver_action_reminders


class Command(BaseCommand):
    help = "E-mail each action owner a digest of their overdue actions and those due within 7 days."

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
        sent = deliver_action_reminders(today, dry_run=options["dry_run"])
        verb = "would send" if options["dry_run"] else "sent"
        self.stdout.write(f"action reminders: {verb} {sent} e-mail(s)")
