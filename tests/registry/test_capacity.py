"""Capacity the region can use: totals per kind and unit, numeric export columns, services on ORP and municipality
pages, the ORP filter narrowed by region, the municipality filter by name, Czech plurals of units."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from openpyxl import load_workbook

from qmss.registry.cache import page_cache
from qmss.registry.models import Service
from qmss.registry.selectors import ServiceFilters
from qmss.registry.selectors_capacity import capacity_totals
from qmss.registry.testing import make_capacity_type, make_catalogue_sample, make_provider, make_service
from qmss.registry.units import capacity_label
from qmss.testing.factories import make_municipality, make_region, make_user
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

URL = "/registr/"


@pytest.fixture
def sample(db):
    return make_catalogue_sample()


@pytest.fixture
def client_in(db) -> Client:
    """A logged-in user reading English (new texts are translated once the Czech catalogue is merged)."""
    client = Client()
    client.force_login(make_user("krajska"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def anon(db) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def unit_totals(totals) -> dict[str, int]:
    return {unit.type_code: unit.count for unit in totals.units}


def kind_totals(totals) -> dict[str, dict[str, int]]:
    return {kind.name: {unit.type_code: unit.count for unit in kind.units} for kind in totals.kinds}


# --- totals ------------------------------------------------------------------------------------------------------


def test_totals_per_kind_and_unit_follow_the_filter(sample):
    national = capacity_totals(ServiceFilters())
    assert unit_totals(national) == {"luzka": 40, "klient": 145}
    region_a = capacity_totals(ServiceFilters(region="CZ991"))
    assert kind_totals(region_a) == {
        "domovy pro seniory": {"luzka": 40},
        "pečovatelská služba": {"klient": 135},
    }
    assert region_a.services == 2
    assert sorted(unit.label for unit in region_a.units) == ["135 klientů", "40 lůžek"]
    ended = capacity_totals(ServiceFilters(status="ended"))
    assert unit_totals(ended) == {"luzka": 25}
    assert not capacity_totals(ServiceFilters(region="CZ991", kind="29"))


def test_a_service_in_two_regions_counts_once_nationally(sample):
    make_service(
        sample["p1"],
        name="Dům na hranici",
        forms=[("pob", [("luzka", 7)])],
        municipalities=[sample["m1"], sample["m3"]],
    )
    assert unit_totals(capacity_totals(ServiceFilters()))["luzka"] == 47  # not 54
    assert unit_totals(capacity_totals(ServiceFilters(region="CZ992")))["luzka"] == 7
    assert unit_totals(capacity_totals(ServiceFilters(region="CZ991")))["luzka"] == 47


def test_beds_and_clients_are_never_added(sample):
    make_service(
        sample["p1"], name="Smíšená", forms=[("pob", [("luzka", 10), ("klient", 3)])], municipalities=[sample["m1"]]
    )
    totals = capacity_totals(ServiceFilters(region="CZ991", kind="13"))
    assert kind_totals(totals) == {"domovy pro seniory": {"luzka": 50, "klient": 3}}


def test_catalogue_shows_the_totals_above_the_list(client_in, sample):
    body = client_in.get(URL, {"region": "CZ991"}).content.decode()
    totals_at = body.index("capacity-totals-title")
    assert totals_at < body.index("<caption>Registered social services")
    section = body[totals_at : body.index("</section>", totals_at)]
    assert "Domovy pro seniory" in section and "40 lůžek" in section
    assert "Pečovatelská služba" in section and "135 klientů" in section
    assert "Aktivizace" not in section  # region B's service is not in region A's totals


def test_totals_are_part_of_the_cached_fragment_keyed_by_the_filter(client_in, sample):
    first = client_in.get(URL, {"region": "CZ991"}).content.decode()
    assert "135 klientů" in first
    other = client_in.get(URL, {"region": "CZ992"}).content.decode()
    assert "10 klientů" in other and "135 klientů" not in other


def test_pages_and_orders_of_one_filter_share_the_cached_totals(client_in, sample, monkeypatch):
    from qmss.registry import selectors_capacity

    calls = []
    original = selectors_capacity.capacity_totals
    monkeypatch.setattr(
        selectors_capacity, "capacity_totals", lambda filters: calls.append(filters) or original(filters)
    )
    for params in ({"region": "CZ991"}, {"region": "CZ991", "page": "2"}, {"region": "CZ991", "sort": "-name"}):
        assert "135 klientů" in client_in.get(URL, params).content.decode()
    assert len(calls) == 1
    client_in.get(URL, {"region": "CZ992"})
    assert len(calls) == 2


# --- plurals --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "one", "two", "five"),
    [
        ("luzka", "1 lůžko", "2 lůžka", "5 lůžek"),
        ("klient", "1 klient", "2 klienti", "5 klientů"),
        ("interv", "1 intervence", "2 intervence", "5 intervencí"),
        ("kontakt", "1 kontakt", "2 kontakty", "5 kontaktů"),
        ("hovor", "1 hovor", "2 hovory", "5 hovorů"),
    ],
)
def test_czech_plurals_of_units(db, code, one, two, five):
    ctype = make_capacity_type(code)
    assert [capacity_label(n, ctype) for n in (1, 2, 5)] == [one, two, five]
    assert capacity_label(0, ctype) == five.replace("5", "0")
    assert capacity_label(4, ctype) == two.replace("2", "4")
    assert capacity_label(1234, ctype) == five.replace("5", "1\xa0234")


def test_plurals_come_from_the_reference_library(db):
    from qmss.registry.models import CapacityType
    from qmss.registry.reference import load_reference

    load_reference()
    labels = {ct.code: [capacity_label(n, ct) for n in (1, 3, 5)] for ct in CapacityType.objects.all()}
    assert labels["luzka"] == ["1 lůžko", "3 lůžka", "5 lůžek"]
    assert labels["interv"] == ["1 intervence (30 min)", "3 intervence (30 min)", "5 intervencí (30 min)"]
    assert labels["kontakt"] == ["1 kontakt (10 min)", "3 kontakty (10 min)", "5 kontaktů (10 min)"]


def test_service_pages_use_plurals(client_in, sample):
    service = make_service(sample["p1"], name="Malý domov", forms=[("pob", [("luzka", 1)]), ("amb", [("klient", 2)])])
    body = client_in.get(service.get_absolute_url()).content.decode()
    assert "pobytová: 1 lůžko" in body and "ambulantní: 2 klienti" in body
    assert "1 lůžek" not in body and "2 klientů" not in body


# --- exports --------------------------------------------------------------------------------------------------------


def test_xlsx_has_capacity_as_numbers_a_region_can_sum(client_in, sample):
    make_service(sample["p1"], name="Malý domov", forms=[("pob", [("luzka", 1)])], municipalities=[sample["m2"]])
    response = client_in.get("/registr/export/xlsx/", {"region": "CZ991"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    form_col, type_col, value_col, text_col = (header.index(name) for name in
                                                ("Delivery form", "Capacity type", "Registered capacity",
                                                 "Registered capacity (text)"))  # fmt: skip
    assert all(isinstance(row[value_col], int) for row in rows)
    beds = sum(row[value_col] for row in rows if row[type_col] == "lůžka")
    clients = sum(row[value_col] for row in rows if row[type_col] == "klienti")
    assert (beds, clients) == (41, 135)
    small = next(row for row in rows if row[2] == "Malý domov")
    assert (small[form_col], small[text_col]) == ("pobytová", "1 lůžko")
    numbers = list(next(sheet.iter_cols(min_col=value_col + 1, max_col=value_col + 1, min_row=2)))
    assert all(cell.data_type == "n" for cell in numbers)


def test_csv_has_capacity_numbers_in_their_own_column(client_in, sample):
    response = client_in.get("/registr/export/csv/", {"region": "CZ992", "status": "all"})
    raw = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(raw), delimiter=";"))
    value_col = header.index("Registered capacity")
    assert sorted(row[value_col] for row in rows) == ["10", "25"]
    assert not any("pobytová: " in field for row in rows for field in row)


# --- ORP and municipality pages -------------------------------------------------------------------------------


def test_orp_page_lists_its_services_and_not_other_orps(anon, sample):
    body = anon.get(sample["m1"].orp.get_absolute_url()).content.decode()
    assert "Domov pro seniory Úsměv" in body and "Pečovatelská služba Úsměv" in body
    assert "Aktivizace Beta" not in body
    assert "40 lůžek" in body and "135 klientů" in body
    assert "Domov Úsměv z. ú." in body
    assert "Zrušený domov Beta" not in anon.get(sample["m3"].orp.get_absolute_url()).content.decode()
    body_m2 = anon.get(sample["m2"].orp.get_absolute_url()).content.decode()
    assert "Pečovatelská služba Úsměv" in body_m2 and "Domov pro seniory Úsměv" not in body_m2


def test_place_section_links_service_pages_only_for_logged_in_users(anon, client_in, sample):
    url = sample["m1"].get_absolute_url()
    service_url = sample["s1"].get_absolute_url()
    assert service_url not in anon.get(url).content.decode()
    body = client_in.get(url).content.decode()
    assert service_url in body and f"/registr/?municipality={sample['m1'].code}" in body


def test_municipality_page_lists_services_with_their_places_there(anon, sample):
    body = anon.get(sample["m2"].get_absolute_url()).content.decode()
    assert "Pečovatelská služba Úsměv" in body and "Domov pro seniory Úsměv" not in body
    assert "Bystřice" in body
    empty = make_municipality(sample["region_a"], name="Prázdná")
    assert (
        "No service registered today has a place in this municipality."
        in anon.get(empty.get_absolute_url()).content.decode()
    )


def test_place_services_are_paginated_in_czech_order(anon, sample):
    for name in ("Čápová", "Chrpa", "Cihla", "Hrad", "Řeka", "Rosa"):
        make_service(sample["p1"], name=name, municipalities=[sample["m3"]])
    from qmss.registry import places

    original = places.PAGE_SIZE
    places.PAGE_SIZE = 4
    try:
        first = anon.get(sample["m3"].get_absolute_url())
        second = anon.get(sample["m3"].get_absolute_url(), {"services_page": 2})
    finally:
        places.PAGE_SIZE = original
    section = dict(first.context["place_sections"])["registry/places/services.html"]
    assert [s.name for s in section["services"]] == ["Aktivizace Beta", "Cihla", "Čápová", "Hrad"]
    section2 = dict(second.context["place_sections"])["registry/places/services.html"]
    assert [s.name for s in section2["services"]] == ["Chrpa", "Rosa", "Řeka"]
    assert "services_page=2" in first.content.decode()


# --- catalogue filters -------------------------------------------------------------------------------------------


def test_orp_options_are_limited_to_the_chosen_region(client_in, sample):
    orp_codes = lambda response: [value for value, _ in response.context["form"].fields["orp"].choices]  # noqa: E731
    everything = orp_codes(client_in.get(URL))
    assert {m.orp.ruian_code for m in (sample["m1"], sample["m2"], sample["m3"])} <= set(everything)
    in_a = orp_codes(client_in.get(URL, {"region": "CZ991"}))
    assert in_a == ["", sample["m2"].orp.ruian_code, sample["m1"].orp.ruian_code]  # "ORP Bystřice", "ORP Úvaly"
    fragment = client_in.get("/registr/filtr/orp/", {"region": "CZ991"}, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert f'value="{sample["m1"].orp.ruian_code}"' in text and f'value="{sample["m3"].orp.ruian_code}"' not in text
    assert text.startswith('<option value="">All ORPs</option>')


def test_an_orp_of_another_region_is_reported_and_ignored(client_in, sample):
    response = client_in.get(URL, {"region": "CZ991", "orp": sample["m3"].orp.ruian_code})
    assert "orp" in response.context["form"].errors


def test_options_are_in_czech_order_with_czech_empty_choices(client_in, sample):
    make_region("CZ993", "Chomutovský kraj")
    make_region("CZ994", "Český kraj")
    page_cache().clear()
    response = client_in.get(URL)
    body = response.content.decode()
    assert "---------" not in body
    for label in ("All regions", "All ORPs", "All kinds", "All delivery forms", "All target groups"):
        assert f">{label}</option>" in body
    regions = [label for value, label in response.context["form"].fields["region"].choices][1:]
    assert regions == ["Český kraj", "Chomutovský kraj", "Kraj Alfa", "Kraj Beta"]


def test_municipality_autocomplete_by_name_without_diacritics(client_in, sample):
    make_municipality(sample["region_b"], name="Úvalno")
    html = client_in.get("/registr/filtr/obce/", {"municipality": "uval"}).content.decode()
    assert "Úvaly (district Okres Kraj Alfa" in html and "Úvalno (district Okres Kraj Beta" in html
    assert html.index("Úvalno") < html.index("Úvaly")  # Czech order
    only_a = client_in.get("/registr/filtr/obce/", {"q": "uval", "region": "CZ991", "format": "json"}).json()
    assert [row["name"] for row in only_a["results"]] == ["Úvaly"]
    assert client_in.get("/registr/filtr/obce/", {"q": "u", "format": "json"}).json() == {"results": []}


def test_municipality_filter_by_name_or_suggested_value(client_in, sample):
    def names(params):
        return sorted(s.name for s in client_in.get(URL, params).context["services"])

    assert names({"municipality": "bystrice"}) == ["Pečovatelská služba Úsměv"]
    suggested = client_in.get("/registr/filtr/obce/", {"q": "uvaly", "format": "json"}).json()["results"][0]["value"]
    assert names({"municipality": suggested}) == ["Domov pro seniory Úsměv", "Pečovatelská služba Úsměv"]
    assert names({"municipality": sample["m1"].code}) == ["Domov pro seniory Úsměv", "Pečovatelská služba Úsměv"]
    response = client_in.get(URL, {"municipality": "Neexistující"})
    assert "municipality" in response.context["form"].errors


def test_suggested_value_with_a_district_in_parentheses_is_read_back(db):
    from qmss.registry.selectors_capacity import municipality_codes_named, suggestion_value
    from qmss.territory.models import District

    region = make_region("CZ991", "Kraj Alfa")
    lhota = make_municipality(region, name="Lhota")
    other = make_municipality(region, name="Lhota")
    District.objects.filter(pk=lhota.district_id).update(name="Okres Kladno (ukázka)")
    District.objects.create(code="CZ0999", name="Beroun", region=region)
    other.district = District.objects.get(code="CZ0999")
    other.save()
    lhota.refresh_from_db()
    assert municipality_codes_named(suggestion_value(lhota)) == [lhota.code]
    assert municipality_codes_named("Lhota (Beroun)") == [other.code]
    assert municipality_codes_named("lhota") == sorted([lhota.code, other.code])
    assert municipality_codes_named("Lhota (Praha)") == []


def test_autocomplete_is_bounded(client_in, db):
    region = make_region("CZ991", "Kraj Alfa")
    for i in range(30):
        make_municipality(region, name=f"Lhota {i:02d}")
    rows = client_in.get("/registr/filtr/obce/", {"q": "lhota", "format": "json"}).json()["results"]
    assert len(rows) == 20


def test_filter_endpoints_take_any_input(client_in, sample):
    huge = "9" * 40
    assert client_in.get("/registr/filtr/obce/", {"q": "uv", "orp": huge, "region": huge}).status_code == 200
    assert client_in.get("/registr/filtr/orp/", {"region": "<b>" * 20}).status_code == 200
    assert client_in.get(URL, {"orp": huge, "municipality": "x" * 500}).status_code == 200


def test_filter_endpoints_need_login(client, sample):
    assert client.get("/registr/filtr/orp/").status_code == 302
    assert client.get("/registr/filtr/obce/", {"q": "uv"}).status_code == 302


# --- query budgets ------------------------------------------------------------------------------------------------


def _grower(municipalities):
    provider = make_provider("Rostoucí poskytovatel")

    def grow(n: int) -> None:
        for i in range(Service.objects.count(), n):
            make_service(
                provider,
                name=f"Služba {i:03d}",
                kind=("13", "4", "29")[i % 3],
                forms=[("pob", [("luzka", 10 + i)]), ("amb", [("klient", 5)])],
                municipalities=municipalities[: 1 + i % len(municipalities)],
                date_from=date(2015, 1, 1),
            )

    return grow


def test_catalogue_with_totals_query_budget(client_in, db):
    region = make_region("CZ991", "Kraj Alfa")
    grow = _grower([make_municipality(region, name=f"Obec {i}") for i in range(3)])

    def uncached_page():
        page_cache().clear()
        return client_in.get(URL, {"region": "CZ991"})

    assert_constant_queries(uncached_page, grow, count=Service.objects, small=2, large=40, max_queries=24)


def test_orp_page_query_budget(anon, db):
    region = make_region("CZ991", "Kraj Alfa")
    town = make_municipality(region, name="Rostov")
    grow = _grower([town])
    assert_constant_queries(
        lambda: anon.get(town.orp.get_absolute_url()), grow, count=Service.objects, small=2, large=20, max_queries=25
    )


def test_municipality_page_query_budget(client_in, db):
    region = make_region("CZ991", "Kraj Alfa")
    town = make_municipality(region, name="Rostov")
    grow = _grower([town])
    assert_constant_queries(
        lambda: client_in.get(town.get_absolute_url()), grow, count=Service.objects, small=2, large=20, max_queries=25
    )


def test_autocomplete_query_budget(client_in, db):
    from qmss.territory.models import Municipality

    region = make_region("CZ991", "Kraj Alfa")

    def grow(n: int) -> None:
        for i in range(Municipality.objects.count(), n):
            make_municipality(region, name=f"Lhota {i:02d}")

    assert_constant_queries(
        lambda: client_in.get("/registr/filtr/obce/", {"q": "lhota", "format": "json"}),
        grow,
        count=Municipality.objects,
        small=2,
        large=15,
        max_queries=8,
    )


def test_english_labels_keep_the_registry_units(client_in, sample):
    client_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client_in.get(URL, {"region": "CZ991"}).content.decode()
    assert "135 klientů" in body and "Registered capacity" in body
