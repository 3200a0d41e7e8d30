"""The catalogue's cached fragments: never stale after a registry change, never shared across region scopes or
languages, nothing user-specific inside; a cache hit costs only the queries of a logged-in page."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qmss.core.roles import OrganisationKind, Role
from qmss.registry import cache as registry_cache
from qmss.registry.importer import run_import
from qmss.registry.models import RegistryImport
from qmss.registry.testing import make_catalogue_sample, make_import, make_service
from qmss.testing.factories import make_org, make_user

pytestmark = pytest.mark.django_db

URL = "/registr/"


@pytest.fixture
def sample(db):
    return make_catalogue_sample()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_in(db) -> Client:
    return logged_in(make_user("ctenar"))


def fragments_in_cache() -> list[dict]:
    cache = registry_cache.page_cache()
    stored = [key.split(":", 2)[2] for key in cache._cache]  # LocMemCache in the tests: ":1:<key>"
    return [cache.get(key) for key in stored if key.startswith(registry_cache.FRAGMENT_PREFIX)]


def test_the_test_settings_keep_fragments_in_a_cache_of_their_own():
    assert settings.QMSS_PAGE_CACHE != "default"
    assert "LocMemCache" in settings.CACHES[settings.QMSS_PAGE_CACHE]["BACKEND"]


def test_a_second_request_is_served_from_the_cache(client_in, sample):
    first = client_in.get(URL).content.decode()
    with CaptureQueriesContext(connection) as queries:
        second = client_in.get(URL).content.decode()
    assert "Domov pro seniory Úsměv" in second
    assert first.split("<main", 1)[1] == second.split("<main", 1)[1]
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "registry_" not in tables and "territory_" not in tables, tables
    assert len(queries.captured_queries) <= 3  # session, user, memberships (the scope)


def test_an_edited_service_shows_at_once(client_in, sample):
    assert "Domov pro seniory Úsměv" in client_in.get(URL).content.decode()
    service = sample["s1"]
    service.name = "Domov pro seniory Slunce"
    service.save()
    body = client_in.get(URL).content.decode()
    assert "Domov pro seniory Slunce" in body and "Domov pro seniory Úsměv" not in body


def test_a_deleted_service_and_a_changed_region_name_show_at_once(client_in, sample):
    client_in.get(URL)
    sample["s2"].delete()
    assert "Pečovatelská služba Úsměv" not in client_in.get(URL).content.decode()
    region = sample["region_a"]
    region.name = "Kraj Gama"
    region.save()
    assert "Kraj Gama" in client_in.get(URL).content.decode()  # the region filter's choices


def test_a_finished_import_shows_at_once(client_in, small_territory, reference, make_record, write_registry):
    run_import(write_registry([make_record()]))
    body = client_in.get(URL).content.decode()
    assert "1234567" in body and "7654321" not in body
    second = make_record(portalId=1002, id="abc-1002", identifikator="7654321")
    run_import(write_registry([make_record(), second]))  # bulk writes: only the finished import tells
    body = client_in.get(URL).content.decode()
    assert "1234567" in body and "7654321" in body


def test_the_import_note_follows_the_latest_import(client_in, sample):
    english(client_in)
    assert "The registry has not been imported yet." in client_in.get(URL).content.decode()
    make_import(status=RegistryImport.Status.DONE)
    assert "Data of the MPSV registry imported on" in client_in.get(URL).content.decode()


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_each_region_scope_gets_its_own_results(sample):
    region_org = make_org(OrganisationKind.REGION, "Krajský úřad Beta", region=sample["region_b"])
    staff = logged_in(make_user("krajska", org=region_org, role=Role.NETWORK_MANAGER))
    reader = logged_in(make_user("poskytovatel", org=make_org(OrganisationKind.PROVIDER)))
    staff_body = staff.get(URL, {"sort": "-name"}).content.decode()
    reader_body = reader.get(URL, {"sort": "-name"}).content.decode()
    results = 'id="catalogue-results"'
    assert "Kraj Beta" in staff_body.split(results)[1] and "Kraj Beta" not in reader_body.split(results)[1]
    assert staff_body.index("Aktivizace Beta") < staff_body.index("Pečovatelská služba Úsměv")
    assert reader_body.index("Pečovatelská služba Úsměv") < reader_body.index("Aktivizace Beta")


def test_the_english_page_is_not_served_from_the_czech_cache(client_in, sample):
    czech = client_in.get(URL).content.decode()
    assert "Zobrazit služby" in czech
    body = english(client_in).get(URL).content.decode()
    assert "Show services" in body and "Zobrazit služby" not in body


def test_each_query_string_gets_its_own_results(client_in, sample):
    assert client_in.get(URL, {"status": "all"}).content.decode().count("Zrušený domov Beta") == 1
    assert "Zrušený domov Beta" not in client_in.get(URL).content.decode()
    assert "Zrušený domov Beta" not in client_in.get(URL, {"status": "active"}).content.decode()


def test_no_user_specific_markup_in_the_fragments(sample):
    admin = logged_in(make_user("spravce-unikat", is_superuser=True, is_staff=True, first_name="Bohumila"))
    body = admin.get(URL).content.decode()
    assert "csrfmiddlewaretoken" in body and "Bohumila" in body and "/registr/importy/" in body
    stored = fragments_in_cache()
    assert stored, "nothing was cached"
    for fragments in stored:
        for html in fragments.values():
            assert "csrfmiddlewaretoken" not in html and "Bohumila" not in html and "spravce-unikat" not in html
            assert "/registr/importy/" not in html  # the superuser's link stays outside the fragments
    # a reader gets the page from the same fragments, without the superuser's link
    body = logged_in(make_user("ctenar-2")).get(URL).content.decode()
    assert "/registr/importy/" not in body and "Domov pro seniory Úsměv" in body


def test_the_key_changes_with_the_day(monkeypatch):
    key = registry_cache.catalogue_key([("q", None)], [])
    assert registry_cache.catalogue_key([("q", None)], []) == key
    monkeypatch.setattr(registry_cache.timezone, "localdate", lambda: date(2099, 1, 1))
    assert registry_cache.catalogue_key([("q", None)], []) != key


@pytest.mark.django_db(transaction=True)
def test_the_version_is_bumped_again_when_the_transaction_commits():
    before = registry_cache.current_version()
    with transaction.atomic():
        service = make_service(name="Nová služba")
        during = registry_cache.current_version()
        assert during != before  # at once: this transaction reads its own change
        service.save()
        pending = [entry for entry in connection.run_on_commit if entry[1] is registry_cache.bump_version]
        assert len(pending) == 1  # once per transaction, however many rows it saves
    # again at the commit: another process may have cached the old data under ``during`` before the commit
    assert registry_cache.current_version() not in (before, during)


def test_the_synthetic_territory_flag_follows_the_territory_import(client_in):
    from qmss.territory.models import TerritoryImport
    from qmss.territory.selectors import territory_is_synthetic

    assert territory_is_synthetic() is False
    TerritoryImport.objects.create(is_synthetic=True)
    assert territory_is_synthetic() is True
    with CaptureQueriesContext(connection) as queries:
        assert territory_is_synthetic() is True
    assert not queries.captured_queries
