"""URL × role matrix entries of the financing hub and API (qmss.financing.views_index, api_financing).

Reference values are published data: the list of sets and a set's values show no tenant secret by design (the
manager is named by its territory, not by its name). The hub (``financovani/``), the programmes, applications,
compensation lines, settlements and a service's standards are checked as usual: A's own users see A's names there,
nobody else does."""

PUBLIC = {
    "api/v1/financing/reference-sets": "financing API: reference value sets are published data",
    "api/v1/financing/reference-sets/<reference_set_pk>/values": "financing API: reference values are published data",
}
