"""URL × role matrix entries of the portal's shell (qmss.portal urls_shell): public pages without tenant data.

The display form's POST only sets the visitor's display cookie (no table, no session)."""

PUBLIC = {
    "zobrazeni/": "display settings: a cookie of the visitor's browser, no tenant data",
    "snadne-cteni/": "easy-read hub: public texts of the portal's library",
    "snadne-cteni/<slug:topic>/": "easy-read topic: public texts of the portal's library",
    "pristupnost/": "accessibility statement: a fixed public page",
}

OWNER_POST_SKIPPED = {
    "zobrazeni/": "saving the display sets a cookie only (tests/portal/test_shell.py covers it)",
}
