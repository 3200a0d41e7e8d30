"""Models of the voluntary quality model: the process map with KPIs, and development plans with actions."""

from qmss.improvement.models.plans import Action, ActionReminder, DevelopmentPlan
from qmss.improvement.models.processes import Kpi, KpiMeasurement, Process

__all__ = ["Action", "ActionReminder", "DevelopmentPlan", "Kpi", "KpiMeasurement", "Process"]
