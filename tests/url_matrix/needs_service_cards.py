"""URL × role matrix entries of the service cards and the minimum form (qmss.needs.urls_service_cards)."""

POST_ONLY = {
    "potreby/karty-sluzeb/organizace/<int:organisation_pk>/nova/": (
        "the 'Fill in the card' buttons of the provider's list of service cards",
        "potreby/karty-sluzeb/organizace/<int:organisation_pk>/",
        "A provider/admin",
    ),
}
