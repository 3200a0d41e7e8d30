"""The public check "Is the service registered?": no login, IČO / name / identifier, and what "not found" means."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qmss.core.formatting import format_date
from qmss.registry.models import Provider
from qmss.registry.testing import make_catalogue_sample, make_import, make_provider, make_service
from qmss.testing.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/overeni-registrace/"


@pytest.fixture
def sample(db):
    return make_catalogue_sample()


@pytest.fixture
def anonymous() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def check(client: Client, query: str):
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    return response


def test_url_and_no_login(anonymous, db):
    assert reverse("registration_check") == URL
    body = anonymous.get(URL).content.decode()
    assert '<input type="search" id="check-q" name="q"' in body
    assert 'role="search"' in body
    assert "What does it mean" not in body  # nothing searched yet


def test_found_by_ico_with_spaces(anonymous, sample):
    response = check(anonymous, " 1234 5678 ")
    assert [s.name for s in response.context["services"]] == ["Domov pro seniory Úsměv", "Pečovatelská služba Úsměv"]
    body = response.content.decode()
    assert "Domov Úsměv z. ú." in body and "Registered" in body
    assert "What does it mean" not in body
    assert sample["s1"].get_absolute_url() not in body  # anonymous visitors get no links to the internal pages


def test_found_by_name_without_diacritics_and_case(anonymous, sample):
    response = check(anonymous, "domov usmev")
    assert {s.provider.ico for s in response.context["services"]} == {"12345678"}
    assert check(anonymous, "CHARITA").context["services"][0].provider.name == "Charita Beta"


def test_found_by_identifier(anonymous, sample):
    response = check(anonymous, "3333333")
    assert [s.name for s in response.context["services"]] == ["Aktivizace Beta"]


def test_ended_registration_shows_the_end_date(anonymous, sample):
    make_import(finished_at=None)
    response = check(anonymous, "87654321")
    body = response.content.decode()
    with translation.override("en"):
        ended = format_date(date(2020, 12, 31))
    assert f"Registration ended on {ended}" in body
    assert "Registered</span>" in body  # the provider's other service is active
    assert "Data of the MPSV registry as of" in body


def test_only_ended_services_warn_and_explain(anonymous, db):
    provider = make_provider("Ukončený poskytovatel", ico="55556666")
    make_service(provider, name="Dávno zrušená", date_from=date(2001, 1, 1), date_to=date(2019, 6, 30))
    body = check(anonymous, "55556666").content.decode()
    assert "None of the services found is registered today" in body
    assert "What does it mean when a service is not registered?" in body


def test_not_found_explains_unregistered_services(anonymous, sample):
    response = check(anonymous, "Neexistující pečovatelé")
    assert response.context["services"] == []
    body = response.content.decode()
    assert "No registered social service was found for “Neexistující pečovatelé”." in body
    assert "108/2006" in body
    assert "quality standards" in body and "inspection" in body
    assert "regional authority (krajský úřad)" in body
    assert 'href="https://iregistr.mpsv.cz/"' in body


def test_too_short_query(anonymous, sample):
    response = check(anonymous, "a")
    assert response.context["form"].errors and response.context["result"] is None
    assert "Enter at least 2 characters." in response.content.decode()


def test_all_results_paginated(anonymous, db):
    provider = make_provider("Velká síť služeb")
    for i in range(55):
        make_service(provider, name=f"Pobočka {i:02d}", forms=[], target_groups=[])
    response = check(anonymous, "velka sit")
    assert response.context["result"].total == 55 and len(response.context["services"]) == 20
    assert "55 registered services found." in response.content.decode()
    last = anonymous.get(URL, {"q": "velka sit", "page": 3})
    assert [s.name for s in last.context["services"]] == [f"Pobočka {i:02d}" for i in range(40, 55)]


def test_name_fallback_for_rows_without_search_name(anonymous, db):
    provider = make_provider("Nevyplněný Klíč")
    Provider.objects.filter(pk=provider.pk).update(search_name="")
    make_service(provider, name="Služba bez klíče")
    assert [s.name for s in check(anonymous, "Nevyplněný").context["services"]] == ["Služba bez klíče"]


def test_search_name_is_filled_on_save(db):
    from qmss.registry import signals  # noqa: F401 – connects the receiver (RegistryConfig.ready does it in the app)

    provider = Provider.objects.create(ico="99990000", name="Žluťoučký Kůň, o.p.s.")
    assert provider.search_name == "zlutoucky kun, o.p.s."
    provider.name = "Nový Název"
    provider.save()
    provider.refresh_from_db()
    assert provider.search_name == "novy nazev"


def test_logged_in_users_get_links(sample):
    client = Client()
    client.force_login(make_user("prihlaseny"))
    body = check(client, "12345678").content.decode()
    assert sample["s1"].get_absolute_url() in body and sample["p1"].get_absolute_url() in body


def test_htmx_partial(anonymous, sample):
    response = anonymous.get(URL, {"q": "usmev"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and "Domov Úsměv z. ú." in body


def test_nav_links(anonymous, db):
    body = anonymous.get("/").content.decode()
    assert f'href="{URL}"' in body and 'href="/registr/"' not in body
    client = Client()
    client.force_login(make_user("nav"))
    body = client.get("/").content.decode()
    assert f'href="{URL}"' in body and 'href="/registr/"' in body
