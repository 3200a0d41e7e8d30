"""Pages of the rules part: the public rules page, a new version of the rules and its publication, the demand
parameters page and a new version of them; permissions; query budgets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.network import actions_rules as actions
from qmss.network import selectors_rules as selectors
from qmss.network.models import ParameterSet, RuleSet
from qmss.network.testing_networks import make_network, manager_of
from qmss.network.testing_rules import rule_payload
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(tenant_a):
    return make_network(tenant_a)


@pytest.fixture
def manager(network):
    return manager_of(network.organisation)


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _form_data(response) -> dict:
    form = response.context["form"]
    data = {}
    for field in form:
        value = field.value()
        data[field.html_name] = "" if value is None else value
    return data


def test_rules_page_is_public(network):
    response = _client().get(reverse("network:rules", kwargs={"network_pk": network.pk}))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Kvalita" in text and "Dostupnost" in text
    # quality 30 of 100 → 30 %, its audit part 30 of 100 → 30 % of the criterion, 9 % of the total
    assert "30\xa0%" in text and "9\xa0%" in text
    assert "neověřeno" in text or "not verified" in text
    assert "domovy pro seniory" in text
    assert reverse("network:rule_set_new", kwargs={"network_pk": network.pk}) not in text


def test_rules_page_versions_and_drafts(network, manager, tenant_b):
    draft = actions.new_rule_set(user=manager, network=network, name="Koncept tajný", **rule_payload())
    url = reverse("network:rules", kwargs={"network_pk": network.pk})
    assert "Koncept tajný" not in _client().get(url).content.decode()
    assert _client().get(url, {"verze": draft.version}).status_code == 404
    other = tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    assert _client(other).get(url, {"verze": draft.version}).status_code == 404
    response = _client(manager).get(url, {"verze": draft.version})
    assert response.status_code == 200 and "Koncept tajný" in response.content.decode()
    assert _client().get(url, {"verze": 1}).status_code == 200
    assert _client().get(url, {"verze": "x"}).status_code == 200


def test_manager_creates_and_publishes_a_version(network, manager):
    client = _client(manager)
    url = reverse("network:rule_set_new", kwargs={"network_pk": network.pk})
    response = client.get(url)
    assert response.status_code == 200
    data = _form_data(response)
    data.update(name="Pravidla 2027", w_cost="0", w_quality="40,5")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    rule_set = RuleSet.objects.get(network=network, version=2)
    assert response["Location"] == reverse("network:rule_set_publish", kwargs={"rule_set_pk": rule_set.pk})
    values = selectors.rule_values(rule_set)
    assert values.criteria["quality"].weight == Decimal("40.5")
    assert values.criteria["cost"].weight == 0
    assert values.reference_costs["13"].value == Decimal(620000)
    assert [t.code for t in values.admission_tests] == ["registered", "in_territory", "municipality_statement"]
    assert client.get(response["Location"]).status_code == 200
    response = client.post(response["Location"], {"confirm": "1"})
    assert response.status_code == 302
    assert selectors.current_rule_set(network) == rule_set


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("w_quality", "-1"),
        ("w_quality__audit", "abc"),
        ("t_min_total", "150"),
        ("rc_13", "-5"),
        ("p_cost_ratio_zero", "1"),
    ],
)
def test_rule_set_form_errors_at_the_field(network, manager, field, value):
    client = _client(manager)
    url = reverse("network:rule_set_new", kwargs={"network_pk": network.pk})
    data = _form_data(client.get(url))
    data.update({"name": "Špatná", field: value})
    response = client.post(url, data)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert RuleSet.objects.filter(network=network).count() == 1


def test_all_weights_zero_refused(network, manager):
    client = _client(manager)
    url = reverse("network:rule_set_new", kwargs={"network_pk": network.pk})
    data = _form_data(client.get(url))
    data.update(name="Nulová", w_quality="0", w_availability="0", w_need="0", w_cost="0")
    response = client.post(url, data)
    assert response.status_code == 422
    assert RuleSet.objects.filter(network=network).count() == 1


@pytest.mark.parametrize("route", ["rule_set_new", "parameter_set_new", "parameters"])
def test_other_tenant_refused(network, tenant_b, route):
    url = reverse(f"network:{route}", kwargs={"network_pk": network.pk})
    for user in (tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER), tenant_b.user(OrganisationKind.REGION)):
        assert _client(user).get(url).status_code == 403
        assert _client(user).post(url, {"name": "x", "source": "x"}).status_code in (403, 405)
    assert _client().get(url).status_code == 302  # to the login
    assert RuleSet.objects.filter(network=network).count() == 1
    assert ParameterSet.objects.filter(network=network).count() == 1


def test_reader_of_the_manager_sees_parameters_but_cannot_change(network, tenant_a):
    reader = tenant_a.user(OrganisationKind.REGION, Role.READER)
    assert _client(reader).get(reverse("network:parameters", kwargs={"network_pk": network.pk})).status_code == 200
    url = reverse("network:parameter_set_new", kwargs={"network_pk": network.pk})
    assert _client(reader).get(url).status_code == 403


def test_publish_refused_for_another_tenant(network, manager, tenant_b):
    draft = actions.new_rule_set(user=manager, network=network, name="Koncept", **rule_payload())
    url = reverse("network:rule_set_publish", kwargs={"rule_set_pk": draft.pk})
    other = tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    assert _client(other).post(url, {"confirm": "1"}).status_code == 403
    draft.refresh_from_db()
    assert draft.published_at is None


def test_manager_creates_a_parameter_set(network, manager):
    client = _client(manager)
    url = reverse("network:parameter_set_new", kwargs={"network_pk": network.pk})
    data = _form_data(client.get(url))
    data.update({"source": "Studie 2026", "d_13__prevalence": "0,02", "d_26__prevalence": ""})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    current = selectors.current_parameters(network)
    demand = selectors.demand_values(current)
    assert current.version == 2 and demand["13"].prevalence == Decimal("0.02") and "26" not in demand
    page = client.get(reverse("network:parameters", kwargs={"network_pk": network.pk}))
    assert "Studie 2026" in page.content.decode()
    data.update({"d_13__prevalence": "2"})
    response = client.post(url, data)
    assert response.status_code == 422 and "d_13__prevalence" in response.context["form"].errors


def test_rules_page_query_budget(network, manager):
    client = _client(manager)
    url = reverse("network:rules", kwargs={"network_pk": network.pk})

    def grow(n):
        while RuleSet.objects.filter(network=network).count() < n:
            actions.new_rule_set(user=manager, network=network, name="Verze", **rule_payload())

    assert_constant_queries(
        lambda: client.get(url), grow, count=lambda: RuleSet.objects.filter(network=network).count(), large=12
    )


def test_parameters_page_query_budget(network, manager):
    client = _client(manager)
    url = reverse("network:parameters", kwargs={"network_pk": network.pk})

    def grow(n):
        while ParameterSet.objects.filter(network=network).count() < n:
            actions.new_parameter_set(
                user=manager, network=network, values=actions.library_demand(), source="x", state="proposed"
            )

    assert_constant_queries(
        lambda: client.get(url), grow, count=lambda: ParameterSet.objects.filter(network=network).count(), large=12
    )


def test_reference_value_and_demand_of_another_kind(network, manager):
    from qmss.registry.testing import make_kind

    make_kind("21")
    client = _client(manager)
    url = reverse("network:rule_set_new", kwargs={"network_pk": network.pk})
    data = _form_data(client.get(url))
    data.update(name="Další druh", rc_new_kind="999", rc_new="1000")
    response = client.post(url, data)
    assert response.status_code == 422 and "rc_new_kind" in response.context["form"].errors
    data.update(rc_new_kind="21", rc_new="1 000,5", rc_new__unit="klienti")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    cost = selectors.rule_values(RuleSet.objects.get(network=network, version=2)).reference_costs["21"]
    assert cost.value == Decimal("1000.5") and cost.unit == "klienti"

    url = reverse("network:parameter_set_new", kwargs={"network_pk": network.pk})
    data = _form_data(client.get(url))
    data.update({"source": "x", "d_new_kind": "999", "d_new__prevalence": "0,001"})
    response = client.post(url, data)
    assert response.status_code == 422 and "d_new_kind" in response.context["form"].errors
    data.update({"d_new_kind": "21", "d_new__target": "65+"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    demand = selectors.demand_values(selectors.current_parameters(network))
    assert demand["21"].prevalence == Decimal("0.001") and demand["21"].target == "65+"


def test_history_shows_versions_and_decisions(network, manager):
    from tests.network.test_rules_actions import _decision

    first = selectors.current_rule_set(network)
    _decision(network, first)
    second = actions.new_rule_set(user=manager, network=network, name="Pravidla dva", **rule_payload())
    actions.publish_rule_set(user=manager, rule_set=second)
    url = reverse("network:rules", kwargs={"network_pk": network.pk})
    text = _client().get(url, {"verze": 1}).content.decode()
    assert "Pravidla dva" in text  # in the history
    assert "1 decision" in text or "1 rozhodnutí" in text
    assert response_state(text) == "replaced"


def response_state(text: str) -> str:
    return "replaced" if ("replaced by a newer version" in text or "nahrazeno novější verzí" in text) else "other"
