"""URL × role matrix entries of the applications part (qmss.financing urls_applications).

Tenant A's open programme holds its provider's application returned for correction (see
``qmss.financing.testing_applications.matrix_kwargs``): the provider is offered the edit form and the submit
button, the region's network manager the state form of the programme."""

POST_ONLY = {
    "financovani/programy/<int:programme_pk>/stav/": (
        "state form of the programme page (the manager's)",
        "financovani/programy/<int:programme_pk>/",
        "A region/network_manager",
    ),
    "financovani/programy/zadosti/<int:subsidy_pk>/podat/": (
        "submit button of the application page (the provider's)",
        "financovani/programy/zadosti/<int:subsidy_pk>/",
        "A provider/admin",
    ),
}
