"""URL × role matrix entries of the portal's service part (qmss.portal.urls_service): public pages, no secret."""

PUBLIC = {
    "sluzby/<int:service_portal_id>/": "public service page: registry open data, published cards, public networks",
    "sluzby/<int:service_portal_id>/snadne-cteni/": "public service page in easy-read Czech: the same public data",
    "druhy-sluzeb/": "kinds of social services: reference data and the published model cards",
    "druhy-sluzeb/<str:kind_code>/": "a kind of social service: reference data, model card, rights and costs",
    "prava-klienta/": "the client's rights: a public library of the portal",
}
