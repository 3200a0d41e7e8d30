from django.contrib.auth import views as auth_views
from django.urls import path

from qmss.core import views_accounts

urlpatterns = [
    path("prihlaseni/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("odhlaseni/", auth_views.LogoutView.as_view(), name="logout"),
    path("profil/", views_accounts.profile, name="profile"),
]
