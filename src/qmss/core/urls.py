from django.urls import path

from qmss.core import views_accounts, views_help, views_orgs, views_search

urlpatterns = [
    path("hledat/", views_search.search_page, name="search"),
    path("napoveda/", views_help.help_index, name="help"),
    path("napoveda/<slug:role_slug>/", views_help.help_role, name="help_role"),
    path("organizace/", views_orgs.organisation_list, name="organisation_list"),
    path("organizace/<int:organisation_pk>/", views_orgs.organisation_detail, name="organisation_detail"),
    path("organizace/<int:organisation_pk>/upravit/", views_orgs.organisation_edit, name="organisation_edit"),
    path("organizace/<int:organisation_pk>/historie/", views_orgs.organisation_log, name="organisation_log"),
    path("organizace/<int:organisation_pk>/pozvanky/", views_orgs.invitation_create, name="invitation_create"),
    path(
        "organizace/<int:organisation_pk>/pozvanky/<int:invitation_pk>/zrusit/",
        views_orgs.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organizace/<int:organisation_pk>/clenove/<int:membership_pk>/role/",
        views_orgs.member_role,
        name="member_role",
    ),
    path(
        "organizace/<int:organisation_pk>/clenove/<int:membership_pk>/odebrat/",
        views_orgs.member_remove,
        name="member_remove",
    ),
    path("pozvanka/<str:token>/", views_orgs.invitation_accept, name="invitation_accept"),
    path("historie/<str:model_label>/<str:object_pk>/", views_accounts.object_history, name="object_history"),
]
