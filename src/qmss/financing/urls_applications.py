"""Programmes and subsidy applications under /financovani/programy/ (names in the namespace ``financing``)."""

from django.urls import path

from qmss.financing import views_applications as views

urlpatterns = [
    path("", views.programme_list, name="programmes"),
    path("novy/", views.programme_new, name="programme_new"),
    path("<int:programme_pk>/", views.programme_detail, name="programme"),
    path("<int:programme_pk>/upravit/", views.programme_edit, name="programme_edit"),
    path("<int:programme_pk>/stav/", views.programme_state, name="programme_state"),
    path("<int:programme_pk>/nova-zadost/", views.application_new, name="application_new"),
    path("zadosti/", views.application_list, name="applications"),
    path("zadosti/<int:subsidy_pk>/", views.application_detail, name="application"),
    path("zadosti/<int:subsidy_pk>/upravit/", views.application_edit, name="application_edit"),
    path("zadosti/<int:subsidy_pk>/podat/", views.application_submit, name="application_submit"),
    path("zadosti/<int:subsidy_pk>/posouzeni/", views.application_review, name="application_review"),
]
