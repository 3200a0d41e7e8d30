"""The minimum form of a kind: the proposal equals a hand-computed expectation; the region confirms versions; the
comparison of a service (covered / missing); the region report with its XLSX export; who may do what."""

from __future__ import annotations

import html
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from qmss.core.roles import OrganisationKind, Role
from qmss.needs import actions_service_cards as actions
from qmss.needs import minimum
from qmss.needs.models import MinimumForm, ServiceCard, ServiceCardResponse
from qmss.needs.testing_service_cards import make_card, make_minimum_form, need
from qmss.registry.testing import make_service
from qmss.testing.queries import assert_constant_queries
from tests.needs.service_cards_world import build_world

pytestmark = pytest.mark.django_db
BASIC, BROKERING, REFERRAL, NOT_ADDRESSED = ServiceCardResponse.Response.values
CONFIRMED, DRAFT = ServiceCard.State.CONFIRMED, ServiceCard.State.DRAFT
YEAR = 2025

# The cards of the hand computation (BA = basic activity). N = 4: S1–S4 of kind 13 in region A have a CONFIRMED
# card for 2025; S5's card is a draft (excluded), S6 is of another kind, S7 lies in another region.
#
#   need          S1  S2  S3  S4 | S5(draft) S6(kind 3) S7(region B) | n of 4  share  at 0.5  at 0.75  at 1
#   hygiene       BA  BA  BA  BA |  BA        –          –           |   4     1.00    yes     yes     yes
#   eating        BA  BA  BR  RF |  NA        –          –           |   2     0.50    yes     no      no
#                 (a tie at exactly 0.5; counting the draft S5 would make it 2 of 5 = 0.4 and drop it)
#   mobility      BA  BR  NA  NA |  BA        –          –           |   1     0.25    no      no      no
#   health_care   RF  RF  BA  NA |  –         BA         BA          |   1     0.25    no      no      no
#   household     BA  BA  BA  NA |  –         BA         –           |   3     0.75    yes     yes     no
CARDS = {
    "S1": {"hygiene": BASIC, "eating": BASIC, "mobility": BASIC, "health_care": REFERRAL, "household": BASIC},
    "S2": {"hygiene": BASIC, "eating": BASIC, "mobility": BROKERING, "health_care": REFERRAL, "household": BASIC},
    "S3": {"hygiene": BASIC, "eating": BROKERING, "mobility": NOT_ADDRESSED, "health_care": BASIC,
           "household": BASIC},
    "S4": {"hygiene": BASIC, "eating": REFERRAL, "mobility": NOT_ADDRESSED, "health_care": NOT_ADDRESSED,
           "household": NOT_ADDRESSED},
    "S5": {"hygiene": BASIC, "eating": NOT_ADDRESSED, "mobility": BASIC},
    "S6": {"health_care": BASIC, "household": BASIC},
    "S7": {"health_care": BASIC},
}  # fmt: skip
EXPECTED = {
    Decimal("0.5"): ["hygiene", "eating", "household"],
    Decimal("0.75"): ["hygiene", "household"],
    Decimal("1"): ["hygiene"],
    Decimal("0.2"): ["hygiene", "eating", "mobility", "health_care", "household"],
}
EXPECTED_COUNTS = {"hygiene": 4, "eating": 2, "mobility": 1, "health_care": 1, "household": 3}


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def world(tenant_a, tenant_b):
    world = build_world(tenant_a, tenant_b)
    services = {f"S{n}": service for n, service in enumerate(world.services, start=1)}
    services["S6"], services["S7"] = world.other_kind_service, world.other_region_service
    world.by_name = services
    for name, responses in CARDS.items():
        state = DRAFT if name == "S5" else CONFIRMED
        make_card(services[name], world.provider, YEAR, responses, state=state, kind_card=world.kind_card)
    return world


@pytest.mark.parametrize("threshold", list(EXPECTED))
def test_proposal_equals_the_hand_computed_expectation(world, threshold):
    proposed = minimum.propose(region=world.tenant.region, kind=world.kind, year=YEAR, threshold=threshold)
    assert [n.code for n in proposed] == EXPECTED[threshold]


def test_proposal_counts_show_n_of_n(world):
    proposal = minimum.proposal_counts(region=world.tenant.region, kind=world.kind, year=YEAR, threshold="0.5")
    assert proposal.total == 4
    assert {row.need.code: row.count for row in proposal.rows} == EXPECTED_COUNTS
    assert all(row.total == 4 for row in proposal.rows)
    # nothing for a period without confirmed cards, nor in B's region (S7 alone is not confirmed there: kind
    # 13's confirmed card of S7 counts for B's region only)
    assert minimum.propose(region=world.tenant.region, kind=world.kind, year=YEAR - 1, threshold="0.5") == []
    b = minimum.proposal_counts(region=world.tenant_b.region, kind=world.kind, year=YEAR, threshold="0.5")
    assert b.total == 1 and [n.code for n in b.needs] == ["health_care"]


def test_the_page_shows_the_counts_and_the_proposal(world):
    url = reverse("needs:minimum_kind", args=[world.tenant.region.code, world.kind.code])
    page = text(world.client(world.manager).get(url, {"year": YEAR, "threshold": "0,5"}))
    for code, count in EXPECTED_COUNTS.items():
        assert need(world.taxonomy, code).name in page
        assert _("%(n)s of %(total)s").replace("%(n)s", str(count)).replace("%(total)s", "4") in page
    for code in EXPECTED_COUNTS:
        marker = f'value="{need(world.taxonomy, code).pk}" id="need-{need(world.taxonomy, code).pk}" checked'
        assert (marker in page) == (code in EXPECTED[Decimal("0.5")]), code


def test_region_confirms_versions_possibly_editing_the_list(world):
    url = reverse("needs:minimum_kind", args=[world.tenant.region.code, world.kind.code])
    client = world.client(world.manager)
    ids = [need(world.taxonomy, code).pk for code in ("hygiene", "eating", "household")]
    response = client.post(url, {"needs": ids, "year": YEAR, "threshold": "0.5", "note": "Dle karet 2025"})
    assert response.status_code == 302
    first = MinimumForm.objects.get(region=world.tenant.region, kind=world.kind)
    assert first.version == 1 and first.organisation == world.region_org and first.confirmed_by == world.manager
    assert first.threshold == Decimal("0.5") and first.year == YEAR
    assert sorted(n.code for n in first.needs.all()) == ["eating", "household", "hygiene"]
    # a second version: the region drops eating and adds mobility; version 1 is kept as it was
    ids = [need(world.taxonomy, code).pk for code in ("hygiene", "household", "mobility")]
    client.post(url, {"needs": ids, "year": YEAR, "threshold": "0.75"})
    versions = list(MinimumForm.objects.filter(region=world.tenant.region, kind=world.kind).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert sorted(n.code for n in versions[0].needs.all()) == ["eating", "household", "hygiene"]
    assert sorted(n.code for n in versions[1].needs.all()) == ["household", "hygiene", "mobility"]
    page = text(client.get(url))
    assert "Dle karet 2025" in page
    index = text(client.get(reverse("needs:minimum_index")))
    assert world.kind.name in index and need(world.taxonomy, "mobility").name in index


def test_a_bad_threshold_is_refused_in_czech(world):
    url = reverse("needs:minimum_kind", args=[world.tenant.region.code, world.kind.code])
    client = world.client(world.manager)
    page = text(client.get(url, {"year": YEAR, "threshold": "1,5"}))
    assert _("Enter a share between 0 and 1, e.g. 0.5.") in page
    response = client.post(url, {"needs": [], "year": YEAR, "threshold": "abc"})
    assert response.status_code == 200 and not MinimumForm.objects.exists()


@pytest.mark.parametrize(
    "who", ["provider", "region_reader", "tenant_b_manager", "municipality", "audit_body", "anonymous"]
)
def test_only_the_regions_editors_confirm_and_only_its_staff_see(world, who):
    users = {
        "provider": world.user(),
        "region_reader": world.user(OrganisationKind.REGION, Role.READER),
        "tenant_b_manager": world.tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER),
        "municipality": world.user(OrganisationKind.MUNICIPALITY),
        "audit_body": world.user(OrganisationKind.AUDIT_BODY),
        "anonymous": None,
    }
    user = users[who]
    client = world.client(user)
    code = world.tenant.region.code
    kind_url = reverse("needs:minimum_kind", args=[code, world.kind.code])
    pages = [kind_url, reverse("needs:minimum_report", args=[code]), reverse("needs:minimum_report_xlsx", args=[code])]
    sees = who == "region_reader"
    for url in pages:
        response = client.get(url)
        expected = 200 if sees else (302 if user is None else 404)
        assert response.status_code == expected, (who, url)
    data = {"needs": [need(world.taxonomy, "hygiene").pk], "year": YEAR, "threshold": "0.5"}
    response = client.post(kind_url, data)
    assert response.status_code == (403 if sees else (302 if user is None else 404))
    assert not MinimumForm.objects.exists()
    if user is not None:
        with pytest.raises(PermissionDenied):
            actions.confirm_minimum_form(user=user, region=world.tenant.region, kind=world.kind, year=YEAR,
                                         threshold=Decimal("0.5"), needs=[])  # fmt: skip
    index = text(client.get(reverse("needs:minimum_index")))
    assert (world.region_org.name in index) == sees


# --- comparison and region report --------------------------------------------------------------------------


@pytest.fixture
def rule(world):
    return make_minimum_form(region=world.tenant.region, organisation=world.region_org, kind=world.kind,
                             needs=EXPECTED[Decimal("0.5")], year=YEAR)  # fmt: skip


def test_comparison_covered_and_missing(world, rule):
    s = world.by_name
    result = minimum.comparison(s["S1"], year=YEAR)
    assert result.minimum_form == rule and not result.below
    assert [n.code for n in result.covered] == ["hygiene", "eating", "household"] and result.missing == []
    result = minimum.comparison(s["S4"], year=YEAR)
    assert [n.code for n in result.covered] == ["hygiene"]
    assert [n.code for n in result.missing] == ["eating", "household"] and result.below
    result = minimum.comparison(s["S3"], year=YEAR)
    assert [n.code for n in result.missing] == ["eating"]
    # no card for the period: every need is missing
    result = minimum.comparison(s["S1"], year=YEAR + 1)
    assert result.card is None and [n.code for n in result.missing] == ["hygiene", "eating", "household"]
    # no rule: of another kind, or of the region B service
    assert minimum.comparison(s["S6"], year=YEAR).minimum_form is None
    assert minimum.comparison(s["S7"], year=YEAR).minimum_form is None
    # the latest version counts
    make_minimum_form(region=world.tenant.region, organisation=world.region_org, kind=world.kind,
                      needs=["hygiene"], year=YEAR, version=2)  # fmt: skip
    result = minimum.comparison(s["S4"], year=YEAR)
    assert result.minimum_form.version == 2 and not result.below


def test_region_report_lists_services_below_the_minimum_first(world, rule):
    no_card = make_service(world.services[0].provider, name="Domov bez karty",
                           facilities=[{"region": world.tenant.region}])  # fmt: skip
    report = minimum.region_report(region=world.tenant.region, year=YEAR)
    names = [c.service.name for c in report]
    below = {c.service.name for c in report if c.below}
    assert set(names) == {s.name for s in world.services} | {no_card.name}  # kind 13 in region A only
    assert below == {world.by_name[n].name for n in ("S3", "S4", "S5")} | {no_card.name}
    assert all(c.below for c in report[: len(below)]) and not any(c.below for c in report[len(below) :])
    page = text(world.client(world.manager).get(reverse("needs:minimum_report", args=[world.tenant.region.code]),
                                                 {"year": YEAR}))  # fmt: skip
    assert "Domov bez karty" in page and _("no card") in page
    # without a period: the latest year with a card in the region (2025 here), not an empty current year
    page = text(world.client(world.manager).get(reverse("needs:minimum_report", args=[world.tenant.region.code])))
    assert "/karta/" in page and world.provider.name in page and '<option value="2025" selected>' in page


def test_region_report_xlsx_export_is_safe(world, rule):
    from openpyxl import load_workbook

    world.services[2].name = '=HYPERLINK("http://zlo.test","klik")'
    world.services[2].save()
    url = reverse("needs:minimum_report_xlsx", args=[world.tenant.region.code])
    response = world.client(world.manager).get(url, {"year": YEAR})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    evil = next(row for row in values if row[0] and str(row[0]).startswith("=HYPERLINK"))
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == evil[0])
    assert cell.data_type == "s"
    assert evil[6] == world.provider.name  # the organisation that filled in the card
    assert evil[7] == _("yes") and evil[9] == 1  # S3 misses eating


def test_region_report_query_budget(world, rule):
    provider = world.services[0].provider
    added = []

    def grow(n):
        while len(added) < n:
            service = make_service(provider, name=f"Další domov {len(added)}",
                                   facilities=[{"region": world.tenant.region}])  # fmt: skip
            make_card(service, world.provider, YEAR, {"hygiene": BASIC, "eating": NOT_ADDRESSED}, state=CONFIRMED)
            added.append(service)

    client = world.client(world.manager)
    url = reverse("needs:minimum_report", args=[world.tenant.region.code]) + f"?year={YEAR}"
    assert_constant_queries(lambda: client.get(url), grow, count=lambda: len(added), small=2, large=20,
                            max_queries=14)  # fmt: skip


def test_minimum_index_lists_kinds_with_their_rule(world, rule):
    client = world.client(world.manager)
    page = client.get(reverse("needs:minimum_index"))
    assert page.status_code == 200 and world.region_org.name in text(page)
    assert need(world.taxonomy, "household").name in text(page)


def test_the_ways_in_index_and_region_dashboard(world, rule, superuser):
    index = reverse("needs:service_card_index")
    page = text(world.client(world.user()).get(index))
    assert reverse("needs:service_card_list", args=[world.provider.pk]) in page
    assert reverse("needs:minimum_index") not in page
    page = text(world.client(world.manager).get(index))
    assert reverse("needs:minimum_report", args=[world.tenant.region.code]) in page
    home = text(world.client(world.manager).get(reverse("home")))
    assert reverse("needs:minimum_index") in home
    assert reverse("needs:minimum_report", args=[world.tenant.region.code]) in home
    # a superuser chooses the region
    client = world.client(superuser)
    assert world.region_org.name not in text(client.get(reverse("needs:minimum_index")))
    page = text(client.get(reverse("needs:minimum_index"), {"region": world.tenant.region.code}))
    assert world.region_org.name in page and need(world.taxonomy, "household").name in page
