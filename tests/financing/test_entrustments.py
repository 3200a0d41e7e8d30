"""Entrustments: proposals from the network's current version (new entry, changed capacity / territory / tier,
entry removed), proposing and issuing (supersede, end), numbering, editing a proposal, the permission rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope
from qmss.financing import actions_entrustments as actions
from qmss.financing import entrustment_sync as sync
from qmss.financing import permissions
from qmss.financing import selectors_entrustments as selectors
from qmss.financing.models import Entrustment
from qmss.financing.testing_entrustments import make_entrustment
from qmss.network.actions_networks import EntryChange, new_version
from qmss.network.selectors_networks import current_version
from qmss.network.testing_networks import make_network

State = Entrustment.State


@pytest.fixture
def world(tenant_a):
    """A's network with A's provider's linked service and another provider's service, both in version 1."""
    from qmss.assessments.testing import link_provider_to_registry
    from qmss.registry.testing import make_service

    own = link_provider_to_registry(tenant_a.orgs[OrganisationKind.PROVIDER], service_name="Domov Štěstí")
    other = make_service(name="Pečovatelská služba Žižkov", municipalities=[tenant_a.municipality])
    network = make_network(tenant_a, services=[own, other], name="Síť kraje")
    return network, own, other


def manager(tenant):
    return tenant.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)


def entry_of(network, service):
    return current_version(network).entries.get(service=service)


def test_version_one_proposes_a_new_entrustment_per_entry(tenant_a, world):
    network, own, other = world
    pending = sync.pending_proposals(network)
    assert sorted(p.kind for p in pending) == ["new", "new"]
    created = actions.propose_entrustments(user=manager(tenant_a), network=network)
    assert len(created) == 2 and {e.state for e in created} == {State.PROPOSED}
    assert sorted(e.number for e in created) == [f"P-2026-{network.pk}-1", f"P-2026-{network.pk}-2"]
    record = next(e for e in created if e.service_id == own.pk)
    assert record.period_start == date(2026, 1, 1) and record.period_end == date(2028, 12, 31)
    assert record.capacity == entry_of(network, own).capacity and record.unit == "luzka"
    assert "Domov Štěstí" in record.obligation and "2012/21/EU" in record.overcompensation_rule
    assert record.compensation_parameters["max_public_share"] == "0.9"
    assert record.compensation_parameters["reasonable_profit_rate"] == "0.02"
    assert sync.pending_proposals(network) == []  # proposed from the current version: nothing waits
    with pytest.raises(ValidationError) as error:
        actions.propose_entrustments(user=manager(tenant_a), network=network)
    assert error.value.code == "invalid_state"


def test_new_version_changes_nothing_until_the_manager_proposes_and_issues(tenant_a, world):
    network, own, other = world
    user = manager(tenant_a)
    first = make_entrustment(network, entry_of(network, own), user=user, issue=True)
    kept = make_entrustment(network, entry_of(network, other), user=user, issue=True)
    assert first.state == State.ISSUED and first.issued_by == user and first.supersedes is None
    tiers = list(network.tiers.order_by("order"))
    new_version(
        user=user,
        network=network,
        note="Navýšení kapacity",
        changes=[
            EntryChange(
                service_id=own.pk,
                unit="luzka",
                capacity=Decimal(55),
                tier_id=tiers[1].pk,
                municipality_codes=[tenant_a.municipality.code],
            )
        ],
    )
    first.refresh_from_db()
    assert first.state == State.ISSUED and first.capacity != Decimal(55)  # nothing changed silently
    (pending,) = sync.pending_proposals(network)
    assert pending.kind == "change" and pending.previous == first
    assert pending.fields == ["capacity", "municipality_codes", "tier"]
    (proposal,) = actions.propose_entrustments(user=user, network=network)
    assert proposal.capacity == Decimal(55) and proposal.supersedes == first
    assert "kapacita" in proposal.change_summary or "capacity" in proposal.change_summary
    (issued,) = actions.issue_entrustments(user=user, network=network, entrustment_ids=[proposal.pk])
    first.refresh_from_db()
    kept.refresh_from_db()
    assert issued.state == State.ISSUED and issued.supersedes == first
    assert first.state == State.SUPERSEDED and kept.state == State.ISSUED
    assert [e.pk for e in selectors.history(issued)] == [issued.pk, first.pk]


def test_removed_entry_proposes_the_end_and_issuing_ends_the_entrustment(tenant_a, world):
    network, own, other = world
    user = manager(tenant_a)
    issued = make_entrustment(network, entry_of(network, other), user=user, issue=True)
    new_version(
        user=user,
        network=network,
        note="Vyřazení",
        changes=[EntryChange(service_id=other.pk, unit="luzka", capacity=None)],
    )
    kinds = {p.key: p.kind for p in sync.pending_proposals(network)}
    assert kinds == {sync.key_of(other.pk, "luzka"): "end", sync.key_of(own.pk, "luzka"): "new"}
    (end,) = actions.propose_entrustments(user=user, network=network, keys=[sync.key_of(other.pk, "luzka")])
    assert sync.is_end_proposal(end) and end.supersedes == issued
    (ended,) = actions.issue_entrustments(user=user, network=network, entrustment_ids=[end.pk])
    assert ended.pk == issued.pk and ended.state == State.ENDED
    assert not Entrustment.objects.filter(pk=end.pk).exists()
    assert [p.kind for p in sync.pending_proposals(network)] == ["new"]  # only the other service still waits


def test_a_proposal_of_an_older_version_is_refused_and_proposed_again(tenant_a, world):
    network, own, _other = world
    user = manager(tenant_a)
    key = sync.key_of(own.pk, "luzka")
    (stale,) = actions.propose_entrustments(user=user, network=network, keys=[key])
    new_version(
        user=user,
        network=network,
        note="Změna",
        changes=[EntryChange(service_id=own.pk, unit="luzka", capacity=Decimal(12))],
    )
    with pytest.raises(ValidationError) as error:
        actions.issue_entrustments(user=user, network=network, entrustment_ids=[stale.pk])
    assert error.value.code == "invalid_state"
    assert key in {p.key for p in sync.pending_proposals(network)}
    (fresh,) = actions.propose_entrustments(user=user, network=network, keys=[key])
    assert fresh.capacity == Decimal(12) and not Entrustment.objects.filter(pk=stale.pk).exists()
    assert fresh.number.endswith("-2")  # numbers are never reused


def test_only_a_proposal_is_edited_and_its_values_are_checked(tenant_a, world):
    network, own, _other = world
    user = manager(tenant_a)
    record = make_entrustment(network, entry_of(network, own), user=user)
    values = {"obligation": "Nový obsah", "period_start": date(2026, 2, 1), "period_end": date(2026, 12, 31)}
    saved = actions.update_entrustment(user=user, entrustment=record, act_reference="Usnesení 5/2026", **values)
    assert saved.obligation == "Nový obsah" and saved.act_reference == "Usnesení 5/2026"
    with pytest.raises(ValidationError):
        actions.update_entrustment(user=user, entrustment=record, **{**values, "period_end": date(2025, 1, 1)})
    with pytest.raises(ValidationError):
        actions.update_entrustment(user=user, entrustment=record, **{**values, "obligation": "  "})
    actions.issue_entrustments(user=user, network=network, entrustment_ids=[record.pk])
    with pytest.raises(ValidationError) as error:
        actions.update_entrustment(user=user, entrustment=record, **values)
    assert error.value.code == "invalid_state"


def test_only_the_manager_proposes_issues_and_edits(tenant_a, tenant_b, world):
    network, own, _other = world
    record = make_entrustment(network, entry_of(network, own), user=manager(tenant_a))
    outsiders = [
        tenant_a.user(OrganisationKind.REGION, Role.READER),
        tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN),
        manager(tenant_b),
    ]
    for user in outsiders:
        with pytest.raises(PermissionDenied):
            actions.propose_entrustments(user=user, network=network)
        with pytest.raises(PermissionDenied):
            actions.issue_entrustments(user=user, network=network, entrustment_ids=[record.pk])
        with pytest.raises(PermissionDenied):
            actions.update_entrustment(
                user=user,
                entrustment=record,
                obligation="x",
                period_start=record.period_start,
                period_end=record.period_end,
            )
    assert Entrustment.objects.get(pk=record.pk).state == State.PROPOSED


def test_who_sees_an_entrustment(tenant_a, tenant_b, world):
    network, own, other = world
    user = manager(tenant_a)
    mine = make_entrustment(network, entry_of(network, own), user=user)
    theirs = make_entrustment(network, entry_of(network, other), user=user, issue=True)

    def sees(who, record):
        return permissions.can_see_entrustment(Scope.for_user(who), record)

    provider = tenant_a.user(OrganisationKind.PROVIDER, Role.READER)
    reader = tenant_a.user(OrganisationKind.REGION, Role.READER)
    assert sees(reader, mine) and sees(reader, theirs)  # the manager side sees proposals too
    assert not sees(provider, mine)  # a proposal is the manager's draft
    assert not sees(provider, theirs)  # another provider's entrustment
    assert not sees(tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN), theirs)
    assert not sees(manager(tenant_b), theirs)
    actions.issue_entrustments(user=user, network=network, entrustment_ids=[mine.pk])
    mine.refresh_from_db()
    assert sees(provider, mine)
    assert list(selectors.visible_entrustments(Scope.for_user(provider), network)) == [mine]
    assert set(selectors.visible_entrustments(Scope.for_user(reader), network)) == {mine, theirs}


def test_compensation_parameters_come_from_the_managers_reference_values(tenant_a, world):
    reference = pytest.importorskip("qmss.financing.actions_reference")
    network, own, _other = world
    user = manager(tenant_a)
    reference.import_reference_values(
        user=user,
        organisation=network.organisation,
        year=2026,
        name="Hodnoty 2026",
        source="Usnesení rady",
        verified=True,
        rows=[
            {
                "kind": "13",
                "form": "",
                "unit": "luzka",
                "usual_cost": "500000",
                "usual_revenue": "300000",
                "max_public_share": "0.5",
            }
        ],
    )
    record = make_entrustment(network, entry_of(network, own), user=user)
    parameters = record.compensation_parameters
    assert parameters["reference_set"]["name"] == "Hodnoty 2026"
    assert Decimal(parameters["usual_cost"]) == Decimal(500000) and parameters["max_public_share_from"] == "reference"
    explained = selectors.compensation_explained(record)
    assert explained["optimal"] == record.capacity * Decimal(200000)
    assert explained["cap"] == Decimal("0.5") * record.capacity * Decimal(500000)
