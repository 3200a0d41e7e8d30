"""qmss needs_reminders – e-mail providers whose round reports are due soon (once per report; run daily)."""

from qmss.core.management.reminders import ReminderCommand
from qmss.needs.reminders_rounds import deliver_round_reminders


class Command(ReminderCommand):
    help = "E-mail the providers of reports still not submitted the set number of days before a round's deadline."
    label = "round reminders"
    send = staticmethod(deliver_round_reminders)
