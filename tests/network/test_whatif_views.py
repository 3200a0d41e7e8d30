"""The what-if page end to end (hand-made scoring inputs through H4's engine), its permissions, scenarios and the
query budget of a recompute."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.network import selectors_whatif
from qmss.network.models import Scenario
from qmss.network.testing_whatif import make_application, make_scenario, make_world
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant_a, monkeypatch):
    world = make_world(tenant_a, secret="tajná")
    inputs = {"value": world.inputs()}
    monkeypatch.setattr(selectors_whatif, "cached_inputs", lambda network: inputs["value"])
    world.set_inputs = lambda value: inputs.__setitem__("value", value)
    return world


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager(tenant_a):
    return client_for(tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER))


def url(world) -> str:
    return reverse("network:whatif", kwargs={"network_pk": world.network.pk})


def ranking(content: bytes) -> list[str]:
    """Service names of the ranking table in order."""
    html = content.decode()
    table = html.split('id="whatif-ranking-title"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row">(?:<a [^>]*>)?([^<]+)', table)


def baseline_form(world, **changes) -> dict:
    data = {"druh": "13"}
    data.update(changes)
    return data


def test_weight_change_reorders_two_applications(world, manager):
    page = manager.get(url(world))
    assert page.status_code == 200
    before = ranking(page.content)
    assert before.index("Domov Buk") < before.index("Domov Javor")

    response = manager.post(url(world), baseline_form(world, **{"vaha-cost": "0"}), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content  # the partial only
    after = ranking(response.content)
    assert after.index("Domov Javor") < after.index("Domov Buk")
    html = response.content.decode()
    assert "↑" in html and "↓" in html
    assert Scenario.objects.count() == 0  # nothing saved

    plain = manager.post(url(world), baseline_form(world, **{"vaha-cost": "0"}))
    assert plain.status_code == 200 and b"<html" in plain.content
    assert ranking(plain.content) == after


def test_adding_an_application_and_changing_a_capacity_change_the_gap(world, manager):
    entry_key = f"e{world.entry.pk}"
    base = manager.post(url(world), baseline_form(world), HTTP_HX_REQUEST="true").content.decode()
    gap_table = base.split('id="whatif-gaps-title"', 1)[1].split("</table>", 1)[0]
    assert world.orp.name in gap_table and ">60<" in gap_table.replace("\xa0", "")

    changed = manager.post(
        url(world),
        baseline_form(world, pridat=f"a{world.strong.pk}", **{f"kapacita-{entry_key}": "50"}),
        HTTP_HX_REQUEST="true",
    ).content.decode()
    gap_table = changed.split('id="whatif-gaps-title"', 1)[1].split("</table>", 1)[0]
    # demand 100 − (50 + 20) = 30, against 60 under the rules
    assert re.search(r">\s*30\s*<", gap_table), gap_table

    removed = manager.post(url(world), baseline_form(world, odebrat=entry_key), HTTP_HX_REQUEST="true")
    assert "Domov Lipa" not in ranking(removed.content)


def test_bad_input_is_refused_and_nothing_recomputed(world, manager):
    response = manager.post(url(world), baseline_form(world, **{"vaha-cost": "1000", "vaha-bribe": "5"}))
    assert response.status_code == 400
    assert ranking(response.content) == ranking(manager.get(url(world)).content)  # the rules' ranking
    html = response.content.decode()
    assert html.count('class="error-summary"') == 1
    assert 'name="vaha-cost" value="1000" aria-invalid="true"' in html  # the refused value shown back, marked


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (OrganisationKind.PROVIDER, Role.ADMIN),
        (OrganisationKind.MUNICIPALITY, Role.ADMIN),
        (OrganisationKind.AUDIT_BODY, Role.ADMIN),
    ],
)
def test_others_of_the_tenant_cannot_open_or_post(world, tenant_a, kind, role):
    client = client_for(tenant_a.user(kind, role))
    assert client.get(url(world)).status_code == 404
    assert client.post(url(world), baseline_form(world, **{"vaha-cost": "0"})).status_code == 404
    save = reverse("network:scenario_save", kwargs={"network_pk": world.network.pk})
    assert client.post(save, baseline_form(world, nazev="x")).status_code == 404
    assert Scenario.objects.count() == 0


def test_another_tenant_cannot_open_post_or_see_scenarios(world, tenant_b):
    scenario = make_scenario(world.network, name="Scénář tajná")
    for role in (Role.ADMIN, Role.NETWORK_MANAGER, Role.READER):
        client = client_for(tenant_b.user(OrganisationKind.REGION, role))
        assert client.get(url(world)).status_code == 404
        assert client.post(url(world), baseline_form(world)).status_code == 404
        for name, kwargs in (
            ("scenarios", {"network_pk": world.network.pk}),
            ("scenario", {"scenario_pk": scenario.pk}),
            ("scenario_delete", {"scenario_pk": scenario.pk}),
        ):
            assert client.get(reverse(f"network:{name}", kwargs=kwargs)).status_code == 404
        compare = reverse("network:scenario_compare", kwargs={"network_pk": world.network.pk})
        assert client.get(compare, {"a": scenario.pk, "b": scenario.pk}).status_code == 404
        delete = reverse("network:scenario_delete", kwargs={"scenario_pk": scenario.pk})
        assert client.post(delete, {"confirm": "1"}).status_code == 404
    assert Scenario.objects.filter(pk=scenario.pk).exists()


def test_a_reader_of_the_region_sees_but_cannot_save(world, tenant_a):
    client = client_for(tenant_a.user(OrganisationKind.REGION, Role.READER))
    page = client.get(url(world))
    assert page.status_code == 200 and b'name="nazev"' not in page.content
    save = reverse("network:scenario_save", kwargs={"network_pk": world.network.pk})
    assert client.post(save, baseline_form(world, nazev="Můj")).status_code == 403
    assert Scenario.objects.count() == 0


def test_save_open_compare_and_delete_a_scenario(world, manager, tenant_a):
    save = reverse("network:scenario_save", kwargs={"network_pk": world.network.pk})
    response = manager.post(
        save,
        baseline_form(
            world, nazev="Bez nákladů", poznamka="Jen kvalita", pridat=f"a{world.strong.pk}", **{"vaha-cost": "0"}
        ),
    )
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    assert scenario.weights == {"cost": "0"} and scenario.added_applications == [world.strong.pk]
    assert scenario.created_by == tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    from auditlog.models import LogEntry

    assert LogEntry.objects.get_for_object(scenario).get().actor == scenario.created_by

    opened = manager.get(response["Location"])
    assert opened.status_code == 200
    reapplied = ranking(opened.content)
    assert reapplied.index("Domov Javor") < reapplied.index("Domov Buk")  # re-applied
    assert b'value="0"' in opened.content and b"checked" in opened.content

    other = make_scenario(world.network, name="Podle pravidel", weights={})
    listing = manager.get(reverse("network:scenarios", kwargs={"network_pk": world.network.pk}))
    assert "Bez nákladů" in listing.content.decode() and "Podle pravidel" in listing.content.decode()
    compare = manager.get(
        reverse("network:scenario_compare", kwargs={"network_pk": world.network.pk}),
        {"a": other.pk, "b": scenario.pk, "druh": "13"},
    )
    html = compare.content.decode()
    assert compare.status_code == 200
    assert "↑" in html and "↓" in html  # Javor higher in B, Buk lower
    assert html.count("<strong>") >= 3  # differences (ranks and the gap) highlighted in text

    delete = reverse("network:scenario_delete", kwargs={"scenario_pk": scenario.pk})
    assert manager.get(delete).status_code == 200
    assert manager.post(delete, {"confirm": "1"}).status_code == 302
    assert not Scenario.objects.filter(pk=scenario.pk).exists()


def test_scenario_of_another_network_is_not_compared(world, manager, tenant_b):
    from qmss.network.testing_networks import make_network

    foreign = make_scenario(make_network(tenant_b, name="Cizí síť"), name="Cizí scénář")
    mine = make_scenario(world.network, name="Můj scénář")
    response = manager.get(
        reverse("network:scenario_compare", kwargs={"network_pk": world.network.pk}), {"a": mine.pk, "b": foreign.pk}
    )
    assert response.status_code == 200 and "Cizí scénář" not in response.content.decode()


def test_whatif_post_does_not_query_per_candidate(world, manager):
    from qmss.network.testing_scoring import hand_inputs
    from qmss.registry.testing import make_service

    applications = []

    def grow(n):
        while len(applications) < n:
            service = make_service(
                name=f"Domov {len(applications):03d}", municipalities=[world.orp.municipalities.first()]
            )
            applications.append(make_application(world.network, service))
        base = world.inputs()
        extra = [
            {"key": f"a{a.pk}", "service": a.service_id, "kind": "13", "capacity": 10.0, "entry": False, "audit": 50}
            for a in applications
        ]
        world.set_inputs(
            hand_inputs(
                candidates=[
                    {"key": k, "service": int(s), "kind": "13", "capacity": float(c), "entry": bool(e)}
                    for k, s, c, e in zip(base.keys, base.service_ids, base.capacity, base.is_entry, strict=True)
                ]
                + extra,
                orp_ids=[world.orp.pk],
            )
        )

    data = baseline_form(world, **{"vaha-cost": "0", f"kapacita-e{world.entry.pk}": "45"})
    assert_constant_queries(
        lambda: manager.post(url(world), data, HTTP_HX_REQUEST="true"),
        grow,
        count=lambda: len(applications),
        small=2,
        large=12,
        max_queries=20,
    )


def test_with_the_real_scoring_inputs(tenant_a):
    """No hand-made inputs: H4's cached_inputs built from the database (entries and open applications)."""
    world = make_world(tenant_a, secret="skutečná")
    client = client_for(tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER))
    page = client.get(url(world))
    assert page.status_code == 200
    assert set(ranking(page.content)) == {"Domov Lipa", "Domov Javor", "Domov Buk"}
    changed = client.post(
        url(world), {"druh": "13", "vaha-quality": "0", "pridat": f"a{world.strong.pk}"}, HTTP_HX_REQUEST="true"
    )
    assert changed.status_code == 200 and b"error-summary" not in changed.content
