from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from qmss.core import views_accounts, views_mfa
from qmss.core.mail import AfterCommitPasswordResetForm

urlpatterns = [
    path("prihlaseni/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("odhlaseni/", auth_views.LogoutView.as_view(), name="logout"),
    path("profil/", views_accounts.profile, name="profile"),
    path("druhy-faktor/", views_mfa.manage, name="mfa_manage"),
    path("druhy-faktor/overeni/", views_mfa.verify, name="mfa_verify"),
    path("druhy-faktor/nastaveni/", views_mfa.setup, name="mfa_setup"),
    path("druhy-faktor/zalozni-kody/", views_mfa.recovery_codes, name="mfa_recovery_codes"),
    path("druhy-faktor/vypnout/", views_mfa.disable, name="mfa_disable"),
    path("heslo/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("heslo/zmeneno/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "obnova-hesla/",
        views_accounts.ThrottledPasswordResetView.as_view(form_class=AfterCommitPasswordResetForm),
        name="password_reset",
    ),
    path("obnova-hesla/odeslano/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "obnova-hesla/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("obnova-hesla/hotovo/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
