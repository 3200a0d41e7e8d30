"""Models of the network app: networks with tiers, versions, entries and the brief; rules (criteria sets and
demand parameters) as versioned data; applications with attachments, statements and steps; what-if scenarios."""

from qmss.network.models.applications import (
    Application,
    ApplicationAttachment,
    ApplicationStep,
    MunicipalityStatement,
    Scenario,
)
from qmss.network.models.network import BriefItem, Network, NetworkEntry, NetworkVersion, Tier
from qmss.network.models.rules import ParameterSet, RuleSet

__all__ = [
    "Application",
    "ApplicationAttachment",
    "ApplicationStep",
    "BriefItem",
    "MunicipalityStatement",
    "Network",
    "NetworkEntry",
    "NetworkVersion",
    "ParameterSet",
    "RuleSet",
    "Scenario",
    "Tier",
]
