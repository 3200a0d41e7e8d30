"""Models of the needs app: the needs taxonomy, kind cards with their consultation, provider service cards,
data-collection rounds with submissions, indicators (definitions only) and the minimum form of a kind."""

from qmss.needs.models.cards import (
    CardComment,
    Consultation,
    ConsultationMeeting,
    KindCard,
    KindCardNeed,
    MinimumForm,
    ServiceCard,
    ServiceCardResponse,
)
from qmss.needs.models.collection import (
    CollectionRound,
    CollectionTemplate,
    DataElement,
    Disaggregation,
    DisaggregationCategory,
    Indicator,
    Submission,
    SubmissionComment,
    SubmissionValue,
    ValidationRule,
)
from qmss.needs.models.taxonomy import Need, NeedArea, Taxonomy

__all__ = [
    "CardComment",
    "CollectionRound",
    "CollectionTemplate",
    "Consultation",
    "ConsultationMeeting",
    "DataElement",
    "Disaggregation",
    "DisaggregationCategory",
    "Indicator",
    "KindCard",
    "KindCardNeed",
    "MinimumForm",
    "Need",
    "NeedArea",
    "ServiceCard",
    "ServiceCardResponse",
    "Submission",
    "SubmissionComment",
    "SubmissionValue",
    "Taxonomy",
    "ValidationRule",
]
