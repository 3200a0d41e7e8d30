"""Models of the financing app: reference values, programmes and subsidy applications, compensation runs,
entrustments, settlements, and the personnel and material-technical standards."""

from qmss.financing.models.compensation import CompensationLine, CompensationRun
from qmss.financing.models.entrustment import Entrustment
from qmss.financing.models.programmes import Programme, SubsidyApplication
from qmss.financing.models.reference import ReferenceValue, ReferenceValueSet
from qmss.financing.models.settlement import Settlement
from qmss.financing.models.standards import Building, Household, Room, StaffPosition

__all__ = [
    "Building",
    "CompensationLine",
    "CompensationRun",
    "Entrustment",
    "Household",
    "Programme",
    "ReferenceValue",
    "ReferenceValueSet",
    "Room",
    "Settlement",
    "StaffPosition",
    "SubsidyApplication",
]
