"""Public registry pages (no login), mounted at /overeni-registrace/ without a namespace."""

from django.urls import path

from qmss.registry import views_public

urlpatterns = [
    path("", views_public.registration_check, name="registration_check"),
]
