"""qmss evidence_reminders – e-mail organisation administrators about expired and expiring evidence."""

from qmss.assessments.tasks import send_evidence_reminders
from qmss.core.management.reminders import ReminderCommand


class Command(ReminderCommand):
    help = "E-mail organisation administrators about evidence that expires within its reminder window."
    label = "evidence reminders"
    send = staticmethod(send_evidence_reminders)
