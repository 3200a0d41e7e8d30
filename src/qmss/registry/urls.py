from django.urls import path

from qmss.registry import views_catalogue, views_imports, views_links

app_name = "registry"

urlpatterns = [
    path("", views_catalogue.catalogue, name="catalogue"),
    path("export/<str:fmt>/", views_catalogue.export, name="export"),
    path("filtr/orp/", views_catalogue.catalogue_orps, name="catalogue_orps"),
    path("filtr/obce/", views_catalogue.municipality_suggestions, name="municipality_suggestions"),
    path("poskytovatel/<str:provider_ico>/", views_catalogue.provider_detail, name="provider"),
    path("sluzba/<int:service_portal_id>/", views_catalogue.service_detail, name="service"),
    path("importy/", views_imports.import_list, name="import_list"),
    path("importy/novy/", views_imports.import_new, name="import_new"),
    path("importy/<int:import_pk>/", views_imports.import_detail, name="import_detail"),
    path("importy/<int:import_pk>/prubeh/", views_imports.import_progress, name="import_progress"),
    path("propojeni/organizace/<int:organisation_pk>/", views_links.organisation_link, name="organisation_link"),
    path("propojeni/zadosti/", views_links.claim_list, name="claim_list"),
    path("propojeni/zadosti/<int:claim_pk>/", views_links.claim_detail, name="claim_detail"),
    path("propojeni/zadosti/<int:claim_pk>/zrusit/", views_links.claim_revoke, name="claim_revoke"),
]
