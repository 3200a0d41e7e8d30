from django.urls import path

from qmss.core import views_orgs

urlpatterns = [
    path("organizace/", views_orgs.organisation_list, name="organisation_list"),
    path("organizace/<int:organisation_pk>/", views_orgs.organisation_detail, name="organisation_detail"),
]
