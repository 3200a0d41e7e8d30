"""Applications to a network – the pages: who sees which application, filing through the form, the workflow
buttons, the decision and statement forms, the permission-checked download, the dashboard sections, and query
budgets of the list and the detail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qmss.core.roles import OrganisationKind, Role
from qmss.network.models import Application, MunicipalityStatement, NetworkEntry
from qmss.network.selectors_networks import current_version
from qmss.network.testing_applications import make_application, make_attachment, make_statement, provider_service
from qmss.network.testing_networks import make_network
from qmss.testing.queries import assert_constant_queries

State = Application.State
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LIST = "/sit/zadosti/"


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(tenant_a, tenant_b, media):
    class W:
        a, b = tenant_a, tenant_b
        in_network = provider_service(tenant_a, name="Domov v síti")
        new = provider_service(tenant_a, name="Nový domov Alfa")
        network = make_network(tenant_a, services=[in_network])
        manager = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
        editor = tenant_a.user(OrganisationKind.PROVIDER, Role.EDITOR)
        municipality_editor = tenant_a.user(OrganisationKind.MUNICIPALITY, Role.EDITOR)

    W.application = make_application(
        W.network,
        W.new,
        state=State.FORMAL_CHECK,
        municipality_codes=[tenant_a.municipality.code],
        justification="Zdůvodnění Alfa",
    )
    return W


def url(application, name="application") -> str:
    return reverse(f"network:{name}", kwargs={"application_pk": application.pk})


# --- who sees what ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (OrganisationKind.PROVIDER, Role.READER),
        (OrganisationKind.REGION, Role.NETWORK_MANAGER),
        (OrganisationKind.REGION, Role.READER),
        (OrganisationKind.MUNICIPALITY, Role.READER),
    ],
)
def test_the_parties_see_the_application(world, kind, role):
    client = client_for(world.a.user(kind, role))
    assert "Nový domov Alfa" in client.get(LIST).content.decode()
    page = client.get(url(world.application))
    assert page.status_code == 200 and "Zdůvodnění Alfa" in page.content.decode()


@pytest.mark.parametrize(
    "label",
    ["provider/admin", "region/network_manager", "municipality/admin", "audit_body/admin", "ministry/admin"],
)
def test_outsiders_see_nothing(world, label):
    kind, role = label.split("/")
    client = client_for(world.b.user(kind, role))
    assert "Nový domov Alfa" not in client.get(LIST).content.decode()
    assert "Nový domov Alfa" not in client.get(LIST, {"sit": world.network.pk}).content.decode()
    assert client.get(url(world.application)).status_code == 404
    for name in ("application_decide", "statement", "application_edit"):
        assert client.get(url(world.application, name)).status_code == 404
    attachment = make_attachment(world.application, content=b"Tajna priloha")
    assert client.get(reverse("network:attachment", kwargs={"attachment_pk": attachment.pk})).status_code == 404


def test_a_municipality_outside_the_territory_does_not_see_it(world):
    from qmss.core.models import Organisation
    from qmss.testing.factories import make_municipality, make_user

    other = make_municipality(world.a.region, name="Obec mimo")
    org = Organisation.objects.create(kind=OrganisationKind.MUNICIPALITY, name="Úřad mimo", municipality=other)
    client = client_for(make_user("mimo", org=org, role=Role.ADMIN))
    assert client.get(url(world.application)).status_code == 404
    assert client.get(url(world.application, "statement")).status_code == 404


def test_anonymous_is_sent_to_login(world):
    assert Client().get(LIST).status_code == 302
    assert Client().get(url(world.application)).status_code == 302


def test_list_filters(world):
    make_application(world.network, world.in_network, kind="B", state=State.SUBMITTED)
    client = client_for(world.manager)
    page = client.get(LIST, {"typ": "B"}).content.decode()
    assert "Domov v síti" in page and "Nový domov Alfa" not in page
    page = client.get(LIST, {"stav": "formal_check"}).content.decode()
    assert "Nový domov Alfa" in page and "Domov v síti" not in page
    page = client.get(LIST, {"sit": "999999"}).content.decode()
    assert "Nový domov Alfa" not in page


# --- filing ----------------------------------------------------------------------------------------------------


def test_provider_files_through_the_form(world, mailoutbox):
    extra = provider_service(world.a, name="Třetí domov")
    client = client_for(world.editor)
    new_url = reverse("network:application_new", kwargs={"network_pk": world.network.pk})
    page = client.get(new_url)
    assert page.status_code == 200 and "Třetí domov" in page.content.decode()
    response = client.post(
        new_url,
        {
            "kind": "A",
            "service": extra.pk,
            "capacity": "30",
            "unit": "luzka",
            "orp_codes": [str(world.a.municipality.orp.ruian_code)],
            "tier": "",
            "financing_category": "kraj",
            "justification": "Dlouhý pořadník.",
            "files": [SimpleUploadedFile("rozpocet.pdf", PDF)],
        },
    )
    application = Application.objects.get(service=extra)
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert application.attachments.count() == 1 and application.capacity == Decimal(30)


def test_filing_form_offers_only_verified_services_and_shows_errors(world):
    foreign_service = provider_service(world.b, name="Cizí služba Beta", municipality=world.a.municipality)
    client = client_for(world.editor)
    new_url = reverse("network:application_new", kwargs={"network_pk": world.network.pk})
    assert "Cizí služba Beta" not in client.get(new_url).content.decode()
    response = client.post(
        new_url,
        {"kind": "A", "service": foreign_service.pk, "capacity": "5", "unit": "luzka", "justification": "x"},
    )
    assert response.status_code == 200 and not Application.objects.filter(service=foreign_service).exists()
    response = client.post(
        new_url,
        {
            "kind": "A",
            "service": world.in_network.pk,
            "capacity": "5",
            "unit": "luzka",
            "justification": "x",
            "orp_codes": [str(world.a.municipality.orp.ruian_code)],
        },  # fmt: skip
    )
    assert response.status_code == 200 and "error-summary" in response.content.decode()


def test_filing_page_is_refused_to_non_providers_and_without_services(world):
    new_url = reverse("network:application_new", kwargs={"network_pk": world.network.pk})
    assert client_for(world.manager).get(new_url).status_code == 403
    foreign = client_for(world.b.user(OrganisationKind.PROVIDER, Role.ADMIN))
    page = foreign.get(new_url)
    assert page.status_code == 403 and world.network.name not in page.content.decode()


def test_the_list_offers_filing_to_providers(world):
    page = client_for(world.editor).get(LIST).content.decode()
    assert reverse("network:application_new", kwargs={"network_pk": world.network.pk}) in page
    assert "application_new" not in client_for(world.manager).get(LIST).content.decode()


# --- workflow through the pages -------------------------------------------------------------------------------


def test_manager_moves_and_decides_through_the_pages(world):
    make_statement(world.application, world.a.orgs[OrganisationKind.MUNICIPALITY])
    client = client_for(world.manager)
    page = client.get(url(world.application)).content.decode()
    assert url(world.application, "application_step") in page and 'value="evaluation"' in page
    assert client.get(url(world.application, "application_step")).status_code == 405
    client.post(url(world.application, "application_step"), {"state": "evaluation", "note": ""})
    client.post(url(world.application, "application_step"), {"state": "proposal", "note": "Návrh radě"})
    world.application.refresh_from_db()
    assert world.application.state == State.PROPOSAL
    assert "Návrh radě" in client_for(world.editor).get(url(world.application)).content.decode()
    decide = url(world.application, "application_decide")
    assert client.get(decide).status_code == 200
    response = client.post(
        decide,
        {
            "outcome": "approve",
            "decision_body": "Rada kraje",
            "resolution_number": "RK 7/2026",
            "decision_date": timezone.localdate().isoformat(),
            "reasons": "Splňuje kritéria.",
        },
    )
    assert response.status_code == 302
    world.application.refresh_from_db()
    assert world.application.state == State.APPROVED
    assert NetworkEntry.objects.filter(version=current_version(world.network), service=world.new).exists()
    page = client_for(world.editor).get(url(world.application)).content.decode()
    assert "RK 7/2026" in page and "Splňuje kritéria." in page


def test_provider_cannot_move_or_decide_through_the_pages(world):
    client = client_for(world.a.user(OrganisationKind.PROVIDER, Role.ADMIN))
    page = client.get(url(world.application)).content.decode()
    assert 'value="evaluation"' not in page and url(world.application, "application_decide") not in page
    client.post(url(world.application, "application_step"), {"state": "evaluation"})
    assert client.get(url(world.application, "application_decide")).status_code == 403
    world.application.refresh_from_db()
    assert world.application.state == State.FORMAL_CHECK


def test_step_refusals_are_shown(world):
    client = client_for(world.manager)
    response = client.post(url(world.application, "application_step"), {"state": "evaluation"}, follow=True)
    world.application.refresh_from_db()
    assert world.application.state == State.FORMAL_CHECK
    assert "alert--error" in response.content.decode()


def test_provider_withdraws_and_corrects(world):
    client = client_for(world.editor)
    returned = make_application(world.network, world.in_network, kind="B", state=State.RETURNED)
    edit = url(returned, "application_edit")
    assert edit in client.get(url(returned)).content.decode()
    response = client.post(
        edit,
        {
            "capacity": "44",
            "unit": "luzka",
            "orp_codes": [str(world.a.municipality.orp.ruian_code)],
            "justification": "Opraveno.",
            "note": "Doplněn rozpočet.",
        },  # fmt: skip
    )
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.state == State.SUBMITTED and returned.capacity == Decimal(44)
    client.post(url(world.application, "application_step"), {"state": "withdrawn", "note": "Odloženo"})
    world.application.refresh_from_db()
    assert world.application.state == State.WITHDRAWN


def test_municipality_files_its_statement(world):
    client = client_for(world.municipality_editor)
    assert url(world.application, "statement") in client.get(url(world.application)).content.decode()
    response = client.post(
        url(world.application, "statement"),
        {
            "organisation": world.a.orgs[OrganisationKind.MUNICIPALITY].pk,
            "position": "partly",
            "text": "Jen pro část obce.",
        },
    )
    assert response.status_code == 302
    statement = MunicipalityStatement.objects.get(application=world.application)
    assert statement.position == "partly"
    assert "Jen pro část obce." in client_for(world.manager).get(url(world.application)).content.decode()
    # a reader of the municipality sees the application but files nothing
    reader = client_for(world.a.user(OrganisationKind.MUNICIPALITY, Role.READER))
    assert reader.get(url(world.application, "statement")).status_code == 403


# --- attachments -----------------------------------------------------------------------------------------------


def test_attachment_download_is_permission_checked(world):
    attachment = make_attachment(world.application, name="rozpočet.txt", content=b"Obsah prilohy")
    link = reverse("network:attachment", kwargs={"attachment_pk": attachment.pk})
    for user in (world.editor, world.manager, world.municipality_editor):
        response = client_for(user).get(link)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"Obsah prilohy"
        assert response["X-Content-Type-Options"] == "nosniff" and "attachment" in response["Content-Disposition"]
    assert Client().get(link).status_code == 302
    assert attachment.file.url.startswith("/media/")  # never linked: the page links the view
    assert attachment.file.url not in client_for(world.editor).get(url(world.application)).content.decode()


def test_provider_attaches_files_from_the_page(world):
    client = client_for(world.editor)
    add = url(world.application, "application_attachments")
    client.post(add, {"files": [SimpleUploadedFile("zapis.pdf", PDF)]})
    assert world.application.attachments.count() == 1
    response = client.post(add, {"files": [SimpleUploadedFile("zapis.pdf", b"no pdf")]}, follow=True)
    assert world.application.attachments.count() == 1 and "alert--error" in response.content.decode()
    client_for(world.manager).post(add, {"files": [SimpleUploadedFile("m.pdf", PDF)]})
    assert world.application.attachments.count() == 1


# --- dashboard -------------------------------------------------------------------------------------------------


def test_dashboards_lead_to_the_applications(world):
    for user in (world.editor, world.manager, world.municipality_editor):
        page = client_for(user).get("/").content.decode()
        assert LIST in page, user
    municipality_page = client_for(world.municipality_editor).get("/").content.decode()
    assert url(world.application) in municipality_page  # waits for its statement


# --- query budgets ---------------------------------------------------------------------------------------------


def _grow_applications(world, n):
    for i in range(Application.objects.filter(network=world.network).count(), n):
        service = provider_service(world.a, name=f"Služba {i}")
        application = make_application(world.network, service, municipality_codes=[world.a.municipality.code])
        make_statement(application, world.a.orgs[OrganisationKind.MUNICIPALITY])


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (OrganisationKind.REGION, Role.NETWORK_MANAGER),
        (OrganisationKind.PROVIDER, Role.READER),
        (OrganisationKind.MUNICIPALITY, Role.EDITOR),
    ],
)
def test_list_is_constant_in_applications(world, kind, role):
    client = client_for(world.a.user(kind, role))
    assert_constant_queries(
        lambda: client.get(LIST),
        lambda n: _grow_applications(world, n),
        count=Application.objects.filter(network=world.network),
        small=2,
        large=8,
        max_queries=16,
    )


def test_detail_is_constant_in_steps_statements_and_attachments(world):
    from qmss.core.models import Organisation
    from qmss.network.models import ApplicationStep
    from qmss.testing.factories import make_municipality

    client = client_for(world.manager)

    def grow(n):
        for i in range(world.application.attachments.count(), n):
            make_attachment(world.application, name=f"{i}.txt", content=f"{i}".encode())
            ApplicationStep.objects.create(application=world.application, state=State.FORMAL_CHECK, note=f"{i}")
            municipality = make_municipality(world.a.region, name=f"Obec {i}")
            org = Organisation.objects.create(
                kind=OrganisationKind.MUNICIPALITY, name=f"Úřad {i}", municipality=municipality
            )
            make_statement(world.application, org, text=f"Vyjádření {i}")

    assert_constant_queries(
        lambda: client.get(url(world.application)),
        grow,
        count=world.application.attachments,
        small=1,
        large=6,
        max_queries=25,
    )
