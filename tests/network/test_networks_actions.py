"""Actions of the networks part: creating a network from the registry, new versions, frozen tiers, permissions,
the brief and its gaps, the diff of two versions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qmss.core.roles import OrganisationKind, Role
from qmss.network import actions_networks as actions
from qmss.network import selectors_networks as selectors
from qmss.network.actions_networks import EntryChange
from qmss.network.error_codes import NetworkErrorCode
from qmss.network.models import BriefItem, NetworkVersion
from qmss.network.testing_networks import make_network
from qmss.registry.testing import make_kind, make_service
from qmss.testing.factories import make_municipality


def manager(tenant):
    return tenant.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)


@pytest.fixture
def services(tenant_a):
    home = make_service(name="Domov U Lip", kind="13", municipalities=[tenant_a.municipality])
    care = make_service(
        name="Pečovatelská služba Sever",
        kind="4",
        forms=(("ter", (("klient", 120),)),),
        municipalities=[tenant_a.municipality],
    )
    return home, care


def test_make_network_has_tiers_version_one_and_entries(tenant_a, services):
    network = make_network(tenant_a, services=services)
    assert network.organisation == tenant_a.orgs[OrganisationKind.REGION]
    assert [t.code for t in selectors.tiers(network)][:2] == ["zakladni", "rozvojova"]
    version = selectors.current_version(network)
    assert version.number == 1
    entries = {e.service.name: e for e in selectors.version_entries(version)}
    assert entries["Domov U Lip"].unit == "luzka" and entries["Domov U Lip"].capacity == Decimal(40)
    assert entries["Pečovatelská služba Sever"].unit == "klienti"
    assert entries["Pečovatelská služba Sever"].capacity == Decimal(120)
    assert entries["Domov U Lip"].orp_codes == [tenant_a.municipality.orp.ruian_code]
    assert entries["Domov U Lip"].tier.code == "zakladni"


def test_create_network_prefills_active_services_of_the_region(tenant_a, tenant_b, services):
    make_service(name="Ukončená", municipalities=[tenant_a.municipality], date_to=date(2020, 1, 1))
    make_service(name="Jinde", municipalities=[tenant_b.municipality])
    network = actions.create_network(
        user=manager(tenant_a),
        organisation=tenant_a.orgs[OrganisationKind.REGION],
        name="Síť kraje",
        period_start=date(2026, 1, 1),
        period_end=date(2028, 12, 31),
    )
    names = sorted(e.service.name for e in selectors.version_entries(selectors.current_version(network)))
    assert names == ["Domov U Lip", "Pečovatelská služba Sever"]


def test_municipality_network_takes_services_of_the_municipality(tenant_a, services):
    other = make_municipality(tenant_a.region, name="Jiná obec")
    make_service(name="Jinde v kraji", municipalities=[other])
    editor = tenant_a.user(OrganisationKind.MUNICIPALITY, Role.EDITOR)
    network = actions.create_network(
        user=editor,
        organisation=tenant_a.orgs[OrganisationKind.MUNICIPALITY],
        name="Místní síť",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
    )
    assert network.municipality == tenant_a.municipality
    assert selectors.version_entries(selectors.current_version(network)).count() == 2


def test_only_managers_create_networks(tenant_a, tenant_b):
    for user, org in (
        (tenant_a.user(OrganisationKind.REGION, Role.READER), tenant_a.orgs[OrganisationKind.REGION]),
        (manager(tenant_b), tenant_a.orgs[OrganisationKind.REGION]),
        (tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN), tenant_a.orgs[OrganisationKind.PROVIDER]),
    ):
        with pytest.raises(PermissionDenied):
            actions.create_network(
                user=user, organisation=org, name="X", period_start=date(2026, 1, 1), period_end=date(2026, 12, 31)
            )


def test_new_version_copies_and_changes_entries(tenant_a, services):
    home, care = services
    network = make_network(tenant_a, services=services)
    tiers = selectors.tiers(network)
    version = actions.new_version(
        user=manager(tenant_a),
        network=network,
        note="Navýšení lůžek",
        changes=[
            EntryChange(service_id=home.pk, unit="luzka", capacity=Decimal(45), tier_id=tiers[1].pk, note="Přístavba"),
            EntryChange(service_id=care.pk, unit="klienti", capacity=None),
        ],
    )
    assert version.number == 2 and version.created_by == manager(tenant_a)
    entries = list(selectors.version_entries(version))
    assert [(e.service_id, e.capacity, e.tier_id) for e in entries] == [(home.pk, Decimal(45), tiers[1].pk)]
    # version 1 is untouched
    first = NetworkVersion.objects.get(network=network, number=1)
    assert selectors.version_entries(first).count() == 2
    change = selectors.diff(first, version)
    assert [e.service_id for e in change.removed] == [care.pk]
    assert change.added == []
    assert change.changed[0].fields == ["capacity", "tier", "note"]


def test_frozen_tier_refuses_new_entries_and_growth(tenant_a, services):
    home, care = services
    network = make_network(tenant_a, services=[home])
    basic = selectors.tiers(network)[0]
    actions.update_tier(user=manager(tenant_a), tier=basic, name=basic.name, frozen=True)
    for change in (
        EntryChange(service_id=care.pk, unit="klienti", capacity=Decimal(10)),
        EntryChange(service_id=home.pk, unit="luzka", capacity=Decimal(41)),
    ):
        with pytest.raises(ValidationError) as error:
            actions.new_version(user=manager(tenant_a), network=network, note="Změna", changes=[change])
        assert error.value.code == NetworkErrorCode.FROZEN_TIER.value
    assert NetworkVersion.objects.filter(network=network).count() == 1
    # a cut is allowed, and a new entry into a tier that is not frozen
    actions.new_version(
        user=manager(tenant_a),
        network=network,
        note="Snížení",
        changes=[
            EntryChange(service_id=home.pk, unit="luzka", capacity=Decimal(30)),
            EntryChange(
                service_id=care.pk, unit="klienti", capacity=Decimal(10), tier_id=selectors.tiers(network)[1].pk
            ),
        ],
    )


def test_another_tenants_manager_cannot_change_the_network(tenant_a, tenant_b, services):
    home, _care = services
    network = make_network(tenant_a, services=[home])
    tier = selectors.tiers(network)[0]
    outsiders = [manager(tenant_b), tenant_a.user(OrganisationKind.REGION, Role.READER)]
    outsiders.append(tenant_a.user(OrganisationKind.MUNICIPALITY, Role.ADMIN))
    for user in outsiders:
        with pytest.raises(PermissionDenied):
            actions.new_version(
                user=user,
                network=network,
                note="x",
                changes=[EntryChange(service_id=home.pk, unit="luzka", capacity=Decimal(1))],
            )
        with pytest.raises(PermissionDenied):
            actions.update_tier(user=user, tier=tier, name="Jiná", frozen=True)
        with pytest.raises(PermissionDenied):
            actions.save_brief_item(
                user=user,
                network=network,
                kind=home.kind,
                orp=None,
                unit="luzka",
                target_capacity=Decimal(1),
                justification="x",
            )


def test_new_entry_must_lie_in_the_territory(tenant_a, tenant_b):
    elsewhere = make_service(name="Jinde", municipalities=[tenant_b.municipality])
    network = make_network(tenant_a)
    with pytest.raises(ValidationError) as error:
        actions.new_version(
            user=manager(tenant_a),
            network=network,
            note="x",
            changes=[EntryChange(service_id=elsewhere.pk, unit="luzka", capacity=Decimal(5))],
        )
    assert error.value.code == NetworkErrorCode.NOT_IN_SCOPE.value
    inside = make_service(name="Tady", municipalities=[tenant_a.municipality])
    with pytest.raises(ValidationError) as error:
        actions.new_version(
            user=manager(tenant_a),
            network=network,
            note="x",
            changes=[
                EntryChange(
                    service_id=inside.pk,
                    unit="luzka",
                    capacity=Decimal(5),
                    orp_codes=[tenant_b.municipality.orp.ruian_code],
                )
            ],
        )
    assert error.value.code == NetworkErrorCode.UNKNOWN_TERRITORY.value
    with pytest.raises(ValidationError) as error:
        actions.new_version(
            user=manager(tenant_a),
            network=network,
            note="x",
            changes=[EntryChange(service_id=inside.pk, unit="sudy", capacity=Decimal(5))],
        )
    assert error.value.code == NetworkErrorCode.UNKNOWN_UNIT.value


def test_brief_gaps(tenant_a, services):
    home, care = services
    second_orp = make_municipality(tenant_a.region, name="Druhá obec")
    two_orps = make_service(name="Domov ve dvou", municipalities=[tenant_a.municipality, second_orp])
    network = make_network(tenant_a, services=[home, care, two_orps])
    kind = make_kind("13")
    whole = actions.save_brief_item(
        user=manager(tenant_a),
        network=network,
        kind=kind,
        orp=None,
        unit="luzka",
        target_capacity=Decimal(100),
        justification="Stárnutí",
    )
    local = actions.save_brief_item(
        user=manager(tenant_a),
        network=network,
        kind=kind,
        orp=tenant_a.municipality.orp,
        unit="luzka",
        target_capacity=Decimal(50),
        justification="Stárnutí",
    )
    gaps = {gap.item.pk: gap for gap in selectors.brief_gaps(network)}
    assert gaps[whole.pk].in_network == Decimal(80) and gaps[whole.pk].gap == Decimal(20)
    # 40 of Domov U Lip + half of the 40 of the service in two ORPs
    assert gaps[local.pk].in_network == Decimal(60) and gaps[local.pk].gap == Decimal(-10)
    with pytest.raises(ValidationError) as error:
        actions.save_brief_item(
            user=manager(tenant_a),
            network=network,
            kind=kind,
            orp=None,
            unit="luzka",
            target_capacity=Decimal(1),
            justification="Znovu",
        )
    assert error.value.code == NetworkErrorCode.DUPLICATE.value
    assert BriefItem.objects.filter(network=network).count() == 2


def test_create_network_queries_do_not_grow_with_services(tenant_a):
    from qmss.testing.queries import measure

    def create(name):
        return measure(
            lambda: actions.create_network(
                user=manager(tenant_a),
                organisation=tenant_a.orgs[OrganisationKind.REGION],
                name=name,
                period_start=date(2026, 1, 1),
                period_end=date(2026, 12, 31),
            )
        )

    for i in range(2):
        make_service(name=f"Domov {i}", municipalities=[tenant_a.municipality])
    small, n_small, _sql = create("Malá")
    for i in range(2, 12):
        make_service(name=f"Domov {i}", kind=("13", "4")[i % 2], municipalities=[tenant_a.municipality])
    large, n_large, sql = create("Velká")
    assert selectors.version_entries(selectors.current_version(large)).count() == 12
    assert n_large == n_small, "\n".join(sql)
