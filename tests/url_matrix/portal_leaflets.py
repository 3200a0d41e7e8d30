"""URL × role matrix entries of the leaflets part (qmss.portal urls_leaflets).

Both routes are public: the leaflets page lists published leaflets and posters and a form; the PDF without a
place (``?obec=`` / ``?orp=``) answers 404 with a message and never shows a tenant's organisation."""

PUBLIC = {
    "letaky/": "leaflets and posters: published texts and a form to choose one and a place",
}

NO_SECRET = {
    "osveta/<slug:article_slug>/tisk.pdf": (
        404,
        "a leaflet's PDF needs a place (?obec= or ?orp=) and a published leaflet or poster; without them a message",
    ),
}
