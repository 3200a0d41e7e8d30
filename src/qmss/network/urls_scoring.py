"""Scores of a network under /sit/hodnoceni/: ranking per kind, one candidate's explanation, competing
applications side by side."""

from django.urls import path

from qmss.network import views_scoring

urlpatterns = [
    path("<int:network_pk>/", views_scoring.ranking_view, name="ranking"),
    path("<int:network_pk>/vysvetleni/<str:candidate_key>/", views_scoring.explain_view, name="explain"),
    path("<int:network_pk>/srovnani/", views_scoring.compare_view, name="compare"),
]
