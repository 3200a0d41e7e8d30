"""The portal's shell: display modes (cookie, persistence, next validation), easy-read library and pages, the
home page's portal sections, search-engine metadata, the stats hook."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from qmss.core import hooks
from qmss.portal import display, easy_read
from qmss.testing.factories import make_user

DISPLAY = "/zobrazeni/"
NOINDEX = '<meta name="robots" content="noindex">'


# --- pure logic ---------------------------------------------------------------------------------------------


def test_the_cookie_is_parsed_strictly():
    assert display.parse("high.large") == display.Display("high", "large")
    assert display.parse("normal.largest") == display.Display("normal", "largest")
    for value in (None, "", "high", "huge.large", 'high.large" onload="x', "high." + "l" * 40):
        assert display.parse(value) == display.DEFAULT, value


def test_display_classes():
    assert display.DEFAULT.css_classes == ""
    assert display.Display("high", "largest").css_classes == "display-contrast-high display-text-largest"


def test_easy_read_library_has_the_six_topics_with_source_and_flag(tmp_path):
    topics = easy_read.topics()
    assert tuple(t.slug for t in topics) == easy_read.TOPICS
    assert all(t.source and t.sections and all(s.lines for s in t.sections) for t in topics)
    # one thought per line: easy-read lines stay short
    assert max(len(line) for t in topics for s in t.sections for line in s.lines) <= 80
    broken = tmp_path / "easy-read.yaml"
    text = easy_read.library_path().read_text(encoding="utf-8")
    broken.write_text(text.replace("slug: smlouva", "slug: smlouvy"), encoding="utf-8")
    with pytest.raises(easy_read.EasyReadError, match="easy-read.yaml"):
        easy_read.read_topics(broken)


# --- display settings ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_saving_the_display_sets_a_year_long_lax_cookie_and_returns_to_next():
    client = Client()
    response = client.post(DISPLAY, {"contrast": "high", "size": "large", "next": "/snadne-cteni/?a=1"})
    assert response.status_code == 302 and response["Location"] == "/snadne-cteni/?a=1"
    cookie = response.cookies[display.COOKIE]
    assert cookie.value == "high.large"
    assert int(cookie["max-age"]) == 365 * 24 * 3600 and cookie["samesite"] == "Lax"
    assert "sessionid" not in response.cookies  # no session for anonymous visitors

    # persists on every page: public, the login page, and a logged-in user's dashboard
    for path in ("/", "/snadne-cteni/", reverse("login")):
        body = client.get(path).content.decode()
        assert re.search(r'<html lang="\w+" class="display-contrast-high display-text-large">', body), path
    client.force_login(make_user("zobrazeni"))
    assert 'class="display-contrast-high display-text-large"' in client.get("/").content.decode()

    # back to the default: the cookie is deleted
    response = client.post(DISPLAY, {"contrast": "normal", "size": "normal"})
    assert response["Location"] == DISPLAY + "?ulozeno=1" and response.cookies[display.COOKIE].value == ""


@pytest.mark.django_db
def test_next_must_be_a_local_path():
    client = Client()
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "http:/e.x"):
        response = client.post(DISPLAY, {"contrast": "high", "size": "normal", "next": target})
        assert response.status_code == 302 and response["Location"] == DISPLAY + "?ulozeno=1", target
        page = client.get(DISPLAY, {"next": target}).content.decode()
        assert re.search(r'<input type="hidden" name="next" (value="" )?id="id_next">', page), target
        assert f'href="{target}"' not in page


@pytest.mark.django_db
def test_display_form_refuses_unknown_values_and_shows_the_current_ones():
    client = Client()
    response = client.post(DISPLAY, {"contrast": "neon", "size": "large"})
    assert response.status_code == 200 and display.COOKIE not in response.cookies
    assert 'class="error-summary"' in response.content.decode()
    client.cookies[display.COOKIE] = "high.largest"
    page = client.get(DISPLAY).content.decode()
    assert re.search(r'value="high"[^>]*checked', page) and re.search(r'value="largest"[^>]*checked', page)


# --- home, navigation, metadata -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_shows_the_portal_to_anonymous_visitors_and_a_box_to_users():
    anonymous = Client().get("/").content.decode()
    assert 'id="h-portal-home"' in anonymous and 'id="home-situace"' in anonymous
    finder = reverse("portal:finder")
    assert f'action="{finder}"' in anonymous and f'href="{finder}?situace=' in anonymous
    for name in ("registration_check", "portal:easy_read"):
        assert f'href="{reverse(name)}"' in anonymous
    assert NOINDEX not in anonymous and '<link rel="canonical" href="http://testserver/">' in anonymous
    assert 'property="og:title"' in anonymous and 'name="description"' in anonymous

    client = Client()
    client.force_login(make_user("verejnost"))
    logged_in = client.get("/").content.decode()
    assert 'id="h-public-box"' in logged_in and 'id="h-portal-home"' not in logged_in
    assert NOINDEX in logged_in  # pages of logged-in users are never indexed
    assert 'class="site-nav site-nav--public"' in logged_in


def test_public_home_sections_hook_is_registered():
    from qmss.portal.hooks_shell import portal_home_sections, shell_context

    assert portal_home_sections in hooks.implementations("public_home_sections")
    assert shell_context in hooks.implementations("context")


@pytest.mark.django_db
def test_robots_meta_on_internal_and_public_pages():
    client = Client()
    assert NOINDEX in client.get(reverse("login")).content.decode()
    assert NOINDEX in client.get("/neexistuje-zadna-stranka/").content.decode()
    for path in (reverse("portal:easy_read"), reverse("portal:accessibility"), reverse("registration_check")):
        assert NOINDEX not in client.get(path).content.decode(), path


@pytest.mark.django_db
def test_easy_read_pages_link_each_topic_to_its_full_page():
    client = Client()
    hub = client.get(reverse("portal:easy_read"))
    assert hub.status_code == 200 and "max-age=600" in hub["Cache-Control"]
    hub_body = hub.content.decode()
    for topic in easy_read.topics():
        url = reverse("portal:easy_read_page", kwargs={"topic": topic.slug})
        assert f'href="{url}"' in hub_body
        body = client.get(url).content.decode()
        assert topic.title in body and ('class="badge' in body)
        if topic.full_page_url:
            assert f'href="{topic.full_page_url}"' in body
    assert client.get(reverse("portal:easy_read_page", kwargs={"topic": "nic"})).status_code == 404


@pytest.mark.django_db
def test_stats_hook_counts_portal_objects():
    stats = hooks.merged("stats")
    assert {"portal_articles_published", "portal_reports_open", "portal_phrasings"} <= stats.keys()
