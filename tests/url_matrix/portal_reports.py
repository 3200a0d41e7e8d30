"""URL × role matrix entries of the reports part (qmss.portal urls_reports).

Tenant A's region holds a report whose texts name A's organisations (see
``qmss.portal.testing_reports.matrix_kwargs``): only A's regional staff see it, its handlers change its state."""

PUBLIC = {
    "neregistrovane-sluzby/": "unregistered services: warning signs, how to check and report (library data)",
    "neregistrovane-sluzby/podnet/": "public report form: shows no report, only the empty form",
    "neregistrovane-sluzby/podnet/odeslano/": "report sent: a fixed thank-you message",
}

POST_ONLY = {
    "podnety/<int:report_pk>/stav/": (
        "state form on the report page (the region's handlers)",
        "podnety/<int:report_pk>/",
        "A region/network_manager",
    ),
}

OWNER_POST_SKIPPED = {
    "neregistrovane-sluzby/podnet/": (
        "the form's spam token is bound to the browser's CSRF cookie and must be 3 s to 2 h old: a harvested form "
        "replayed by another client is refused by design (so visitors write nothing); tests/portal/test_reports.py "
        "submits it from one browser"
    ),
}
