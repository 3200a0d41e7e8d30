"""The leaflets' public URLs (mounted at the site root by ``portal.urls``)."""

from django.urls import path

from qmss.portal import views_leaflets

urlpatterns = [
    path("letaky/", views_leaflets.leaflets, name="leaflets"),
    path("osveta/<slug:article_slug>/tisk.pdf", views_leaflets.article_print, name="article_print"),
]
