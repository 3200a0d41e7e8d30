"""Pages of the networks part: public index and network page with filters, the manager's forms (new network,
tiers, entries, brief) working without JavaScript, permissions, the annex (escaping through core.cells), the
dashboard section."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _

from qmss.core.roles import OrganisationKind, Role
from qmss.network import selectors_networks as selectors
from qmss.network.models import BriefItem, Network, NetworkVersion
from qmss.network.testing_networks import make_network
from qmss.registry.testing import make_provider, make_service
from qmss.testing.factories import make_municipality


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def manager(tenant):
    return tenant.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)


@pytest.fixture
def world(tenant_a):
    provider = make_provider('=HYPERLINK("http://zle.test")', ico="12345678")
    home = make_service(provider, name="Domov U Lip", kind="13", municipalities=[tenant_a.municipality])
    care = make_service(
        provider,
        name="+Pečovatelská služba",
        kind="4",
        forms=(("ter", (("klient", 120),)),),
        municipalities=[tenant_a.municipality],
    )
    network = make_network(tenant_a, services=[home, care], name="Síť kraje Alfa")
    return network, home, care


def test_index_and_network_page_are_public(world):
    network, home, care = world
    anonymous = client_for()
    page = anonymous.get(reverse("network:index"))
    assert page.status_code == 200 and "Síť kraje Alfa" in page.content.decode()
    assert _("Create a network") not in page.content.decode()
    detail = anonymous.get(network.get_absolute_url()).content.decode()
    assert "Domov U Lip" in detail and "+Pečovatelská služba" in detail
    # the manager organisation's name is the manager's working context, not shown to the public
    assert network.organisation.name not in detail
    assert reverse("network:entry_add", kwargs={"network_pk": network.pk}) not in detail


def test_network_page_filters_and_totals_per_unit(world, tenant_a):
    network, home, care = world
    client = client_for()
    url = network.get_absolute_url()
    page = client.get(url, {"druh": "13"}).content.decode()
    assert "Domov U Lip" in page and "+Pečovatelská služba" not in page
    page = client.get(url, {"uroven": "rozvojova"}).content.decode()
    assert "Domov U Lip" not in page
    page = client.get(url, {"orp": tenant_a.municipality.orp.ruian_code}).content.decode()
    assert "Domov U Lip" in page
    page = client.get(url).content.decode()
    # beds and clients are two totals, never one sum
    assert "160" not in page
    assert client.get(url, {"verze": "7"}).status_code == 404
    assert client.get(url, {"verze": "x"}).status_code == 404


def test_manager_sees_buttons_and_outsiders_are_refused(world, tenant_a, tenant_b):
    network, home, _care = world
    entry = selectors.version_entries(selectors.current_version(network)).get(service=home)
    page = client_for(manager(tenant_a)).get(network.get_absolute_url()).content.decode()
    assert reverse("network:entry_add", kwargs={"network_pk": network.pk}) in page
    urls = [
        reverse("network:network_edit", kwargs={"network_pk": network.pk}),
        reverse("network:tiers", kwargs={"network_pk": network.pk}),
        reverse("network:entry_add", kwargs={"network_pk": network.pk}),
        reverse("network:entry_edit", kwargs={"network_pk": network.pk, "entry_pk": entry.pk}),
    ]
    for user in (manager(tenant_b), tenant_a.user(OrganisationKind.REGION, Role.READER)):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403, url
            assert client.post(url, {"version_note": "x", "capacity": "1", "unit": "luzka"}).status_code == 403
    brief = reverse("network:brief", kwargs={"network_pk": network.pk})
    assert client_for(manager(tenant_b)).post(brief, {"justification": "x"}).status_code == 403
    assert NetworkVersion.objects.filter(network=network).count() == 1
    assert client_for().get(urls[0]).status_code == 302  # anonymous: to the login


def test_create_network_through_the_form(tenant_a, tenant_b):
    make_service(name="Domov na návsi", municipalities=[tenant_a.municipality])
    client = client_for(manager(tenant_a))
    page = client.get(reverse("network:network_new")).content.decode()
    assert tenant_b.orgs[OrganisationKind.REGION].name not in page
    data = {
        "organisation": tenant_a.orgs[OrganisationKind.REGION].pk,
        "name": "Nová síť",
        "period_start": "2026-01-01",
        "period_end": "2027-12-31",
        "prefill": "on",
    }
    response = client.post(reverse("network:network_new"), data)
    network = Network.objects.get(name="Nová síť")
    assert response.status_code == 302 and response["Location"] == network.get_absolute_url()
    assert selectors.version_entries(selectors.current_version(network)).count() == 1
    # another tenant's organisation is no choice
    data["organisation"] = tenant_b.orgs[OrganisationKind.REGION].pk
    data["name"] = "Cizí síť"
    assert client.post(reverse("network:network_new"), data).status_code == 200
    assert not Network.objects.filter(name="Cizí síť").exists()
    assert client_for(tenant_a.user(OrganisationKind.PROVIDER)).get(reverse("network:network_new")).status_code == 403


def test_freeze_a_tier_then_adding_is_refused_on_the_form(world, tenant_a):
    network, home, care = world
    client = client_for(manager(tenant_a))
    basic = selectors.tiers(network)[0]
    url = reverse("network:tiers", kwargs={"network_pk": network.pk})
    prefix = f"tier-{basic.pk}"
    response = client.post(url, {"tier": basic.pk, f"{prefix}-name": basic.name, f"{prefix}-frozen": "on"})
    assert response.status_code == 302
    basic.refresh_from_db()
    assert basic.frozen
    extra = make_service(name="Nový domov", municipalities=[tenant_a.municipality])
    add = reverse("network:entry_add", kwargs={"network_pk": network.pk})
    page = client.get(add, {"q": "Nový"}).content.decode()
    assert "Nový domov" in page and "Domov U Lip –" not in page
    data = {"service": extra.pk, "tier": basic.pk, "version_note": "Nová služba"}
    response = client.post(add, data)
    frozen = _("The tier “%(tier)s” is frozen: it takes no new services.") % {"tier": basic.name}
    assert response.status_code == 200 and response.context["form"].non_field_errors() == [frozen]
    assert selectors.current_version(network).number == 1
    data["tier"] = selectors.tiers(network)[1].pk
    assert client.post(add, data).status_code == 302
    version = selectors.current_version(network)
    added = selectors.version_entries(version).get(service=extra)
    assert version.number == 2 and added.capacity == Decimal(40) and added.unit == "luzka"
    assert added.orp_codes == [tenant_a.municipality.orp.ruian_code]


def test_edit_and_remove_an_entry(world, tenant_a):
    network, home, care = world
    client = client_for(manager(tenant_a))
    entry = selectors.version_entries(selectors.current_version(network)).get(service=home)
    url = reverse("network:entry_edit", kwargs={"network_pk": network.pk, "entry_pk": entry.pk})
    assert client.get(url).status_code == 200
    second = make_municipality(tenant_a.region, name="Druhá")
    data = {
        "capacity": "35",
        "unit": "luzka",
        "tier": entry.tier_id,
        "orp_codes": [tenant_a.municipality.orp.ruian_code, second.orp.ruian_code],
        "municipality_codes": second.code,
        "financing_category": "kraj",
        "note": "Snížení kvůli rekonstrukci",
        "version_note": "Rekonstrukce",
    }
    assert client.post(url, data).status_code == 302
    new = selectors.version_entries(selectors.current_version(network)).get(service=home)
    assert (new.capacity, new.financing_category, new.municipality_codes) == (Decimal(35), "kraj", [second.code])
    # an old entry's address leads to the current one
    assert client.get(url)["Location"].endswith(f"/polozky/{new.pk}/")
    diff = client.get(reverse("network:diff", kwargs={"network_pk": network.pk}), {"od": 1, "do": 2})
    text = diff.content.decode()
    for label in ("capacity", "financing category", "ORPs served"):
        assert _(label) in text
    remove = reverse("network:entry_edit", kwargs={"network_pk": network.pk, "entry_pk": new.pk})
    assert client.post(remove, {"remove": "1", "remove-version_note": "Zánik služby"}).status_code == 302
    version = selectors.current_version(network)
    assert version.number == 3 and not selectors.version_entries(version).filter(service=home).exists()
    versions = client_for().get(reverse("network:versions", kwargs={"network_pk": network.pk})).content.decode()
    assert "Zánik služby" in versions and "Rekonstrukce" in versions


def test_brief_page_adds_items_and_shows_gaps(world, tenant_a):
    network, home, _care = world
    url = reverse("network:brief", kwargs={"network_pk": network.pk})
    client = client_for(manager(tenant_a))
    data = {
        "kind": home.kind.pk,
        "orp": tenant_a.municipality.orp.pk,
        "unit": "luzka",
        "target_capacity": "55",
        "justification": "Stárnutí obyvatel",
        "plan_reference": "SPRSS 2026–2028, opatření 2.1",
    }
    assert client.post(url, data).status_code == 302
    item = BriefItem.objects.get(network=network)
    page = client_for().get(url).content.decode()
    missing = _("%(n)s missing") % {"n": "15"}
    assert "Stárnutí obyvatel" in page and missing in page
    assert missing in client_for().get(network.get_absolute_url()).content.decode()
    edit = reverse("network:brief_item_edit", kwargs={"network_pk": network.pk, "brief_item_pk": item.pk})
    assert client.post(edit, {**data, "target_capacity": "30"}).status_code == 302
    assert _("%(n)s above the target") % {"n": "10"} in client_for().get(url).content.decode()
    confirm = client.post(edit, {"delete": "1"})
    assert confirm.status_code == 200 and BriefItem.objects.filter(network=network).exists()
    assert client.post(edit, {"delete": "1", "confirm": "1"}).status_code == 302
    assert not BriefItem.objects.filter(network=network).exists()


def test_annex_xlsx_and_csv_escape_formulas(world):
    from openpyxl import load_workbook

    network, home, care = world
    csv_url = reverse("network:annex", kwargs={"network_pk": network.pk, "fmt": "csv"})
    text = client_for().get(csv_url).content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith(f"{_('Provider')};{_('Provider ID (IČO)')}")
    assert "'=HYPERLINK" in text and "'+Pečovatelská" not in text  # service names are not in the annex
    assert any(line.count(";") == 9 and "Domov" not in line for line in lines[1:])
    xlsx_url = reverse("network:annex", kwargs={"network_pk": network.pk, "fmt": "xlsx"})
    sheet = load_workbook(BytesIO(client_for().get(xlsx_url).content)).active
    rows = list(sheet.iter_rows(min_row=3))
    provider_cell = rows[0][0]
    assert provider_cell.value.startswith("=HYPERLINK") and provider_cell.data_type == "s"
    assert {row[5].value for row in rows} == {40, 120}
    assert {row[6].value for row in rows} == {"lůžka", "klienti"}
    pdf = reverse("network:annex", kwargs={"network_pk": network.pk, "fmt": "pdf"})
    assert client_for().get(pdf).status_code == 404


def test_dashboard_section_of_the_region(world, tenant_a):
    network, _home, _care = world
    page = client_for(manager(tenant_a)).get(reverse("home")).content.decode()
    assert network.get_absolute_url() in page and reverse("network:network_new") in page


def test_municipality_manages_its_local_network_only(world, tenant_a):
    region_network, home, _care = world
    municipality = tenant_a.orgs[OrganisationKind.MUNICIPALITY]
    editor = tenant_a.user(OrganisationKind.MUNICIPALITY, Role.EDITOR)
    local = make_network(municipality, services=[home], name="Místní síť obce")
    client = client_for(editor)
    assert client.get(reverse("network:tiers", kwargs={"network_pk": local.pk})).status_code == 200
    assert client.get(reverse("network:tiers", kwargs={"network_pk": region_network.pk})).status_code == 403
    page = client.get(local.get_absolute_url()).content.decode()
    assert tenant_a.municipality.name in page and municipality.name in page  # members see their manager's name
    dashboard = client.get(reverse("home")).content.decode()
    assert local.get_absolute_url() in dashboard and region_network.get_absolute_url() not in dashboard
