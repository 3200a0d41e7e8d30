"""URLs of the needs app under /potreby/; each part of the app keeps its own ``urls_<part>.py``."""

from django.urls import include, path

app_name = "needs"

urlpatterns = [
    path("", include("qmss.needs.urls_taxonomy")),
    path("karty-druhu/", include("qmss.needs.urls_cards")),
    path("karty-sluzeb/", include("qmss.needs.urls_service_cards")),
    path("sber/", include("qmss.needs.urls_rounds")),
    path("sber/", include("qmss.needs.urls_xlsx")),
    path("ukazatele/", include("qmss.needs.urls_indicators")),
    path("vyhodnoceni/", include("qmss.needs.urls_dashboard")),
]
