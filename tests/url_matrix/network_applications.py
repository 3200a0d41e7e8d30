"""URL × role matrix entries of the applications part (qmss.network urls_applications).

Tenant A's application (see ``qmss.network.testing_applications.matrix_kwargs``) is in the proposal state: its
provider sees it and may attach files or withdraw it, its network manager may decide it, its municipality may file
a statement. The workflow moves and the attachment upload are POST-only routes posted from the application page.
"""

APPLICATION_PAGE = "sit/zadosti/<int:application_pk>/"

POST_ONLY = {
    "sit/zadosti/<int:application_pk>/krok/": (
        "workflow form of the application page (the provider's withdrawal, the manager's moves)",
        APPLICATION_PAGE,
        "A provider/admin",
    ),
    "sit/zadosti/<int:application_pk>/prilohy/": (
        "attachment form of the application page",
        APPLICATION_PAGE,
        "A provider/admin",
    ),
}
