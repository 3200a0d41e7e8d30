"""qmss evidence_reminders – e-mail organisation administrators about expired and expiring evidence."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from qmss.assessments.tasks import send_evidence_reminders


class Command(BaseCommand):
    help = "E-mail organisation administrators about evidence that expires within its reminder window."

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
        sent = send_evidence_reminders(today, dry_run=options["dry_run"])
        verb = "would send" if options["dry_run"] else "sent"
        self.stdout.write(f"evidence reminders: {verb} {sent} e-mail(s)")
