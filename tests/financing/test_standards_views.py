"""The standards part with the database: the norm in force, capacities, who sees and edits, the pages, the
registry section, the admission-check hook and the list's query budget."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from qmss.core import hooks
from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope
from qmss.financing import actions_standards as actions
from qmss.financing import permissions
from qmss.financing.hooks_standards import network_admission_checks
from qmss.financing.models import Building, ReferenceValue, ReferenceValueSet, Room, StaffPosition
from qmss.financing.standards_checks import capacities, check_summary, current_year, personnel_norm
from qmss.financing.testing_standards import make_building, make_position, provider_service
from qmss.network.units import registry_capacity
from qmss.registry.testing import make_kind
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

PROVIDER = (OrganisationKind.PROVIDER, Role.EDITOR)
READER = (OrganisationKind.PROVIDER, Role.READER)
MANAGER = (OrganisationKind.REGION, Role.NETWORK_MANAGER)
REGION_ADMIN = (OrganisationKind.REGION, Role.ADMIN)


def service_url(service, name="financing:service_standards"):
    return reverse(name, kwargs={"service_portal_id": service.portal_id})


def test_norm_from_reference_values_in_force_else_library(tenant_a):
    service = provider_service(tenant_a, kind="13", beds=40)
    assert personnel_norm(service).origin == "library"
    assert personnel_norm(service).direct_fte_per_unit == Decimal("0.45")
    region = tenant_a.orgs[OrganisationKind.REGION]
    for version, fte in ((1, "0.3"), (2, "0.5")):
        reference_set = ReferenceValueSet.objects.create(
            organisation=region, year=current_year(), version=version, name=f"Hodnoty v{version}", source="usnesení"
        )
        ReferenceValue.objects.create(
            reference_set=reference_set, kind=make_kind("13"), unit="luzka", usual_cost=1, usual_revenue=0,
            max_public_share=Decimal("0.9"), direct_fte_per_unit=Decimal(fte),
        )  # fmt: skip
    norm = personnel_norm(service)
    assert (norm.origin, norm.direct_fte_per_unit, norm.direct_share_min, norm.own_rule) == (
        "reference", Decimal("0.5"), None, True,
    )  # fmt: skip
    assert personnel_norm(service, current_year() - 1).origin == "library"  # no set for that year


def test_capacity_is_the_registry_capacity_rule(tenant_a):
    service = provider_service(tenant_a, kind="13", beds=37)
    assert capacities([(service.pk, "luzka")])[(service.pk, "luzka")] == registry_capacity(service, "luzka") == 37


def test_summary_from_the_records(tenant_a):
    service = provider_service(tenant_a, kind="15", beds=12)
    assert check_summary(service) == {"personnel": None, "mts": None}
    make_building(service, ((2, 2), (2, 2), (2, 2)))
    make_position(service, fte="3")  # 3 / 12 beds = 0.25 ≥ 0.2, all direct care
    assert check_summary(service) == {"personnel": True, "mts": True}
    make_building(service, ((2, 2, 1),), name="Budova B")  # 5 in a household
    make_position(service, fte="3", direct_care=False)  # direct share 50 % < 60 %
    assert check_summary(service) == {"personnel": False, "mts": False}


@pytest.mark.parametrize(
    ("who", "sees", "edits"),
    [(PROVIDER, True, True), (READER, True, False), (MANAGER, True, False), (REGION_ADMIN, False, False)],
)
def test_permissions_of_own_tenant(tenant_a, who, sees, edits):
    service = provider_service(tenant_a)
    scope = Scope.for_user(tenant_a.user(*who))
    assert permissions.can_see_service_standards(scope, service) is sees
    assert permissions.can_edit_service_standards(scope, service) is edits


def test_other_tenant_sees_nothing(tenant_a, tenant_b, client):
    """Planted bug seen failing: a condition without the organisation filter lets tenant B in."""
    service = provider_service(tenant_a)
    position = make_position(service, position="Tajná pozice")
    building = make_building(service)
    room = Room.objects.filter(household__building=building).first()
    for kind, role in (PROVIDER, MANAGER, (OrganisationKind.MUNICIPALITY, Role.ADMIN)):
        scope = Scope.for_user(tenant_b.user(kind, role))
        assert not permissions.can_see_service_standards(scope, service)
        client.force_login(tenant_b.user(kind, role))
        for url in (
            service_url(service),
            reverse("financing:position_edit", kwargs={"position_pk": position.pk}),
            reverse("financing:building_edit", kwargs={"building_pk": building.pk}),
            reverse("financing:room_edit", kwargs={"room_pk": room.pk}),
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(reverse("financing:position_delete", kwargs={"position_pk": position.pk})).status_code == 404
    assert StaffPosition.objects.filter(pk=position.pk).exists()
    assert b"Tajn\xc3\xa1 pozice" not in client.get(reverse("financing:standards")).content


def test_provider_records_a_position_with_a_qualification(tenant_a, client):
    service = provider_service(tenant_a, kind="13", beds=40)
    client.force_login(tenant_a.user(*PROVIDER))
    page = client.get(service_url(service, "financing:position_add"))
    assert "Sociální pracovník (§ 110)" in page.content.decode()  # Czech name and § reference in the select
    response = client.post(
        service_url(service, "financing:position_add"),
        {"position": "Pečovatelka", "fte": "18", "direct_care": "on", "qualification": "worker_direct"},
    )
    assert response.status_code == 302
    assert StaffPosition.objects.get(service=service).fte == Decimal("18")
    refused = client.post(
        service_url(service, "financing:position_add"), {"position": "X", "fte": "0", "qualification": "nope"}
    )
    assert refused.status_code == 200 and StaffPosition.objects.count() == 1
    text = client.get(service_url(service)).content.decode()
    assert "Pečovatelka" in text and "18 ÷" in text and "40 = 0,45" in text  # the inputs and the ratio


def test_actions_bounds_and_rules(tenant_a):
    editor = tenant_a.user(*PROVIDER)
    service = provider_service(tenant_a, kind="13")
    with pytest.raises(ValidationError):
        actions.create_position(user=editor, service=service, position="P", fte=Decimal("200.01"), direct_care=True,
                                qualification="worker_direct")  # fmt: skip
    with pytest.raises(ValidationError):
        actions.create_position(user=editor, service=service, position="P", fte=Decimal(1), direct_care=True,
                                qualification="astrolog")  # fmt: skip
    building = actions.create_building(user=editor, service=service, name="Budova")
    household = actions.create_household(user=editor, building=building, name="Domácnost")
    with pytest.raises(ValidationError):
        actions.create_room(user=editor, household=household, name="Pokoj", beds=21)
    actions.create_room(user=editor, household=household, name="Pokoj", beds=3)
    assert check_summary(service)["mts"] is False
    field_service = provider_service(tenant_a, kind="4")  # no MTS rule for field services
    with pytest.raises(ValidationError) as refused:
        actions.create_building(user=editor, service=field_service, name="Budova")
    assert refused.value.code == "no_mts_rule"
    with pytest.raises(PermissionDenied):
        actions.create_building(user=tenant_a.user(*MANAGER), service=service, name="Budova")


def test_manager_reads_only(tenant_a, client):
    service = provider_service(tenant_a, kind="15")
    building = make_building(service)
    client.force_login(tenant_a.user(*MANAGER))
    page = client.get(service_url(service)).content.decode()
    assert "Budova A" in page and service_url(service, "financing:building_add") not in page
    assert client.get(reverse("financing:building_edit", kwargs={"building_pk": building.pk})).status_code == 200
    posted = client.post(reverse("financing:building_edit", kwargs={"building_pk": building.pk}), {"name": "Jiná"})
    assert posted.status_code == 403
    assert client.get(service_url(service, "financing:position_add")).status_code == 403
    assert Building.objects.get(pk=building.pk).name == "Budova A"


def test_building_page_households_and_rooms(tenant_a, client):
    service = provider_service(tenant_a, kind="15")
    client.force_login(tenant_a.user(*PROVIDER))
    response = client.post(service_url(service, "financing:building_add"), {"name": "Dům U Lip", "address": ""})
    building = Building.objects.get(service=service)
    assert response.url == reverse("financing:building_edit", kwargs={"building_pk": building.pk})
    client.post(reverse("financing:household_add", kwargs={"building_pk": building.pk}), {"name": "Byt 1"})
    household = building.households.get()
    for name, beds in (("Pokoj 1", 3), ("Pokoj 2", 2)):
        client.post(reverse("financing:room_add", kwargs={"household_pk": household.pk}), {"name": name, "beds": beds})
    page = client.get(reverse("financing:building_edit", kwargs={"building_pk": building.pk})).content.decode()
    assert page.count("badge--danger") == 1  # the household: 5 persons > 4
    text = client.get(service_url(service)).content.decode()
    assert "Dům U Lip / Byt 1: 5" in text


def test_registry_service_section(tenant_a, tenant_b, client):
    service = provider_service(tenant_a, kind="15")
    make_building(service, ((2, 2, 1),))
    url = reverse("registry:service", kwargs={"service_portal_id": service.portal_id})
    link = service_url(service)
    assert link not in client.get(url).content.decode()  # anonymous
    client.force_login(tenant_b.user(*PROVIDER))
    assert link not in client.get(url).content.decode()
    for who in (READER, MANAGER):
        client.force_login(tenant_a.user(*who))
        page = client.get(url).content.decode()
        assert link in page and "badge--danger" in page


def test_admission_check_hook(tenant_a):
    service = provider_service(tenant_a, kind="15", beds=12)
    assert network_admission_checks in hooks.implementations("network_admission_checks")
    empty = {item["code"]: item["passed"] for item in network_admission_checks(service)}
    assert empty == {"personnel_standard": None, "mts": None}
    make_building(service, ((2, 2, 1),), name="Tajná budova")
    make_position(service, fte="3")
    with translation.override("en"):
        answers = {item["code"]: item for item in network_admission_checks(service)}
    assert answers["personnel_standard"]["passed"] is True and answers["mts"]["passed"] is False
    assert "4 persons" in answers["mts"]["message"] and "Tajná" not in answers["mts"]["message"]


def test_network_application_page_shows_the_automatic_checks(tenant_a, client):
    from qmss.network.models import Application
    from qmss.network.testing_applications import make_application
    from qmss.network.testing_networks import make_network

    service = provider_service(tenant_a, kind="15")
    make_building(service, ((2, 2, 1),))
    application = make_application(make_network(tenant_a), service, state=Application.State.PROPOSAL)
    client.force_login(tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN))
    page = client.get(application.get_absolute_url()).content.decode()
    assert "automatic-checks-heading" in page and "badge--danger" in page


def test_list_page_query_budget(tenant_a, client):
    client.force_login(tenant_a.user(*PROVIDER))
    made = []

    def grow(n):
        while len(made) < n:
            service = provider_service(tenant_a, kind="15", name=f"Chráněné bydlení {len(made)}")
            make_position(service)
            make_building(service)
            made.append(service)

    assert_constant_queries(
        lambda: client.get(reverse("financing:standards")), grow, count=lambda: len(made), small=1, large=4
    )
