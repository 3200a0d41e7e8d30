from django.urls import path

from qmss.network import views_rules

urlpatterns = [
    path("<int:network_pk>/", views_rules.rules, name="rules"),
    path("<int:network_pk>/nova-verze/", views_rules.rule_set_new, name="rule_set_new"),
    path("sada/<int:rule_set_pk>/zverejnit/", views_rules.rule_set_publish, name="rule_set_publish"),
    path("<int:network_pk>/parametry/", views_rules.parameters, name="parameters"),
    path("<int:network_pk>/parametry/nova-verze/", views_rules.parameter_set_new, name="parameter_set_new"),
]
