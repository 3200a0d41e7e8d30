"""A network that learns: the prevalence re-estimated from a round (hand-computed), the proposal, accept / keep,
who may do it, and the pages' query budgets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.network import learning
from qmss.network.actions_learning import decide, propose_parameters
from qmss.network.models import ParameterSet
from qmss.network.selectors_rules import current_parameters
from qmss.network.testing_learning import make_learning_round
from qmss.network.testing_networks import make_network
from qmss.registry.testing import make_service
from qmss.testing.factories import make_municipality
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

CARE = (("ter", (("klient", 30),)),)  # kind 4, unit klienti
BEDS = (("pob", (("luzka", 40),)),)  # kind 13, unit luzka


def users(n: int, waiting: int = 0, refused: int = 0) -> dict:
    values = {("users", "65_79"): n // 2, ("users", "80p"): n - n // 2, ("waiting_list", ""): waiting}
    if refused:
        values[("refused", "capacity")] = refused
    return values


@pytest.fixture
def world(tenant_a):
    """ORPs of tenant A's region (65+ = 21 % of the residents):

    - X (2,100 aged 65+): S1 42 users; half of S5 (10 users split between X and Y) → 47
    - Y (1,050): S2 42 users; half of S5 → 47
    - Z (4,200): S3 20 users, 15 on the waiting list → left out
    - U (630): S6 9 users, 2 refused for lack of capacity → left out
    - V (420): S4 without an approved report → left out
    - tenant A's own municipality's ORP: no service of the kind → left out
    Kind 4: (47 + 47) / (2,100 + 1,050) = 94 / 3,150 = 0.029841 (in force 0.045: drift −0.015159, −33.7 %).
    Kind 13 (beds): S7 in X, 14,600 bed-days / 365 days = 40 occupied beds; 40 / 2,100 = 0.019048 (in force
    0.017: drift +0.002048, +12.0 %).
    """
    region = tenant_a.region
    x = make_municipality(region, name="Xaverov", population=10000)
    y = make_municipality(region, name="Ypsilonov", population=5000)
    z = make_municipality(region, name="Zetov", population=20000)
    u = make_municipality(region, name="Úvaly", population=3000)
    v = make_municipality(region, name="Véčkov", population=2000)
    s1 = make_service(kind="4", forms=CARE, municipalities=[x])
    s2 = make_service(kind="4", forms=CARE, municipalities=[y])
    s3 = make_service(kind="4", forms=CARE, municipalities=[z])
    s4 = make_service(kind="4", forms=CARE, municipalities=[v])
    s5 = make_service(kind="4", forms=CARE, municipalities=[x, y])
    s6 = make_service(kind="4", forms=CARE, municipalities=[u])
    s7 = make_service(kind="13", forms=BEDS, municipalities=[x])
    region_org = tenant_a.orgs[OrganisationKind.REGION]
    network = make_network(region_org, services=[s1, s2])
    round_obj = make_learning_round(
        region_org,
        [
            (s1, users(42)),
            (s2, users(42)),
            (s3, users(20, waiting=15)),
            (s5, users(10)),
            (s6, users(9, refused=2)),
            (s7, {**users(50), ("bed_days", ""): 14600, ("period_days", ""): 365}),
        ],
    )
    manager = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    return {"network": network, "round": round_obj, "manager": manager, "orps": {"x": x.orp, "y": y.orp,
            "z": z.orp, "u": u.orp, "v": v.orp, "own": tenant_a.municipality.orp}, "s4": s4}  # fmt: skip


def _kind(estimates, code):
    return next(item for item in estimates if item.kind == code)


def test_estimate_hand_computed(world):
    network, round_obj = world["network"], world["round"]
    estimates = learning.estimate(network=network, round_obj=round_obj, parameter_set=current_parameters(network))
    care = _kind(estimates, "4")
    assert care.estimate == Decimal("0.029841")
    assert care.use == Decimal(94) and care.population == Decimal(3150)
    assert sorted(row["use"] for row in care.used) == ["47", "47"]  # S5 split half and half
    assert care.current == Decimal("0.045")
    assert care.drift == Decimal("-0.015159")
    assert care.drift_percent == Decimal("-33.7")
    orps = world["orps"]
    assert {row["orp"] for row in care.used} == {orps["x"].ruian_code, orps["y"].ruian_code}
    reasons = {row["orp"]: row["reason"] for row in care.excluded}
    assert reasons == {
        orps["z"].ruian_code: "waiting",
        orps["u"].ruian_code: "refused",
        orps["v"].ruian_code: "no_report",
        orps["own"].ruian_code: "no_service",
    }
    beds = _kind(estimates, "13")
    assert beds.estimate == Decimal("0.019048")
    assert beds.drift_percent == Decimal("12.0")
    assert _kind(estimates, "14").estimate is None  # no service of the kind: kept


def test_proposal_is_stored_with_its_explanation(world):
    network, round_obj, manager = world["network"], world["round"], world["manager"]
    before = current_parameters(network)
    proposal = propose_parameters(user=manager, network=network, round=round_obj)
    assert proposal.state == ParameterSet.State.PROPOSED
    assert proposal.round == round_obj
    assert proposal.values["4"]["prevalence"] == "0.029841"
    assert proposal.values["13"]["prevalence"] == "0.019048"
    assert proposal.values["14"] == before.values["14"]  # not estimated: kept
    kinds = proposal.explanation["kinds"]
    assert kinds["4"]["drift"] == "-0.015159" and kinds["4"]["drift_percent"] == "-33.7"
    assert len(kinds["4"]["used"]) == 2 and len(kinds["4"]["excluded"]) == 4
    assert current_parameters(network) == before  # nothing in force changes until the manager decides
    with pytest.raises(ValidationError) as caught:  # the same round again while the proposal waits
        propose_parameters(user=manager, network=network, round=round_obj)
    assert caught.value.code == "invalid_state"


def test_accept_and_keep(world, client):
    network, round_obj, manager = world["network"], world["round"], world["manager"]
    before = current_parameters(network)
    first = propose_parameters(user=manager, network=network, round=round_obj)
    client.force_login(manager)
    url = reverse("network:learning", kwargs={"network_pk": network.pk})
    response = client.post(url, {"parameter_set": first.pk, "decision": "keep"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == ParameterSet.State.KEPT and current_parameters(network) == before
    second = propose_parameters(user=manager, network=network, round=round_obj)
    response = client.post(url, {"parameter_set": second.pk, "decision": "accept"})
    assert response.status_code == 302
    second.refresh_from_db()
    before.refresh_from_db()
    assert second.state == ParameterSet.State.CURRENT and current_parameters(network) == second
    assert before.state == ParameterSet.State.ACCEPTED


def test_estimate_button(world, client):
    network, manager = world["network"], world["manager"]
    client.force_login(manager)
    page = client.get(reverse("network:learning", kwargs={"network_pk": network.pk}))
    assert page.status_code == 200 and 'name="round"' in page.content.decode()
    url = reverse("network:learning_estimate", kwargs={"network_pk": network.pk})
    response = client.post(url, {"round": world["round"].pk})
    assert response.status_code == 302
    proposal = ParameterSet.objects.get(network=network, state=ParameterSet.State.PROPOSED)
    page = client.get(reverse("network:learning", kwargs={"network_pk": network.pk}))
    content = page.content.decode()
    assert "0,029841" in content and "33,7 %" in content and "0,045" in content
    assert f'value="{proposal.pk}"' in content  # the accept / keep form


def test_only_the_manager_posts(world, tenant_a, client):
    network, round_obj = world["network"], world["round"]
    reader = tenant_a.user(OrganisationKind.REGION, Role.READER)
    with pytest.raises(PermissionDenied):
        propose_parameters(user=reader, network=network, round=round_obj)
    client.force_login(reader)
    assert client.get(reverse("network:learning", kwargs={"network_pk": network.pk})).status_code == 200
    url = reverse("network:learning_estimate", kwargs={"network_pk": network.pk})
    assert client.post(url, {"round": round_obj.pk}).status_code == 403
    proposal = propose_parameters(user=world["manager"], network=network, round=round_obj)
    learning_url = reverse("network:learning", kwargs={"network_pk": network.pk})
    assert client.post(learning_url, {"parameter_set": proposal.pk, "decision": "accept"}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.state == ParameterSet.State.PROPOSED
    with pytest.raises(PermissionDenied):
        decide(user=reader, parameter_set=proposal, accept=True)


def test_another_tenant_sees_nothing(world, tenant_b, client):
    network, round_obj = world["network"], world["round"]
    proposal = propose_parameters(user=world["manager"], network=network, round=round_obj)
    other = tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    client.force_login(other)
    for name in ("learning", "data_quality", "history"):
        assert client.get(reverse(f"network:{name}", kwargs={"network_pk": network.pk})).status_code == 404
    url = reverse("network:learning_estimate", kwargs={"network_pk": network.pk})
    assert client.post(url, {"round": round_obj.pk}).status_code == 404
    learning_url = reverse("network:learning", kwargs={"network_pk": network.pk})
    assert client.post(learning_url, {"parameter_set": proposal.pk, "decision": "accept"}).status_code == 404
    with pytest.raises(PermissionDenied):
        propose_parameters(user=other, network=network, round=round_obj)
    assert ParameterSet.objects.filter(network=network, state=ParameterSet.State.PROPOSED).count() == 1


def test_a_round_of_another_region_is_refused(world, tenant_b):
    other_round = make_learning_round(tenant_b.orgs[OrganisationKind.REGION], [])
    with pytest.raises(ValidationError) as caught:
        propose_parameters(user=world["manager"], network=world["network"], round=other_round)
    assert caught.value.code == "not_in_scope"


def test_nothing_to_learn_is_said(tenant_a, client):
    region_org = tenant_a.orgs[OrganisationKind.REGION]
    network = make_network(region_org)
    service = make_service(kind="4", forms=CARE, municipalities=[tenant_a.municipality])
    round_obj = make_learning_round(region_org, [(service, users(10, waiting=3))])
    manager = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    with pytest.raises(ValidationError) as caught:
        propose_parameters(user=manager, network=network, round=round_obj)
    assert caught.value.code == "invalid_value"
    client.force_login(manager)
    page = client.get(reverse("network:learning", kwargs={"network_pk": network.pk}))
    assert page.status_code == 200


def test_learning_page_query_budget(tenant_a, client):
    region_org = tenant_a.orgs[OrganisationKind.REGION]
    network = make_network(region_org)
    manager = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    client.force_login(manager)
    made = []

    def grow(n):
        while len(made) < n:
            service = make_service(kind="4", forms=CARE, municipalities=[make_municipality(tenant_a.region)])
            round_obj = make_learning_round(region_org, [(service, users(10))])
            made.append(propose_parameters(user=manager, network=network, round=round_obj))

    assert_constant_queries(
        lambda: client.get(reverse("network:learning", kwargs={"network_pk": network.pk})),
        grow,
        count=lambda: len(made),
        small=1,
        large=4,
    )
