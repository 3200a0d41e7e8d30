"""Year-end settlements under /financovani/vyuctovani/ (names in the namespace ``financing``)."""

from django.urls import path

from qmss.financing import views_settlement as views

urlpatterns = [
    path("", views.settlement_list, name="settlements"),
    path("nove/<int:subsidy_pk>/", views.settlement_new, name="settlement_new"),
    path("<int:settlement_pk>/", views.settlement_detail, name="settlement"),
    path("<int:settlement_pk>/upravit/", views.settlement_edit, name="settlement_edit"),
    path("<int:settlement_pk>/podat/", views.settlement_submit, name="settlement_submit"),
    path("<int:settlement_pk>/kontrola/", views.settlement_check, name="settlement_check"),
    path("<int:settlement_pk>/vyuctovani.pdf", views.settlement_pdf, name="settlement_pdf"),
    path("<int:settlement_pk>/vyuctovani.xlsx", views.settlement_xlsx, name="settlement_xlsx"),
    path("program/<int:programme_pk>/export.xlsx", views.settlements_export, name="settlements_export"),
]
