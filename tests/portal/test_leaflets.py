"""Leaflets: the starter content and its loader, the printable leaflet and poster PDFs and the leaflets page."""

from __future__ import annotations

import io
import shutil

import pytest
from django.urls import reverse
from pypdf import PdfReader

from qmss.portal import finder
from qmss.portal.models import Article, ArticleRevision
from qmss.portal.starter_content import StarterContentError, content_dir, load_starter_content
from qmss.portal.testing_leaflets import make_leaflet_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant_a):
    finder.reset_index()
    load_starter_content()
    return make_leaflet_world()


def _pdf_text(response) -> tuple[str, int]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages), len(reader.pages)


def _print(client, slug, **params):
    return client.get(reverse("portal:article_print", kwargs={"article_slug": slug}), params)


# --- the starter content and its loader ------------------------------------------------------------------------


def test_loader_creates_published_starter_content_of_every_type(tenant_a):
    from qmss.portal.selectors_content import published_articles

    assert load_starter_content() >= 15
    articles = {a.slug: a for a in published_articles().select_related("published_revision")}
    kinds = [a.kind for a in articles.values()]
    assert kinds.count("article") >= 6 and kinds.count("expert") >= 1
    assert kinds.count("leaflet") == 3 and kinds.count("poster") == 2
    assert kinds.count("video") == 1 and kinds.count("radio") == 1
    for article in articles.values():
        assert article.is_starter and article.organisation == tenant_a.orgs["ministry"]
        assert "## Zdroje (neověřeno)" in article.published_revision.body
        if article.kind in ("video", "radio"):
            assert len(article.published_revision.transcript) > 200
        if article.kind in ("leaflet", "poster"):
            assert article.kind_codes
    assert {"4", "13", "14"} <= set(articles["letak-seniori"].kind_codes)


def test_loader_is_idempotent_and_a_changed_file_writes_a_new_published_revision(tenant_a, tmp_path):
    directory = tmp_path / "content"
    shutil.copytree(content_dir(), directory)
    load_starter_content(directory)
    revisions = ArticleRevision.objects.count()
    assert load_starter_content(directory) == 0
    assert ArticleRevision.objects.count() == revisions
    path = directory / "letak-seniori.md"
    path.write_text(path.read_text().replace("title: Sociální služby pro seniory", "title: Služby pro seniory"))
    assert load_starter_content(directory) == 1
    article = Article.objects.get(slug="letak-seniori")
    assert article.published_revision.number == 2 and article.published_revision.title == "Služby pro seniory"
    assert ArticleRevision.objects.count() == revisions + 1


@pytest.mark.parametrize(
    ("file", "old", "new", "field"),
    [
        ("letak-seniori.md", "kind: leaflet", "kind: brochure", "kind"),
        ("spot-radio-smlouva.md", "transcript: |", "poznamka: |", "poznamka"),
        ("prispevek-na-peci.md", "valid_from: 2026-01-01", "valid_from: zítra", "valid_from"),
    ],
)
def test_a_broken_file_is_refused_naming_file_and_field_and_nothing_is_written(
    tenant_a, tmp_path, file, old, new, field
):
    directory = tmp_path / "content"
    shutil.copytree(content_dir(), directory)
    path = directory / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    with pytest.raises(StarterContentError) as caught:
        load_starter_content(directory)
    assert file in str(caught.value) and f"„{field}“" in str(caught.value)
    assert not Article.objects.exists()


def test_a_spot_without_transcript_is_refused(tenant_a, tmp_path):
    directory = tmp_path / "content"
    shutil.copytree(content_dir(), directory)
    path = directory / "spot-video-overte-si-sluzbu.md"
    text = path.read_text()
    start, end = text.index("transcript: |"), text.index("\n---\n", 4)
    path.write_text(text[:start] + text[end + 1 :])
    with pytest.raises(StarterContentError, match="spot-video-overte-si-sluzbu.md"):
        load_starter_content(directory)
    assert not Article.objects.exists()


# --- the printed leaflet and poster ----------------------------------------------------------------------------


def test_leaflet_for_a_municipality_lists_exactly_its_services_of_the_leaflets_kinds(client, world, tenant_a):
    home = world.municipalities["home"]
    text, pages = _pdf_text(_print(client, "letak-seniori", obec=home.code))
    assert pages <= 2
    assert "Domov U Lípy" in text and "777 123 456" in text and "Tísňová péče Skrytá" in text
    assert "Hlavní 1" in text  # the address of a facility whose address is public
    for absent in ("Sousedé", "Azylový dům", "Domov Dálkov", "Domov Skončený"):
        assert absent not in text
    assert "Sociální služby pro seniory" in text and "najit-sluzbu" in text
    for secret in tenant_a.secrets:
        assert secret not in text
    # A service name with HTML and CSS is printed as text: nothing hidden, no element made of it.
    assert "<b>Domov</b>" in text and "body{display:none}" in text


def test_leaflet_for_an_orp_adds_the_services_of_its_other_municipalities(client, world):
    from qmss.registry.testing import make_service

    orp = world.municipalities["home"].orp
    text, _pages = _pdf_text(_print(client, "letak-seniori", orp=orp.ruian_code))
    assert "Domov U Lípy" in text and "Pečovatelská služba Sousedé" in text
    assert "Domov Dálkov" not in text and "Azylový dům" not in text
    # Many services: the leaflet stays on two pages and names how many more the finder has.
    for n in range(20):
        make_service(
            name=f"Pečovatelská služba s velmi dlouhým názvem číslo {n:02d}",
            kind="4",
            municipalities=[world.municipalities["neighbour"]],
        )
    text, pages = _pdf_text(_print(client, "letak-seniori", orp=orp.ruian_code))
    assert pages <= 2
    assert "Another 8 services" in text or "Dalších 8 služeb" in text  # 24 services, 16 printed


def test_poster_is_one_page_and_the_crisis_leaflet_lists_the_shelter(client, world):
    home = world.municipalities["home"].code
    _text, pages = _pdf_text(_print(client, "plakat-pomoc-je-blizko", obec=home))
    assert pages == 1
    text, _pages = _pdf_text(_print(client, "letak-krize-bez-domova", obec=home))
    assert "Azylový dům Letákov" in text and "Domov U Lípy" not in text


@pytest.mark.parametrize(
    ("slug", "params"),
    [
        ("letak-seniori", {"obec": "999999"}),
        ("letak-seniori", {"orp": "abc"}),
        ("letak-seniori", {}),
        ("co-jsou-socialni-sluzby", {"obec": "971002"}),  # an article, not a leaflet
        ("neni-takovy", {"obec": "971002"}),
    ],
)
def test_unknown_place_or_leaflet_is_404_with_a_message(client, world, slug, params):
    response = _print(client, slug, **params)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert reverse("portal:leaflets").encode() in response.content


# --- the leaflets page -----------------------------------------------------------------------------------------


def test_leaflets_page_offers_leaflets_and_links_a_municipality_or_an_orp(client, world):
    page = client.get(reverse("portal:leaflets"))
    assert page.status_code == 200 and "Pomoc v krizi a pro lidi bez domova" in page.content.decode()
    home = world.municipalities["home"]
    page = client.get(reverse("portal:leaflets"), {"letak": "letak-seniori", "obec": "Letákov"}).content.decode()
    assert f"/osveta/letak-seniori/tisk.pdf?obec={home.code}" in page
    page = client.get(reverse("portal:leaflets"), {"letak": "letak-seniori", "orp": home.orp.ruian_code})
    assert f"tisk.pdf?orp={home.orp.ruian_code}" in page.content.decode()


def test_leaflets_page_says_when_the_place_or_choice_is_missing(client, world):
    page = client.get(reverse("portal:leaflets"), {"letak": "letak-seniori", "obec": "Neexistujov"})
    assert page.status_code == 200 and 'aria-invalid="true"' in page.content.decode()
    assert "tisk.pdf" not in page.content.decode()
    page = client.get(reverse("portal:leaflets"), {"letak": "neni-takovy", "obec": "Letákov"})
    assert "tisk.pdf" not in page.content.decode() and 'aria-invalid="true"' in page.content.decode()
