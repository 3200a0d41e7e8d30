"""URL × role matrix entries of the standards part (qmss.financing urls_standards).

Tenant A's first registry service carries a staff position, a building, a household and a room named with the
provider organisation's name (see ``qmss.financing.testing_standards.matrix_kwargs``). The pages of those records
show it; the list and the two add forms of the service show registry data only (public)."""

NO_SECRET = {
    "financovani/standardy/": (200, "the list names registry services with pass / fail only (public registry data)"),
    "financovani/standardy/sluzba/<int:service_portal_id>/pozice/nova/": (
        200,
        "an empty position form under the registry service's name (public)",
    ),
    "financovani/standardy/sluzba/<int:service_portal_id>/budovy/nova/": (
        200,
        "an empty building form under the registry service's name (public)",
    ),
}

# Households and rooms carry no timestamp: their own harvested values saved again change no row.
OWNER_POST_SKIPPED = {
    "financovani/standardy/domacnosti/<int:household_pk>/": "the harvested name is the household's own: saving it "
    "again changes no row (households have no timestamp)",
    "financovani/standardy/pokoje/<int:room_pk>/": "the harvested name and beds are the room's own: saving them again "
    "changes no row (rooms have no timestamp)",
}
