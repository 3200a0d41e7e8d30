"""URL × role matrix entries of the finder part (qmss.portal urls_finder).

Both routes are public by design: the finder lists public registry data (services, providers, places) and public
network membership (named by the territory served); the suggestions list municipalities. Neither ever prints a
QMSS organisation's name."""

PUBLIC = {
    "najit-sluzbu/": "public finder: registry services covering a place (public registry and network data)",
    "najit-sluzbu/obce/": "municipality suggestions for the finder (public territory data)",
}
