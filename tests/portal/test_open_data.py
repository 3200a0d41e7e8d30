"""Open data of the portal: the HSDS 3.0 export (validated against the vendored published schema), the CSV,
sitemap.xml, robots.txt, the open-data page and the HSDS API.

One representative catalogue per module (``qmss.portal.testing_open_data.make_catalogue``): a service with two
forms and three capacities and two facilities (exact coordinates / none), a shelter whose address the registry
withholds, a sole practitioner (contacts withheld), a name that starts like a spreadsheet formula, and an ended
service that is never published.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from qmss.portal import hsds, open_data

SCHEMA_DIR = Path(__file__).parent / "hsds_schema_3_0"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


# --- the schema ------------------------------------------------------------------------------------------------


def _refs(value) -> set[str]:
    if isinstance(value, dict):
        found = {value["$ref"]} if isinstance(value.get("$ref"), str) else set()
        return found.union(*(_refs(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_refs(item) for item in value))
    return set()


SCHEMAS = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(SCHEMA_DIR.glob("*.json"))}
#: Files the vendored schemas reference that are not vendored (see SOURCE.md): resolved to an empty schema, so the
#: objects they describe are not checked by the published schema (only by this module's own format checks).
NOT_VENDORED = sorted(set().union(*(_refs(schema) for schema in SCHEMAS.values())) - set(SCHEMAS))


@functools.cache
def service_validator() -> Draft202012Validator:
    resources = [(name, DRAFT202012.create_resource(schema)) for name, schema in SCHEMAS.items()]
    resources += [(name, DRAFT202012.create_resource({})) for name in NOT_VENDORED]
    registry = Registry().with_resources(resources)
    return Draft202012Validator(SCHEMAS["service.json"], registry=registry, format_checker=FormatChecker())


def schema_errors(records: list[dict]) -> list[str]:
    validator = service_validator()
    problems = []
    for record in records:
        for error in validator.iter_errors(record):
            problems.append(f"{record.get('name')}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
        problems += _format_errors(record)
    return problems


def _format_errors(value, where: str = "") -> list[str]:
    """The formats the schema names that jsonschema checks only with optional packages (uuid ids, date-time,
    uri): checked here on every nested object too, as HSDS 3.0 requires of every ``id`` and ``*_id``."""
    problems = []
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}/{key}"
            if (key == "id" or key.endswith("_id")) and not (isinstance(item, str) and UUID.match(item)):
                problems.append(f"{path}: not a UUID: {item!r}")
            elif key == "last_modified" and not DATETIME.match(item):
                problems.append(f"{path}: not a date-time: {item!r}")
            elif key in ("url", "website") and not re.match(r"^https?://\S+$", item):
                problems.append(f"{path}: not a URI: {item!r}")
            else:
                problems += _format_errors(item, path)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            problems += _format_errors(item, f"{where}/{position}")
    return problems


def test_vendored_schema_is_the_published_3_0_service_schema():
    schema = json.loads((SCHEMA_DIR / "service.json").read_text(encoding="utf-8"))
    assert (SCHEMA_DIR / "service.json").stat().st_size == 14818  # as published, unmodified
    assert {"last_modified", "assured_date", "alert", "minimum_age"} <= set(schema["properties"])  # 3.0 additions
    assert not {"capacities", "additional_urls"} & set(schema["properties"])  # 3.1 additions
    assert "894eb1aa7f7abbe58a8406dbb85be2515d7f6a2b" in (SCHEMA_DIR / "SOURCE.md").read_text(encoding="utf-8")
    assert "CC BY-SA 4.0" in (SCHEMA_DIR / "LICENSE.md").read_text(encoding="utf-8")
    # the nested objects' published 3.0 files are vendored too (SOURCE.md); only funding.json is not (unused here)
    assert NOT_VENDORED == ["funding.json"] and len(SCHEMAS) == 19


def test_a_broken_record_fails_the_schema():
    """The validation is real: a record without a name, with a bad status and a non-UUID id fails."""
    location = {"id": str(uuid.uuid4()), "location_type": "physical", "addresses": [{"id": str(uuid.uuid4())}]}
    broken = {"id": "42", "status": "open", "organization_id": str(uuid.uuid4())}
    problems = schema_errors([{**broken, "service_at_locations": [{"id": str(uuid.uuid4()), "location": location}]}])
    assert any("'name' is a required property" in p for p in problems)
    assert any("addresses/0: 'country' is a required property" in p for p in problems)  # nested: address.json
    assert any("'open' is not one of" in p for p in problems)
    assert any("not a UUID" in p for p in problems)


# --- the demo catalogue ----------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(db):
    """The representative catalogue and its export (in the test's transaction)."""
    from qmss.needs.library import load_files
    from qmss.portal.testing_open_data import make_catalogue
    from qmss.territory.models import Municipality
    from qmss.testing.factories import make_municipality, make_region

    load_files()
    region = make_region("CZ089", "Moravskoslezský kraj")
    town = make_municipality(region, name="Lipová Lhota")
    Municipality.objects.filter(pk=town.pk).update(latitude=49.8, longitude=18.2, postal_code="74101")
    town.refresh_from_db()
    other = make_municipality(region, name="Dolní Mez")
    built = make_catalogue(town, other)
    return built, hsds.catalogue()


def _by_name(export: dict) -> dict[str, dict]:
    return {record["name"]: record for record in export["services"]}


def test_the_whole_demo_catalogue_validates_with_no_error(catalogue):
    built, export = catalogue
    assert schema_errors(export["services"]) == []
    ids = [record["id"] for record in export["services"]]
    assert len(ids) == len(set(ids)) == 4
    term_ids = [term["id"] for term in export["taxonomy_terms"]]
    assert len(term_ids) == len(set(term_ids))
    assert {t["name"] for t in export["taxonomies"]} == {"Druhy sociálních služeb", "Potřeby", "Registrovaná kapacita"}
    assert _format_errors(export["taxonomies"]) == _format_errors(export["taxonomy_terms"]) == []
    print("HSDS files referenced but not vendored (not validated):", NOT_VENDORED)


def test_the_export_carries_the_registry_data_and_stable_ids(catalogue):
    built, export = catalogue
    services = _by_name(export)
    assert "Ukončená služba" not in services  # ended: never published
    home = services["Domov pro seniory Lipová"]
    assert home["id"] == hsds.make_id("service", built.home.portal_id)  # stable between exports
    assert home["status"] == "active" and home["email"] == "domov@lipova.test"
    assert home["url"] == "http://www.domov-lipova.test"
    assert home["organization"]["organization_identifiers"][0]["identifier"] == built.home.provider.ico
    attributes = home["attributes"]
    capacities = {(a["taxonomy_term"]["code"], a["value"]) for a in attributes if a["link_type"].endswith("capacity")}
    assert capacities == {("pob:luzka", "40"), ("ter:klient", "15"), ("ter:interv", "300")}
    kinds = [a["taxonomy_term"]["code"] for a in home["attributes"] if a["link_type"] == "service_kind"]
    needs = [a for a in home["attributes"] if a["link_type"] == "need"]
    assert kinds == ["13"] and needs and all(n["taxonomy_term"]["parent_id"] for n in needs)
    first, second = (sal["location"] for sal in home["service_at_locations"])
    assert (first["latitude"], first["longitude"]) == (50.087451, 14.420671)
    assert first["addresses"][0]["address_1"] == "Hlavní 1/3a" and first["addresses"][0]["country"] == "CZ"
    assert "latitude" not in second and second["addresses"][0]["address_1"] == "Dolní Mez 12"


def test_no_withheld_address_and_no_personal_contacts(catalogue):
    built, export = catalogue
    services = _by_name(export)
    shelter = services["Azylový dům Útočiště"]["service_at_locations"][0]["location"]
    assert shelter["name"] == "Adresa se nezveřejňuje – Lipová Lhota"
    assert "addresses" not in shelter and (shelter["latitude"], shelter["longitude"]) == (49.8, 18.2)  # the town's
    sole = services["Osobní asistence Nováková"]
    text = json.dumps(sole, ensure_ascii=False)
    assert "novakova" not in text and "605 000 111" not in text  # a natural person's contacts
    whole = json.dumps(export, ensure_ascii=False)
    assert "Tajná" not in whole and "49.1" not in whole


def test_service_json_page_and_ended_service(catalogue, db):
    built, export = catalogue
    client = Client()
    response = client.get(f"/otevrena-data/hsds/sluzby/{built.ended.portal_id}.json")
    assert response.status_code == 200 and response.json()["status"] == "inactive"
    assert schema_errors([response.json()]) == []
    assert client.get("/otevrena-data/hsds/sluzby/999999999.json").status_code == 404
    whole = client.get("/otevrena-data/hsds.json")
    assert whole.status_code == 200 and "public" in whole["Cache-Control"]
    assert whole.json()["total_items"] == 4
    assert not whole.cookies  # no session for anonymous visitors


def test_catalogue_json_is_built_once_per_registry_version(catalogue, db, django_assert_num_queries):
    from qmss.registry.cache import bump_version

    hsds.clear_cache()
    body = hsds.catalogue_json()
    with django_assert_num_queries(0):
        assert hsds.catalogue_json() is body
    bump_version()
    assert hsds.catalogue_json() is not body


def test_csv_rows_with_numbers_places_and_safe_cells(catalogue, db):
    built, export = catalogue
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/otevrena-data/sluzby.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    column = {name: header.index(name) for name in header}
    names = [row[column["Name"]] for row in body]
    assert sorted(names) == sorted(
        ["Domov pro seniory Lipová", "Domov pro seniory Lipová", "Azylový dům Útočiště", "Osobní asistence Nováková"]
        + ["'" + built.formula.name]
    )  # one row per service × facility; the formula-like name is neutralised; the ended service is absent
    home = [row for row in body if row[column["Name"]] == "Domov pro seniory Lipová"]
    assert home[0][column["Registered capacity: lůžka"]] == "40"
    assert home[0][column["Registered capacity: klienti"]] == "15"
    assert home[0][column["Municipality code"]] == built.home.facilities.get(position=0).municipality_code
    shelter = next(row for row in body if row[column["Name"]] == "Azylový dům Útočiště")
    assert shelter[column["Address"]] == "" and shelter[column["Latitude"]] == ""
    sole = next(row for row in body if row[column["Name"]] == "Osobní asistence Nováková")
    assert sole[column["E-mail"]] == sole[column["Phone"]] == ""


def test_robots_and_sitemap(catalogue, db):
    built, export = catalogue
    client = Client()
    robots = client.get("/robots.txt").content.decode()
    for path in ("/ucet/", "/admin/", "/redakce/", "/podnety/", "/api/"):
        assert f"Disallow: {path}\n" in robots
    assert "Sitemap: http://testserver/sitemap.xml" in robots and "Disallow: /otevrena-data/" not in robots
    sitemap = client.get("/sitemap.xml").content.decode()
    assert sitemap.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<loc>http://testserver/otevrena-data/</loc>" in sitemap
    assert open_data.service_page_path(built.home.portal_id) in sitemap
    assert open_data.service_page_path(built.ended.portal_id) not in sitemap
    assert "/ucet/" not in sitemap and "/redakce/" not in sitemap


def test_sitemap_index_past_the_limit(catalogue, db, monkeypatch):
    monkeypatch.setattr(open_data, "SITEMAP_LIMIT", 3)
    client = Client()
    index = client.get("/sitemap.xml").content.decode()
    assert "<sitemapindex" in index and "sitemap.xml?cast=2" in index
    assert "<urlset" in client.get("/sitemap.xml?cast=2").content.decode()


def test_open_data_page_and_api(catalogue, db):
    client = Client()
    page = client.get("/otevrena-data/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "sessionid" not in page.cookies
    content = page.content.decode()
    for link in ("/otevrena-data/hsds.json", "/otevrena-data/sluzby.csv", "/api/v1/portal/hsds/services"):
        assert link in content
    listing = client.get("/api/v1/portal/hsds/services?per_page=3&page=2").json()
    assert (listing["total_items"], listing["total_pages"], listing["size"], listing["last_page"]) == (4, 2, 1, True)
    assert schema_errors(listing["contents"]) == []
    built, _export = catalogue
    one = client.get(f"/api/v1/portal/hsds/services/{built.home.portal_id}")
    assert one.status_code == 200 and one.json()["id"] == hsds.make_id("service", built.home.portal_id)
    assert client.get("/api/v1/portal/hsds/services/1").status_code == 404
