"""URLs of the entrustments part (under /financovani/povereni/); names and parameters as in the shared spec."""

from django.urls import path

from qmss.financing import views_entrustments as views

urlpatterns = [
    path("<int:network_pk>/", views.entrustments, name="entrustments"),
    path("<int:network_pk>/navrhnout/", views.entrustment_propose, name="entrustment_propose"),
    path("<int:network_pk>/vydat/", views.entrustment_issue, name="entrustment_issue"),
    path("detail/<int:entrustment_pk>/", views.entrustment, name="entrustment"),
    path("detail/<int:entrustment_pk>/upravit/", views.entrustment_edit, name="entrustment_edit"),
    path("detail/<int:entrustment_pk>/povereni.pdf", views.entrustment_pdf, name="entrustment_pdf"),
]
