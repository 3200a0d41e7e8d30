"""qmss improvement_reminders – e-mail each responsible person their overdue and upcoming actions (once a day)."""

from qmss.core.management.reminders import ReminderCommand
from qmss.improvement.tasks import deliver_action_reminders


class Command(ReminderCommand):
    help = "E-mail each action owner a digest of their overdue actions and those due within 7 days."
    label = "action reminders"
    send = staticmethod(deliver_action_reminders)
