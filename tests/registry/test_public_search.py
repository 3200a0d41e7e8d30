"""The public check finds services by what people know: service or facility name, municipality, street, provider,
IČO – with or without diacritics, in any letter case, with a typo – on the real registry data.

The registry data (``rpss-katalog-seniori/rpss_odvozeno.json`` in QMSS_DATA_DIR, 1,950 services of senior care;
see its SOURCE.md) are imported once for the module with the real territory and reference libraries; the tests
skip when the data directory is absent.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Max
from django.test import Client

from qmss.registry import search
from qmss.registry.search import search_services
from qmss.registry.testing import make_provider, make_service
from qmss.registry.views_public import PAGE_SIZE
from qmss.territory.models import search_key
from qmss.testing.queries import assert_constant_queries, count_queries

from .conftest import FULL_SAMPLE_RELATIVE

URL = "/overeni-registrace/"
HOME = "Charitní dům Vlčnov"  # a registered home the old check reported as not registered
HOME_PROVIDER, HOME_ICO = "Charita Uherský Brod", "48489336"
NAMES_PER_KIND = 4  # names picked per service kind (different regions within a kind)
MIN_NAMES = 30


def _file() -> Path:
    directory = settings.QMSS_DATA_DIR
    path = Path(directory) / FULL_SAMPLE_RELATIVE if directory else None
    if path is None or not path.is_file():
        pytest.skip(f"{FULL_SAMPLE_RELATIVE} is not in the data directory (QMSS_DATA_DIR): real-data test skipped")
    return path


@pytest.fixture(scope="module")
def real_registry(real_territory, django_db_blocker):
    """The full real registry sample imported once for the module (committed), removed again after it."""
    from qmss.registry import models as m
    from qmss.registry.importer import run_import
    from qmss.registry.reference import load_reference

    path = _file()
    order = (
        m.RegistryChange, m.Service, m.Provider, m.RegistryImport, m.ServiceKind, m.BasicActivity,
        m.DeliveryForm, m.CapacityType, m.TargetGroup, m.AgeGroup, m.ReferenceLibrary,
    )  # fmt: skip
    with django_db_blocker.unblock():
        marks = {model: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model in order}
        load_reference()
        run = run_import(path)
        assert run.status == m.RegistryImport.Status.DONE, run.error
    yield json.loads(path.read_text(encoding="utf-8"))["polozky"]
    with django_db_blocker.unblock():
        for model in order:
            model.objects.filter(pk__gt=marks[model]).delete()


def _misspell(name: str, variant: int) -> str:
    """One letter dropped (even variants) or two neighbours swapped (odd) in the name's longest word."""
    words = name.split(" ")
    longest = max(range(len(words)), key=lambda i: (len(words[i]), -i))
    word = words[longest]
    middle = len(word) // 2
    if variant % 2 == 0:
        word = word[:middle] + word[middle + 1 :]
    else:
        word = word[: middle - 1] + word[middle] + word[middle - 1] + word[middle + 1 :]
    words[longest] = word
    return " ".join(words)


def _strip(text: str) -> str:
    """Without diacritics, letter case kept ("Charitní dům Vlčnov" → "Charitni dum Vlcnov")."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def pick_names(records: list[dict]) -> list[tuple[int, str]]:
    """Deterministic picks of ``(portalId, facility name)``: facility names with diacritics that only one service
    carries, with a longest word of at least six letters, up to ``NAMES_PER_KIND`` per kind, each from another
    region where possible, in the file's order."""
    services_by_name: dict[str, set[int]] = defaultdict(set)
    for record in records:
        for facility in record["zarizeni"]:
            if facility.get("nazev"):
                services_by_name[search_key(facility["nazev"])].add(record["portalId"])
    picks: list[tuple[int, str]] = []
    per_kind: dict[str, list[str]] = defaultdict(list)  # kind -> regions used
    for record in records:
        kind = record["druhSocialniSluzby"]["id"]
        for facility in record["zarizeni"]:
            name = facility.get("nazev") or ""
            region = ((facility.get("adresa") or {}).get("kraj") or {}).get("id", "")
            if (
                name == _strip(name)
                or len(services_by_name[search_key(name)]) != 1
                or max(len(w) for w in name.split()) < 6
                or len(per_kind[kind]) >= NAMES_PER_KIND
                or region in per_kind[kind]
            ):
                continue
            per_kind[kind].append(region)
            picks.append((record["portalId"], name))
            break
    return picks


@pytest.fixture(scope="module")
def picks(real_registry):
    chosen = pick_names(real_registry)
    assert len(chosen) >= MIN_NAMES, f"only {len(chosen)} names picked"
    return chosen


def _rank(query: str, portal_id: int) -> tuple[int | None, bool]:
    from qmss.registry.models import Service

    result = search_services(query)
    pk = Service.objects.get(portal_id=portal_id).pk
    return (result.service_ids.index(pk) if pk in result.service_ids else None), result.exact


def _client(language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _service_pk(portal_id: int) -> int:
    from qmss.registry.models import Service

    return Service.objects.get(portal_id=portal_id).pk


def test_picks_cover_kinds_and_regions(real_registry, picks):
    by_portal = {record["portalId"]: record for record in real_registry}
    kinds = {by_portal[portal_id]["druhSocialniSluzby"]["id"] for portal_id, _name in picks}
    regions = {
        ((facility.get("adresa") or {}).get("kraj") or {}).get("id")
        for portal_id, name in picks
        for facility in by_portal[portal_id]["zarizeni"]
        if facility.get("nazev") == name
    }
    assert len(kinds) >= 8 and len(regions) >= 10, (kinds, regions)
    assert all(name != _strip(name) for _portal_id, name in picks)  # every name has diacritics


def test_every_picked_name_is_found_exactly_without_diacritics_and_misspelt(real_registry, picks, db):
    """Each of the ≥ 30 real names finds its service on the first page: as written, without diacritics in
    upper case, and with one letter dropped or two swapped (a misspelt name may give the closest matches)."""
    misses = []
    for number, (portal_id, name) in enumerate(picks):
        pk = _service_pk(portal_id)
        misspelt = _misspell(name, number)
        assert search_key(misspelt) != search_key(name)
        for query, must_be_exact in ((name, True), (_strip(name).upper(), True), (misspelt, False)):
            result = search_services(query)
            rank = result.service_ids.index(pk) if pk in result.service_ids else None
            if rank is None or rank >= PAGE_SIZE or (must_be_exact and not result.exact):
                misses.append((query, rank, result.exact))
    assert not misses, misses


def test_the_home_the_old_check_missed(real_registry, db):
    client = _client()
    for query in (HOME, "Vlcnov", "Charitni dum Vlcnov", "charitní DŮM vlčnov"):
        response = client.get(URL, {"q": query})
        assert response.context["found"], query
        titles = [service.title for service in response.context["services"]]
        assert HOME in titles[:PAGE_SIZE], (query, titles)
    body = client.get(URL, {"q": "Charitni dum Vlcnov"}).content.decode()
    card = body[body.index(f"<h3>{HOME}</h3>") :]
    card = card[: card.index("</dl>")]
    assert "domovy pro seniory" in card  # kind
    assert "Vlčnov" in card and "1251" in card and "68761" in card  # place: house number, postal code, municipality
    assert HOME_PROVIDER in card and HOME_ICO in card  # provider
    assert "What does it mean" not in body and "Did you mean" not in body


def test_a_typo_offers_the_closest_matches_before_the_advice(real_registry, db):
    response = _client().get(URL, {"q": "Charitní dům Vlčnv"})
    assert not response.context["found"] and response.context["suggested"]
    assert response.context["services"][0].title == HOME
    body = response.content.decode()
    assert (
        body.index("Did you mean one of these?")
        < body.index(f"<h3>{HOME}</h3>")
        < body.index('id="unregistered-title"')
    )
    assert "The service is not among them?" in body and "regional authority (krajský úřad)" in body


def test_nothing_similar_gives_the_advice(real_registry, db):
    response = _client().get(URL, {"q": "qxzvw jjkkq"})
    assert response.context["services"] == [] and not response.context["suggested"]
    body = response.content.decode()
    assert "No registered social service was found for “qxzvw jjkkq”." in body
    assert "What does it mean when a service is not registered?" in body


def _services_of(records: list[dict], predicate) -> set[int]:
    return {record["portalId"] for record in records if predicate(record)}


def test_provider_name_and_ico(real_registry, db):
    from qmss.registry.models import Service

    expected = {_service_pk(p) for p in _services_of(real_registry, lambda r: r["poskytovatel"]["ico"] == HOME_ICO)}
    assert len(expected) > 1
    for query in (HOME_ICO, "484 89 336"):
        assert set(search_services(query).service_ids) == expected, query
    by_name = set(search_services("charita uhersky brod").service_ids)
    assert expected <= by_name
    assert {s.provider.ico for s in Service.objects.filter(pk__in=by_name)} == {HOME_ICO}


def test_municipality_and_street(real_registry, db):
    from qmss.registry.models import Facility

    in_vlcnov = set(Facility.objects.filter(municipality__name="Vlčnov").values_list("service_id", flat=True))
    assert in_vlcnov and in_vlcnov <= set(search_services("vlcnov").service_ids)
    # A street with diacritics, deterministically the first one in the file, with its municipality.
    record, facility = next(
        (r, f)
        for r in real_registry
        for f in r["zarizeni"]
        if f.get("adresa")
        and f["adresa"].get("ulice")
        and f["adresa"]["ulice"]["nazev"] != _strip(f["adresa"]["ulice"]["nazev"])
    )
    street = facility["adresa"]["ulice"]["nazev"]
    municipality = Facility.objects.filter(service__portal_id=record["portalId"]).first().municipality.name
    for query in (f"{street} {municipality}", _strip(f"{street} {municipality}").lower()):
        assert _service_pk(record["portalId"]) in search_services(query).service_ids[:PAGE_SIZE], query


def test_totals_and_pagination_in_czech(real_registry, db):
    client = _client("cs")
    result = search_services("domov")
    total = result.total
    assert total > 2 * PAGE_SIZE
    response = client.get(URL, {"q": "domov"})
    body = response.content.decode()
    assert f"Nalezeno {total} registrovaných služeb." in body
    pages = math.ceil(total / PAGE_SIZE)
    assert f"Strana 1 z {pages}" in body and "page=2" in body
    seen = []
    for number in range(1, pages + 1):
        seen += [service.pk for service in client.get(URL, {"q": "domov", "page": number}).context["services"]]
    assert seen == result.service_ids  # every service once, in the ranked order


def test_a_warm_search_makes_no_query(real_registry, db):
    search.get_index()
    queries, _sql = count_queries(lambda: search_services("Charitní dům Vlčnv"))
    assert queries == 0


def test_results_show_only_public_registry_data(real_registry, db):
    from qmss.registry.models import Service

    home = Service.objects.get(portal_id=992)
    body = _client().get(URL, {"q": HOME}).content.decode()
    for private in (*home.emails, *home.phones):
        assert private not in body
    assert home.get_absolute_url() not in body  # no links to the internal pages for anonymous visitors


# --- the form ------------------------------------------------------------------------------------------------


def test_empty_input_gets_a_message_tied_to_the_field(db):
    body = _client().get(URL, {"q": "  "}).content.decode()
    assert "Enter the name of a service or facility, a municipality, a street, a provider or a company ID" in body
    assert 'aria-describedby="check-q-hint check-q-error"' in body and 'aria-invalid="true"' in body
    assert 'id="check-q-error"' in body and "<title>Error:" in body
    fresh = _client().get(URL).content.decode()
    assert 'aria-invalid="true"' not in fresh and "check-q-error" not in fresh  # nothing asked yet, no error


def test_too_short_and_too_long_queries(db):
    body = _client().get(URL, {"q": "ž."}).content.decode()
    assert "Enter at least 2 characters." in body and 'aria-invalid="true"' in body
    response = _client().get(URL, {"q": "a" * (search.MAX_QUERY_LENGTH + 1)})
    assert response.context["result"] is None
    assert "Enter at most 100 characters." in response.content.decode()
    assert 'maxlength="100"' in response.content.decode()


def test_htmx_error_updates_the_field_out_of_band(db):
    response = _client().get(URL, {"q": ""}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and 'hx-swap-oob="true"' in body and 'id="check-q-error"' in body


def test_query_budget_of_the_results_page(db):
    from qmss.registry.models import Service
    from qmss.testing.factories import make_municipality, make_region

    region = make_region("CZ990", "Kraj Lipová")
    towns = [make_municipality(region, code=f"99{i:04d}", name=f"Lipová {i}") for i in range(2)]
    provider = make_provider("Spolek Lípa", ico="11112222")
    client = _client()

    listed = Service.objects.filter(provider=provider)

    def grow(n: int) -> None:
        for i in range(listed.count(), n):
            make_service(provider, name=f"Domov Lípa {i:02d}", kind="13", municipalities=towns)

    def request():
        search._cached = None  # measure the index built afresh at both sizes (two queries, whatever the size)
        return client.get(URL, {"q": "domov lipa"})

    assert_constant_queries(request, grow, count=listed, small=2, large=PAGE_SIZE, max_queries=8)
