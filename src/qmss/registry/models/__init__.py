from qmss.registry.models.imports import RegistryChange, RegistryImport
from qmss.registry.models.links import ProviderClaim, ProviderLink
from qmss.registry.models.reference import (
    AgeGroup,
    BasicActivity,
    CapacityType,
    DeliveryForm,
    ReferenceLibrary,
    ServiceKind,
    TargetGroup,
)
from qmss.registry.models.registered import Capacity, Facility, Provider, Service, ServiceForm

__all__ = [
    "AgeGroup",
    "BasicActivity",
    "Capacity",
    "CapacityType",
    "DeliveryForm",
    "Facility",
    "Provider",
    "ProviderClaim",
    "ProviderLink",
    "ReferenceLibrary",
    "RegistryChange",
    "RegistryImport",
    "Service",
    "ServiceForm",
    "ServiceKind",
    "TargetGroup",
]
