"""Taxonomy part pages, API and stats: the public taxonomy, the index per role, the template page, the
superuser's library page with publishing, the JSON API and the `qmss stats` counts."""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.needs import actions_taxonomy, library
from qmss.needs.models import Need, NeedArea, Taxonomy
from qmss.needs.testing_taxonomy import make_taxonomy_and_template
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

TAXONOMY = reverse("needs:taxonomy")
LIBRARIES = reverse("needs:library_list")
TEMPLATE = reverse("needs:template_detail")
INDEX = reverse("needs:index")


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _second_version(taxonomy: Taxonomy, *, published: bool = False) -> Taxonomy:
    """A copy of ``taxonomy`` as version 2, waiting (or published)."""
    from django.utils import timezone

    v2 = Taxonomy.objects.create(
        urn=taxonomy.urn, version=2, title="Taxonomie v2", source="test", checksum="2" * 64,
        content_checksum="2" * 64, published_at=timezone.now() if published else None,
    )  # fmt: skip
    area = NeedArea.objects.create(taxonomy=v2, code="new_area", name="Nová oblast <b>v2</b>", order=1)
    Need.objects.create(taxonomy=v2, area=area, code="new_need", name="Nová potřeba", public_wording="Pomůžeme.")
    return v2


# ------------------------------------------------------------------------------------------------ taxonomy


def test_taxonomy_is_public_with_wording_labels_and_sources():
    make_taxonomy_and_template()
    response = _client().get(TAXONOMY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pomůžeme vám s mytím, koupáním a péčí o vzhled" in html
    assert "Tělesná hygiena" in html and "Řešení dluhů" in html
    assert "Návrh QMSS." in html and "505/2006" in html
    assert html.count('class="badge badge--muted"') >= 10  # unverified items are labelled in words
    assert "★" in html


def test_taxonomy_empty_state_and_bad_version():
    response = _client().get(TAXONOMY)
    assert response.status_code == 200
    assert _client().get(TAXONOMY + "?verze=7").status_code == 404
    assert _client().get(TAXONOMY + "?verze=abc").status_code == 404


def test_taxonomy_other_versions_only_when_published():
    taxonomy, _template = make_taxonomy_and_template()
    v2 = _second_version(taxonomy)
    client = _client()
    assert client.get(TAXONOMY + "?verze=2").status_code == 404  # waiting: not public
    assert "Nová potřeba" not in client.get(TAXONOMY).content.decode()
    v2.published_at = taxonomy.published_at
    v2.save()
    html = client.get(TAXONOMY).content.decode()
    assert "Nová potřeba" in html and "Nová oblast &lt;b&gt;v2&lt;/b&gt;" in html
    assert "<b>v2</b>" not in html  # escaped everywhere
    old = client.get(TAXONOMY + "?verze=1").content.decode()
    assert "Tělesná hygiena" in old and "Nová potřeba" not in old


def test_taxonomy_page_query_count_is_constant():
    taxonomy, _template = make_taxonomy_and_template()
    area = taxonomy.areas.first()

    def grow(n):
        for index in range(Need.objects.filter(taxonomy=taxonomy).count(), n):
            Need.objects.create(taxonomy=taxonomy, area=area, code=f"extra_{index}", name="x", public_wording="y")

    assert_constant_queries(
        lambda: _client().get(TAXONOMY),
        grow,
        count=lambda: Need.objects.filter(taxonomy=taxonomy).count(),
        small=30,
        large=60,
        max_queries=12,
    )


# -------------------------------------------------------------------------------------------------- index


def test_index_links_by_role(tenant_a, superuser):
    anonymous = _client().get(INDEX)
    assert anonymous.status_code == 200
    assert TAXONOMY in anonymous.content.decode()
    assert LIBRARIES not in anonymous.content.decode() and TEMPLATE not in anonymous.content.decode()
    provider = _client(tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN)).get(INDEX).content.decode()
    assert TEMPLATE in provider and LIBRARIES not in provider
    admin = _client(superuser).get(INDEX).content.decode()
    assert LIBRARIES in admin and TEMPLATE in admin


def test_index_skips_parts_that_are_missing(monkeypatch):
    from qmss.needs import views_taxonomy

    missing = views_taxonomy.IndexLink(("no_such_page",), "Chybí", "Chybí", "anyone")
    monkeypatch.setattr(views_taxonomy, "INDEX_LINKS", (missing, *views_taxonomy.INDEX_LINKS))
    response = _client().get(INDEX)
    assert response.status_code == 200 and "Chybí" not in response.content.decode()


# ----------------------------------------------------------------------------------------------- template


def test_template_page_for_logged_in_users(tenant_a):
    make_taxonomy_and_template()
    assert _client().get(TEMPLATE).status_code == 302  # log in first
    html = _client(tenant_a.user(OrganisationKind.PROVIDER, Role.READER)).get(TEMPLATE).content.decode()
    assert "Nových uživatelů nemůže být víc než všech uživatelů za období." in html
    assert "Obložnost" in html and "Kapacita a výkony" in html and "do 18 let" in html
    assert "pobytová" in html or "residential" in html


def test_template_page_query_count_is_constant(superuser):
    from qmss.needs.models import DataElement

    _taxonomy, template = make_taxonomy_and_template()
    breakdown = template.disaggregations.get(code="age_band")
    client = _client(superuser)

    def grow(n):
        for index in range(template.elements.count(), n):
            DataElement.objects.create(
                template=template, code=f"extra_{index}", name="x", section=f"Oddíl {index % 4}",
                disaggregation=breakdown, unit="osob", forms=["field"], order=100 + index,
            )  # fmt: skip

    assert_constant_queries(
        lambda: client.get(TEMPLATE), grow, count=lambda: template.elements.count(), small=14, large=40,
        max_queries=20,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------- libraries


def test_library_page_is_for_superusers_only(tenant_a, superuser):
    taxonomy, _template = make_taxonomy_and_template()
    v2 = _second_version(taxonomy)
    publish = reverse("needs:library_publish", kwargs={"library_kind": "taxonomie", "library_pk": v2.pk})
    assert _client().get(LIBRARIES).status_code == 302
    for kind, role in ((OrganisationKind.REGION, Role.ADMIN), (OrganisationKind.MINISTRY, Role.ADMIN)):
        user = tenant_a.user(kind, role)
        assert _client(user).get(LIBRARIES).status_code == 403
        assert _client(user).get(publish).status_code == 403
        assert _client(user).post(publish, {"confirm": "1"}).status_code == 403
    v2.refresh_from_db()
    assert v2.published_at is None
    html = _client(superuser).get(LIBRARIES).content.decode()
    assert "Taxonomie v2" in html and publish in html


def test_superuser_publishes_a_waiting_version_with_an_audit_entry(superuser):
    taxonomy, _template = make_taxonomy_and_template()
    v2 = _second_version(taxonomy)
    publish = reverse("needs:library_publish", kwargs={"library_kind": "taxonomie", "library_pk": v2.pk})
    client = _client(superuser)
    confirm = client.get(publish)
    assert confirm.status_code == 200 and "Taxonomie v2" in confirm.content.decode()
    v2.refresh_from_db()
    assert v2.published_at is None  # a GET never publishes
    response = client.post(publish, {"confirm": "1"})
    assert response.status_code == 302 and response.url == LIBRARIES
    v2.refresh_from_db()
    assert v2.published_at is not None
    assert library.current_taxonomy() == v2
    entry = LogEntry.objects.get_for_object(v2).latest("timestamp")
    assert entry.actor == superuser and "published_at" in entry.changes_dict
    again = client.post(publish, {"confirm": "1"}, follow=True)
    assert "already been published" in again.content.decode() or "už je zveřejněná" in again.content.decode()


def test_publish_action_refuses_non_superusers_and_unknown_pages(tenant_a, superuser):
    from django.core.exceptions import PermissionDenied

    taxonomy, _template = make_taxonomy_and_template()
    v2 = _second_version(taxonomy)
    with pytest.raises(PermissionDenied):
        actions_taxonomy.publish_version(user=tenant_a.user(OrganisationKind.REGION, Role.ADMIN), version=v2)
    v2.refresh_from_db()
    assert v2.published_at is None
    client = _client(superuser)
    assert client.get(reverse("needs:library_publish", args=["nic", v2.pk])).status_code == 404
    assert client.get(reverse("needs:library_publish", args=["sablona", v2.pk + 999])).status_code == 404


# ----------------------------------------------------------------------------------------------------- API


def test_api_taxonomy_and_template_are_public():
    make_taxonomy_and_template()
    client = _client()
    data = client.get("/api/v1/needs/taxonomy").json()
    assert data["version"] == 1 and data["current"] and data["versions"] == [1]
    assert [area["code"] for area in data["areas"]][:2] == ["self_care", "mobility"]
    hygiene = data["areas"][0]["needs"][0]
    assert hygiene["code"] == "hygiene" and hygiene["basic_life_need"] and hygiene["verified"]
    assert client.get("/api/v1/needs/taxonomy?version=5").status_code == 404
    template = client.get("/api/v1/needs/templates/current").json()
    assert {e["code"] for e in template["elements"]} >= {"users", "fte", "costs"}
    users = next(e for e in template["elements"] if e["code"] == "users")
    assert users["disaggregation"] == "age_band"
    age = next(d for d in template["disaggregations"] if d["code"] == "age_band")
    assert [c["code"] for c in age["categories"]] == ["u18", "18_64", "65_79", "80p"]
    rule = next(r for r in template["rules"] if r["code"] == "new_le_users")
    assert rule["message"].startswith("Nových uživatelů") and rule["severity"] == "blocking"


def test_api_without_libraries_is_404():
    assert _client().get("/api/v1/needs/taxonomy").status_code == 404
    assert _client().get("/api/v1/needs/templates/current").status_code == 404


def test_api_waiting_version_is_not_served():
    taxonomy, _template = make_taxonomy_and_template()
    _second_version(taxonomy)
    client = _client()
    assert client.get("/api/v1/needs/taxonomy?version=2").status_code == 404
    assert client.get("/api/v1/needs/taxonomy").json()["version"] == 1


# --------------------------------------------------------------------------------------------------- stats


def test_stats_json_has_needs_counts(capsys):
    make_taxonomy_and_template()
    call_command("stats", "--json")
    data = json.loads(capsys.readouterr().out)
    flat = data if "needs" in data else next(v for v in data.values() if isinstance(v, dict) and "needs" in v)
    assert flat["needs"] == 25 and flat["need_areas"] == 12
    for key in ("kind_cards", "kind_cards_published", "service_cards", "rounds", "rounds_open", "submissions",
                "submissions_approved"):  # fmt: skip
        assert flat[key] == 0
