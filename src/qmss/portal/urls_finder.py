"""The finder's public URLs (mounted at the site root by ``portal.urls``)."""

from django.urls import path

from qmss.portal import views_finder

urlpatterns = [
    path("najit-sluzbu/", views_finder.finder_page, name="finder"),
    path("najit-sluzbu/obce/", views_finder.municipality_suggest, name="municipality_suggest"),
]
