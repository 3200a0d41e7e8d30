"""Indicator pages under /potreby/ukazatele/: the definitions (public) and one indicator's values per round (the
region's view, a provider's own services)."""

from django.urls import path

from qmss.needs import views_indicators

urlpatterns = [
    path("", views_indicators.indicator_list, name="indicator_list"),
    path("<int:indicator_pk>/", views_indicators.indicator_detail, name="indicator_detail"),
]
