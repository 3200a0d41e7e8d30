"""Applications to a network under /sit/zadosti/ (names in the namespace ``network``)."""

from django.urls import path

from qmss.network import views_applications as views

urlpatterns = [
    path("", views.application_list, name="applications"),
    path("nova/<int:network_pk>/", views.application_new, name="application_new"),
    path("<int:application_pk>/", views.application_detail, name="application"),
    path("<int:application_pk>/krok/", views.application_step, name="application_step"),
    path("<int:application_pk>/rozhodnuti/", views.application_decide, name="application_decide"),
    path("<int:application_pk>/vyjadreni/", views.statement, name="statement"),
    path("<int:application_pk>/oprava/", views.application_edit, name="application_edit"),
    path("<int:application_pk>/prilohy/", views.attachments_add, name="application_attachments"),
    path("prilohy/<int:attachment_pk>/", views.attachment, name="attachment"),
]
