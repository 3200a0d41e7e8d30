"""URL × role matrix entries of the situations part (qmss.portal urls_situations).

Tenant A's regional authority has a phrasing whose text carries its name (``qmss.portal.testing_situations``).
The editors' list, the phrasing's page and its retire confirmation show it to A's editors; the public page lists
the library's situations only (never an editor's phrasing)."""

PUBLIC = {
    "najit-sluzbu/situace/": "how to search: the situations of the QMSS library with their needs (public data)",
}
