"""URL × role matrix entries of the budget allocation (qmss.financing.urls_allocation).

Both routes (the comparison page and its XLSX export) are the programme manager's working material: they name the
manager organisation (a tenant secret), so the usual checks apply – A's region users see it, tenant B and A's
provider get 404, anonymous visitors the login. ``programme_pk`` comes from the applications part's builder
(``qmss.financing.testing_applications.matrix_kwargs``); no exception is needed here."""
