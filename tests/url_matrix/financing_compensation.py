"""URL × role matrix entries of the compensation part (qmss.financing urls_compensation).

Tenant A's closed programme (``qmss.financing.testing_compensation.matrix_kwargs``) has an approved run no. 1 and a
draft run no. 2. The table, the export and the line are GET pages checked as usual (the table and the export name
the managing organisation and the applicant organisation; the line is also open to its provider once the run is
approved). Computing a run and approving the newest are POST-only, posted from the table page by A's network
manager."""

TABLE_PAGE = "financovani/vyrovnavaci-platby/<int:programme_pk>/"

POST_ONLY = {
    "financovani/vyrovnavaci-platby/<int:programme_pk>/vypocitat/": (
        "the compute form of the compensation table",
        TABLE_PAGE,
        "A region/network_manager",
    ),
    "financovani/vyrovnavaci-platby/<int:programme_pk>/schvalit/": (
        "the approve form of the compensation table (the newest draft run)",
        TABLE_PAGE,
        "A region/network_manager",
    ),
}
