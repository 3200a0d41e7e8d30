"""Pages of the entrustments part: the network's entrustments with the waiting proposals, proposing and issuing
through the forms, a proposal's edit page, who gets 404, the Czech PDF (extractable text, user text escaped) and
the list's query budget."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from qmss.core.roles import OrganisationKind, Role
from qmss.financing.models import Entrustment
from qmss.financing.testing_entrustments import add_entry, make_entrustment
from qmss.network.actions_networks import EntryChange, new_version
from qmss.network.selectors_networks import current_version
from qmss.network.testing_networks import make_network
from qmss.testing.queries import assert_constant_queries

State = Entrustment.State


@pytest.fixture
def world(tenant_a):
    from qmss.assessments.testing import link_provider_to_registry
    from qmss.registry.testing import make_service

    own = link_provider_to_registry(tenant_a.orgs[OrganisationKind.PROVIDER], service_name="Domov Štěstí")
    other = make_service(name="Pečovatelská služba Žižkov", municipalities=[tenant_a.municipality])
    network = make_network(tenant_a, services=[own, other], name="Síť kraje")
    return network, own, other


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_manager_proposes_and_issues_through_the_page(tenant_a, tenant_b, world):
    network, own, other = world
    manager = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    client = client_of(manager)
    url = reverse("financing:entrustments", kwargs={"network_pk": network.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "Čekají 2 návrhy" in page.content.decode()
    assert tenant_a.orgs[OrganisationKind.REGION].name in page.content.decode()
    propose = reverse("financing:entrustment_propose", kwargs={"network_pk": network.pk})
    response = client.post(propose, {"proposal": [f"{own.pk}:luzka"]})
    assert response.status_code == 302
    (record,) = Entrustment.objects.filter(network=network)
    assert record.state == State.PROPOSED and record.service == own
    provider = client_of(tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN))
    assert provider.get(url).status_code == 404  # a proposal only: the provider sees nothing yet
    assert provider.get(record.get_absolute_url()).status_code == 404
    issue = reverse("financing:entrustment_issue", kwargs={"network_pk": network.pk})
    assert client.post(issue, {"entrustment": [record.pk]}).status_code == 302
    record.refresh_from_db()
    assert record.state == State.ISSUED
    assert provider.get(url).status_code == 200 and provider.get(record.get_absolute_url()).status_code == 200
    outsider = client_of(tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER))
    for path in (url, record.get_absolute_url(), reverse("financing:entrustment_pdf", args=[record.pk])):
        assert outsider.get(path).status_code == 404
    assert outsider.post(issue, {"entrustment": [record.pk]}).status_code == 404
    reader = client_of(tenant_a.user(OrganisationKind.REGION, Role.READER))
    assert reader.post(propose, {"proposal": [f"{other.pk}:luzka"]}).status_code == 403
    assert Entrustment.objects.filter(network=network).count() == 1


def test_edit_page_changes_a_proposal_only(tenant_a, world):
    network, own, _other = world
    manager = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    record = make_entrustment(network, current_version(network).entries.get(service=own), user=manager)
    url = reverse("financing:entrustment_edit", kwargs={"entrustment_pk": record.pk})
    client = client_of(manager)
    assert client.get(url).status_code == 200
    data = {
        "obligation": "Upravený obsah",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "act_reference": "",
    }
    assert client.post(url, {**data, "period_end": "2025-01-01"}).status_code == 200
    assert client.post(url, data).status_code == 302
    record.refresh_from_db()
    assert record.obligation == "Upravený obsah"
    reader = client_of(tenant_a.user(OrganisationKind.REGION, Role.READER))
    assert reader.get(url).status_code == 403 and reader.get(record.get_absolute_url()).status_code == 200
    make_entrustment(network, current_version(network).entries.exclude(service=own).get(), user=manager)
    client.post(reverse("financing:entrustment_issue", args=[network.pk]), {"entrustment": [record.pk]})
    assert client.get(url).status_code == 302  # issued: back to the detail page


def test_pdf_is_czech_extractable_and_escapes_user_text(tenant_a, world):
    network, own, _other = world
    manager = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    record = make_entrustment(network, current_version(network).entries.get(service=own), user=manager)
    record.obligation = (
        'Tajná dohoda. Příliš žluťoučký kůň úpěl ďábelské ódy <b>tučně</b> <img src="http://example.invalid/x.png">'
    )
    record.act_reference = "Usnesení č. 7/2026 & </style>"
    record.save()
    response = client_of(manager).get(reverse("financing:entrustment_pdf", args=[record.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Příliš žluťoučký kůň úpěl ďábelské ódy" in text and "Tajná dohoda" in text  # no kerning gap "T ajná"
    assert "<b>tučně</b>" in text  # shown as text, not markup
    assert "<img" in text and "example.invalid" in text  # a tag shown as text (a line may wrap inside the URL)
    assert "Usnesení č. 7/2026 & </style>" in text
    assert "Domov Štěstí" in text and record.number in text and "2012/21/EU" in text


def test_entrustments_page_queries_do_not_grow_with_entrustments(tenant_a, world):
    from qmss.registry.testing import make_service

    network, own, _other = world
    manager = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    client = client_of(manager)
    url = reverse("financing:entrustments", kwargs={"network_pk": network.pk})

    def grow(n: int) -> None:
        for i in range(Entrustment.objects.filter(network=network).count(), n):
            service = make_service(name=f"Služba {i}", municipalities=[tenant_a.municipality])
            entry = add_entry(network, service, capacity=Decimal(5), orp_codes=[tenant_a.municipality.orp.ruian_code])
            make_entrustment(network, entry, user=manager, issue=i % 2 == 0)

    assert_constant_queries(
        lambda: client.get(url), grow, count=Entrustment.objects.filter(network=network), small=2, large=8, rows=None
    )
    new_version(
        user=manager,
        network=network,
        note="Změna",
        changes=[EntryChange(service_id=own.pk, unit="luzka", capacity=Decimal(3))],
    )
    assert client.get(url).status_code == 200
