"""URL × role matrix entries of the kind cards (qmss.needs.urls_cards, qmss.needs.api_cards)."""

PUBLIC = {
    "potreby/karty-druhu/verejne/<str:region_code>/": "published kind cards of a region: public by design",
    "potreby/karty-druhu/verejne/<str:region_code>/<str:card_kind_code>/": "a published kind card: public by design",
    "api/v1/needs/kind-cards": "kind cards API: published versions only, public",
    "api/v1/needs/kind-cards/<kind_card_id>": "kind cards API: a published version, public",
}

POST_ONLY = {
    "potreby/karty-druhu/novy/": (
        "new-draft buttons on the region's list of kind cards",
        "potreby/karty-druhu/",
        "A region/admin",
    ),
}
