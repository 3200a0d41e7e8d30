"""URLs of the portal's shell: display modes, easy-read pages, the accessibility statement (the home is core's)."""

from django.urls import path

from qmss.portal import views_shell

urlpatterns = [
    path("zobrazeni/", views_shell.display_settings, name="display"),
    path("snadne-cteni/", views_shell.easy_read, name="easy_read"),
    path("snadne-cteni/<slug:topic>/", views_shell.easy_read_page, name="easy_read_page"),
    path("pristupnost/", views_shell.accessibility, name="accessibility"),
]
