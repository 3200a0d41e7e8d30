"""Settlement pages, downloads and dashboard: a provider sees only its own settlements (404 for another's page, PDF
and XLSX), every figure shows its formula and the parameters their source, the PDF has extractable Czech text and
escapes user text, spreadsheets never run user text."""

import io
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.financing.models import Settlement
from qmss.financing.testing_settlement import accepted_application, award, make_settlement

pytestmark = pytest.mark.django_db

PROVIDER = (OrganisationKind.PROVIDER, Role.ADMIN)
EDITOR = (OrganisationKind.PROVIDER, Role.EDITOR)
MANAGER = (OrganisationKind.REGION, Role.NETWORK_MANAGER)
NBSP = "\xa0"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _money(text: str) -> str:
    """Thousands are separated by no-break spaces; the space before "Kč" is a normal one."""
    return text.removesuffix(" Kč").replace(" ", NBSP) + (" Kč" if text.endswith(" Kč") else "")


def _routes(settlement) -> dict[str, str]:
    kwargs = {"settlement_pk": settlement.pk}
    return {
        name: reverse(f"financing:{name}", kwargs=kwargs)
        for name in ("settlement", "settlement_edit", "settlement_check", "settlement_pdf", "settlement_xlsx")
    }


def test_another_provider_gets_404_on_every_settlement_route(tenant_a, tenant_b):
    application = accepted_application(tenant_a)
    settlement = make_settlement(application, state=Settlement.State.SUBMITTED)
    own = _client(tenant_a.user(*PROVIDER))
    for url in (_routes(settlement)["settlement"], _routes(settlement)["settlement_xlsx"]):
        assert own.get(url).status_code == 200
    for kind, role in (PROVIDER, EDITOR, MANAGER, (OrganisationKind.MUNICIPALITY, Role.ADMIN)):
        client = _client(tenant_b.user(kind, role))
        for name, url in _routes(settlement).items():
            response = client.get(url)
            assert response.status_code == 404, (kind, role, name, response.status_code)
        for url in (
            reverse("financing:settlement_submit", kwargs={"settlement_pk": settlement.pk}),
            reverse("financing:settlement_check", kwargs={"settlement_pk": settlement.pk}),
            reverse("financing:settlement_new", kwargs={"subsidy_pk": application.pk}),
        ):
            assert client.post(url, {"decision": "accept"}).status_code == 404
        listed = client.get(reverse("financing:settlements"))
        assert tenant_a.orgs[OrganisationKind.PROVIDER].name not in listed.content.decode()
    settlement.refresh_from_db()
    assert settlement.state == Settlement.State.SUBMITTED
    # the programme-wide export is the manager side's: A's provider gets 404, A's manager the file
    export = reverse("financing:settlements_export", kwargs={"programme_pk": application.programme_id})
    assert own.get(export).status_code == 404
    assert _client(tenant_b.user(*MANAGER)).get(export).status_code == 404
    assert _client(tenant_a.user(*MANAGER)).get(export).status_code == 200


def test_page_shows_every_figure_with_its_formula_and_the_parameters_with_their_source(tenant_a):
    application = accepted_application(tenant_a)
    award(application, D("3000000"))
    settlement = make_settlement(application)
    page = _client(tenant_a.user(*PROVIDER)).get(_routes(settlement)["settlement"])
    html = page.content.decode()
    x = page.context["x"]
    assert [f.code for f in x.figures] == [
        "costs",
        "own_revenues",
        "public_money",
        "net_cost",
        "reasonable_profit",
        "allowed",
        "overcompensation",
        "carry_over",
        "to_return",
    ]
    # costs 8 000 000 − own 4 400 000 = 3 600 000; profit 0.02 × 8 000 000 = 160 000 → allowed 3 760 000;
    # public 3 000 000 + 500 000 + 0 + 400 000 = 3 900 000 → overcompensation 140 000 ≤ 0.10 × 3 000 000 → carried
    assert x.figure("net_cost").value == D("3600000")
    assert x.figure("overcompensation").value == D("140000")
    assert (x.figure("carry_over").value, x.figure("to_return").value) == (D("140000"), D("0"))
    for text in ("3 600 000,00 Kč", "8 000 000,00 Kč", "4 400 000,00 Kč", "160 000,00 Kč", "140 000,00 Kč"):
        assert _money(text) in html, text
    for figure in x.figures:
        assert figure.formula and figure.formula in html.replace("&#x27;", "'")
    assert "2 %" in x.figure("reasonable_profit").formula.replace(NBSP, " ")  # the profit rate in the formula
    # the parameters: the programme's values, the library's source and its verified flag
    assert [p.code for p in x.parameters] == ["reasonable_profit_rate", "carry_over_max_share"]
    assert "Rozhodnutí Komise 2012/21/EU" in html
    assert "urn:qmss:financing:rules" in html
    assert "neověřeno" in html or "not verified" in html
    assert "3 000 000,00".replace(" ", NBSP) in html  # the awarded compensation
    # the provider's editor may edit and submit a draft; the submit form posts to the submit route
    assert reverse("financing:settlement_submit", kwargs={"settlement_pk": settlement.pk}) in html


def test_edit_submit_and_check_through_the_pages(tenant_a):
    application = accepted_application(tenant_a)
    settlement = make_settlement(application)
    editor = _client(tenant_a.user(*EDITOR))
    url = _routes(settlement)["settlement_edit"]
    form = editor.get(url).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data |= {"cost_staff": "7000000", "note": "Opraveno"}
    response = editor.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    settlement.refresh_from_db()
    assert D(settlement.actual_costs["staff"]) == D("7000000")
    editor.post(reverse("financing:settlement_submit", kwargs={"settlement_pk": settlement.pk}))
    settlement.refresh_from_db()
    assert settlement.state == Settlement.State.SUBMITTED
    assert editor.get(url).context["form"] is None  # no longer editable
    assert editor.get(_routes(settlement)["settlement_check"]).status_code == 403
    manager = _client(tenant_a.user(*MANAGER))
    assert manager.post(_routes(settlement)["settlement_check"], {"decision": "return", "note": ""}).status_code == 200
    response = manager.post(_routes(settlement)["settlement_check"], {"decision": "return", "note": "Chybí doklady"})
    assert response.status_code == 302
    settlement.refresh_from_db()
    assert settlement.state == Settlement.State.RETURNED


def test_pdf_has_extractable_czech_text_and_escapes_user_text(tenant_a):
    from pypdf import PdfReader

    from qmss.financing import selectors_settlement as selectors
    from qmss.financing.pdf_settlement import render_html

    application = accepted_application(tenant_a)
    note = '<img src="http://example.invalid/x.png"><script>alert(1)</script> Žluťoučký kůň úpěl'
    settlement = make_settlement(application, state=Settlement.State.SUBMITTED, note=note)
    response = _client(tenant_a.user(*PROVIDER)).get(_routes(settlement)["settlement_pdf"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for word in ("Žluťoučký kůň úpěl", "Osobní náklady", "Úhrady od uživatelů", "Vyrovnávací platba", "Kč"):
        assert word in text, word
    assert tenant_a.orgs[OrganisationKind.PROVIDER].name in text
    html = render_html(selectors.explain(selectors.get_settlement(_scope(tenant_a), settlement.pk)))
    assert "<script>" not in html and "<img src=" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _scope(tenant):
    from qmss.core.scoping import Scope

    return Scope.for_user(tenant.user(*PROVIDER))


def test_xlsx_of_a_settlement_and_of_the_programme_keep_user_text_as_text(tenant_a):
    from openpyxl import load_workbook

    application = accepted_application(tenant_a)
    settlement = make_settlement(application, state=Settlement.State.SUBMITTED, note='=HYPERLINK("http://x","y")')
    response = _client(tenant_a.user(*PROVIDER)).get(_routes(settlement)["settlement_xlsx"])
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = {cell.coordinate: cell for row in sheet.iter_rows() for cell in row if cell.value is not None}
    note = next(cell for cell in values.values() if cell.value == '=HYPERLINK("http://x","y")')
    assert note.data_type == "s" and note.quotePrefix
    numbers = [cell.value for cell in values.values() if isinstance(cell.value, int | float)]
    assert 3600000 in numbers and 140000 in numbers  # net cost, overcompensation
    export = reverse("financing:settlements_export", kwargs={"programme_pk": application.programme_id})
    response = _client(tenant_a.user(*MANAGER)).get(export)
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3  # title, header, one settlement
    assert rows[2][0] == application.service.name and 140000 in rows[2]


def test_list_and_dashboard(tenant_a, tenant_b):
    application = accepted_application(tenant_a)
    draft = make_settlement(application)
    other = accepted_application(tenant_a)
    make_settlement(other, state=Settlement.State.SUBMITTED)
    third = accepted_application(tenant_a)  # accepted, no settlement yet: the provider may start one
    provider = _client(tenant_a.user(*PROVIDER))
    page = provider.get(reverse("financing:settlements"))
    assert page.context["page_obj"].paginator.count == 2
    assert reverse("financing:settlement_new", kwargs={"subsidy_pk": third.pk}) in page.content.decode()
    filtered = provider.get(reverse("financing:settlements"), {"stav": "draft"})
    assert list(filtered.context["settlements"]) == [draft]
    other_page = _client(tenant_b.user(*PROVIDER)).get(reverse("financing:settlements"))
    assert other_page.context["page_obj"].paginator.count == 0
    home = provider.get("/").content.decode()
    assert draft.get_absolute_url() in home
    manager_home = _client(tenant_a.user(*MANAGER)).get("/").content.decode()
    assert "?stav=submitted" in manager_home


def test_list_queries_are_constant(tenant_a):
    from qmss.testing.queries import assert_constant_queries

    client = _client(tenant_a.user(*PROVIDER))

    def grow(n):
        while Settlement.objects.count() < n:
            make_settlement(accepted_application(tenant_a))

    assert_constant_queries(
        lambda: client.get(reverse("financing:settlements")),
        grow,
        count=Settlement.objects.count,
        small=1,
        large=4,
    )
