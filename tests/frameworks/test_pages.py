"""Framework pages, API, stats and the management command."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from qmss.core.stats import collect_stats
from qmss.frameworks.library import load_libraries
from qmss.frameworks.models import Framework, Requirement
from qmss.frameworks.selectors import clear_tree_cache
from qmss.frameworks.stats import framework_stats
from qmss.testing.factories import make_user
from qmss.testing.queries import assert_constant_queries

from .conftest import SQSS_FILE, synthetic_library, write_copy


@pytest.fixture
def client_logged_in(db) -> Client:
    client = Client()
    client.force_login(make_user("ctenar"))
    return client


# ------------------------------------------------------------------------------------------------ pages


@pytest.mark.django_db
def test_pages_need_login(sqss):
    client = Client()
    for url in (reverse("frameworks:list"), reverse("frameworks:detail", kwargs={"framework_pk": sqss.pk})):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.django_db
def test_list_page(client_logged_in, libraries):
    response = client_logged_in.get(reverse("frameworks:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Standardy kvality sociálních služeb" in body and "Dobrovolný model kvality" in body
    rows = {fw.short_name: fw for fw in response.context["frameworks"]}
    assert rows["SQSS"].criterion_count == 48 and rows["SQSS"].unit_count == 15 and rows["SQSS"].essential_count == 17
    assert rows["SQSS"].assessment_count == 0


@pytest.mark.django_db
def test_detail_page_shows_the_tree(client_logged_in, sqss):
    response = client_logged_in.get(sqss.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="criterion-1a"' in body and 'id="criterion-15d"' in body
    assert "Cíle a způsoby poskytování sociálních služeb" in body
    assert "<details>" in body and "písemná pravidla pro podávání a vyřizování stížností" in body
    assert "historický způsob hodnocení – k ověření" in body
    assert "Body 0–3" in body and "1,5" in body
    assert response.context["unverified_count"] == 43 and response.context["essential_count"] == 17
    assert [s.node.ref_id for s in response.context["sections"]] == ["PROC", "PERS", "PROV"]


@pytest.mark.django_db
def test_detail_page_shows_applicability(client_logged_in, voluntary):
    response = client_logged_in.get(voluntary.get_absolute_url())
    assert response.status_code == 200
    rows = [row for group in response.context["sections"] for area in group.sections for row in area.rows]
    assert len(rows) == 35
    assert [row.req.ref_id for row in rows if row.applicability] == ["H2.4"]


@pytest.mark.django_db
def test_unknown_framework_is_404(client_logged_in):
    assert client_logged_in.get(reverse("frameworks:detail", kwargs={"framework_pk": 999999})).status_code == 404


@pytest.mark.django_db
def test_detail_query_budget_is_constant(client_logged_in, tmp_path):
    state = {}

    def grow(n: int) -> None:
        load_libraries(files=[synthetic_library(tmp_path, n)])  # same URN and version: updated in place
        state["url"] = Framework.objects.get().get_absolute_url()

    def request():
        clear_tree_cache()
        return client_logged_in.get(state["url"])

    assert_constant_queries(request, grow, count=Requirement.objects, small=2, large=40, max_queries=12)


@pytest.mark.django_db
def test_list_query_budget_is_constant(client_logged_in, tmp_path):
    def grow(n: int) -> None:
        for i in range(Framework.objects.count(), n):
            load_libraries(files=[synthetic_library(tmp_path, 3, urn=f"urn:qmss:framework:test-{i}")])

    def request():
        return client_logged_in.get(reverse("frameworks:list"))

    assert_constant_queries(request, grow, count=Framework.objects, small=1, large=8, max_queries=8)


# ------------------------------------------------------------------------------------------------ API


@pytest.mark.django_db
def test_api_list_and_detail(client_logged_in, sqss):
    listing = client_logged_in.get("/api/v1/frameworks/")
    assert listing.status_code == 200
    by_name = {row["short_name"]: row for row in listing.json()}
    assert by_name["SQSS"]["criterion_count"] == 48 and by_name["SQSS"]["version"] == 2

    detail = client_logged_in.get(f"/api/v1/frameworks/{sqss.pk}")
    assert detail.status_code == 200
    data = detail.json()
    assert data["urn"] == "urn:qmss:framework:sqss" and data["default_scale"] == "points"
    assert data["pass_rule"]["rule"]["type"] == "essential_min_and_share" and data["pass_rule"]["text"]
    assert {s["key"] for s in data["scales"]} == {"points", "fulfilment"}
    fulfilment = next(s for s in data["scales"] if s["key"] == "fulfilment")
    assert [v["score"] for v in fulfilment["values"]] == [3, 1.5, 0, None]
    groups = data["requirements"]
    assert [g["ref_id"] for g in groups] == ["PROC", "PERS", "PROV"]
    standards = [s for g in groups for s in g["children"]]
    criteria = [c for s in standards for c in s["children"]]
    assert len(standards) == 15 and len(criteria) == 48
    first = criteria[0]
    assert first["ref_id"] == "1a" and first["essential"] and first["verified"] and first["typical_evidence"]


@pytest.mark.django_db
def test_api_needs_login_and_404(client_logged_in, sqss):
    assert Client().get("/api/v1/frameworks/").status_code == 403
    assert Client().get(f"/api/v1/frameworks/{sqss.pk}").status_code == 403
    assert client_logged_in.get("/api/v1/frameworks/999999").status_code == 404


# ------------------------------------------------------------------------------------------------ stats, command


@pytest.mark.django_db
def test_stats(libraries):
    stats = framework_stats()
    assert stats == {"frameworks": 2, "criteria": {"Dobrovolný model v2": 35, "SQSS v2": 48}}
    assert collect_stats()["criteria"]["SQSS v2"] == 48


@pytest.mark.django_db
def test_command_loads_and_reports(db):
    out = StringIO()
    call_command("load_libraries", stdout=out)
    text = out.getvalue()
    assert "SQSS verze 2" in text and "nově nahráno" in text
    out = StringIO()
    call_command("load_libraries", str(SQSS_FILE), stdout=out)
    assert "beze změny" in out.getvalue()


@pytest.mark.django_db
def test_command_error_loads_nothing(tmp_path):
    broken = write_copy(tmp_path, SQSS_FILE, ("default_scale: points", "default_scale: nic"))
    with pytest.raises(CommandError) as exc_info:
        call_command("load_libraries", str(broken), stdout=StringIO())
    assert "sqss.yaml" in str(exc_info.value) and "default_scale" in str(exc_info.value)
    assert not Framework.objects.exists()
    json.dumps(framework_stats())


@pytest.mark.django_db
def test_openapi_schema_lists_the_framework_endpoints():
    schema = Client().get("/api/v1/openapi.json").json()
    assert {"/api/v1/frameworks/", "/api/v1/frameworks/{framework_pk}"} <= set(schema["paths"])
