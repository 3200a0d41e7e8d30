"""URL × role matrix entries of the settlement part (qmss.financing urls_settlement).

Tenant A's settlement (``qmss.financing.testing_settlement.matrix_kwargs``) is a draft of an accepted application:
its provider sees it, may edit and submit it; the programme's manager sees it (and its check page) and the
programme-wide export. Submitting is a POST-only route posted from the settlement page.
"""

SETTLEMENT_PAGE = "financovani/vyuctovani/<int:settlement_pk>/"

POST_ONLY = {
    "financovani/vyuctovani/<int:settlement_pk>/podat/": (
        "submit form of the settlement page",
        SETTLEMENT_PAGE,
        "A provider/admin",
    ),
}
