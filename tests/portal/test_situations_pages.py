"""The situations part's pages: the public "how to search" page, the editors' phrasings (add, edit, retire with
audit entries; the finder's matching follows at once), who may do what, and the action's refusals."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import NoReverseMatch, reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope
from qmss.portal import actions_situations as actions
from qmss.portal.models import SituationPhrase
from qmss.portal.situations import match_situation
from qmss.portal.testing_situations import make_phrase
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db
CAT = "náš kocourek potřebuje k veterináři"


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _codes(text: str) -> list[str]:
    return [need.code for need in match_situation(text).needs]


def test_public_page_lists_the_library_never_an_editors_phrasing(tenant_a):
    region = tenant_a.orgs[OrganisationKind.REGION]
    make_phrase(region, text=f"kocour potřebuje veterináře {region.name}")
    response = _client().get("/najit-sluzbu/situace/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Péče o rodiče nebo jiného blízkého doma" in page and "Domácí násilí" in page
    assert "Tělesná hygiena" in page and "ověřeno" in page and "neověřeno" in page
    assert region.name not in page and "kocour" not in page
    assert "max-age" in response["Cache-Control"] and "private" in response["Cache-Control"]
    try:
        finder = reverse("portal:finder")
    except NoReverseMatch:  # the finder part may not be there yet
        finder = None
    if finder:
        assert f'href="{finder}?situace=Syn+bere+drogy.' in page


def test_editor_adds_edits_and_retires_a_phrasing_and_the_finder_follows(tenant_a):
    region = tenant_a.orgs[OrganisationKind.REGION]
    editor = tenant_a.user(OrganisationKind.REGION, Role.EDITOR)
    client = _client(editor)
    assert _codes(CAT) == []
    form = client.get(reverse("portal:phrase_new"))
    assert form.status_code == 200 and region.name in form.content.decode()
    data = {"organisation": region.pk, "text": "Kocour potřebuje veterináře", "needs": ["mobility"]}
    response = client.post(reverse("portal:phrase_new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    phrase = SituationPhrase.objects.get()
    assert (phrase.organisation, phrase.created_by, phrase.need_codes) == (region, editor, ["mobility"])
    assert _codes(CAT) == ["mobility"]

    edit_url = reverse("portal:phrase_edit", kwargs={"phrase_pk": phrase.pk})
    assert "Kocour potřebuje veterináře" in client.get(reverse("portal:phrases")).content.decode()
    response = client.post(edit_url, {"text": "Kocour potřebuje veterináře", "needs": ["safety", "health_care"]})
    assert response.status_code == 302
    assert _codes(CAT) == ["safety", "health_care"]

    retire_url = reverse("portal:phrase_retire", kwargs={"phrase_pk": phrase.pk})
    confirm = client.get(retire_url)
    assert confirm.status_code == 200 and "Kocour potřebuje veterináře" in confirm.content.decode()
    assert client.post(retire_url, {"retire": "1"}).status_code == 302
    phrase.refresh_from_db()
    assert not phrase.active and _codes(CAT) == []
    entries = LogEntry.objects.get_for_object(phrase)
    assert entries.count() == 3 and {entry.actor for entry in entries} == {editor}
    assert client.post(edit_url, {"text": "x", "needs": ["safety"]}).status_code == 200  # retired: read only


def test_who_may_use_the_editors_pages(tenant_a, tenant_b):
    phrase = make_phrase(tenant_a.orgs[OrganisationKind.REGION], text="kocour potřebuje veterináře")
    own = {"phrase_pk": phrase.pk}
    urls = [reverse("portal:phrases"), reverse("portal:phrase_new"), reverse("portal:phrase_edit", kwargs=own),
            reverse("portal:phrase_retire", kwargs=own)]  # fmt: skip
    assert _client().get(urls[0]).status_code == 302  # to the login
    for user in (tenant_a.user(OrganisationKind.PROVIDER), tenant_a.user(OrganisationKind.REGION, Role.READER)):
        assert [_client(user).get(url).status_code for url in urls] == [403] * 4
    ministry_editor = tenant_a.user(OrganisationKind.MINISTRY, Role.EDITOR)
    assert "kocour" not in _client(ministry_editor).get(urls[0]).content.decode()  # another organisation's
    other = _client(tenant_b.user(OrganisationKind.REGION, Role.EDITOR))
    listing = other.get(urls[0])
    assert listing.status_code == 200 and "kocour" not in listing.content.decode()
    assert [other.get(url).status_code for url in urls[2:]] == [404, 404]
    assert other.post(urls[3], {"retire": "1"}).status_code == 404
    assert other.post(urls[2], {"text": "pes", "needs": ["safety"]}).status_code == 404
    stolen = {"organisation": phrase.organisation_id, "text": "pes u veterináře", "needs": ["safety"]}
    assert other.post(urls[1], stolen).status_code == 422
    phrase.refresh_from_db()
    assert phrase.active and phrase.text == "kocour potřebuje veterináře" and SituationPhrase.objects.count() == 1


def test_actions_refuse_unknown_needs_wordless_phrasings_and_strangers(tenant_a, tenant_b):
    region = tenant_a.orgs[OrganisationKind.REGION]
    scope = Scope.for_user(tenant_a.user(OrganisationKind.REGION, Role.EDITOR))
    with pytest.raises(ValidationError) as error:
        actions.create_phrase(scope=scope, organisation=region, text="pes u veterináře", need_codes=["flying"])
    assert "need_codes" in error.value.error_dict and "flying" in str(error.value)
    with pytest.raises(ValidationError) as error:
        actions.create_phrase(scope=scope, organisation=region, text="a pro to", need_codes=["safety"])
    assert error.value.error_dict["text"][0].code == "invalid_value"
    phrase = actions.create_phrase(scope=scope, organisation=region, text="Pes u veterináře", need_codes=["safety"])
    with pytest.raises(ValidationError) as error:
        actions.create_phrase(scope=scope, organisation=region, text="pes u veterinare", need_codes=["safety"])
    assert error.value.error_dict["text"][0].code == "duplicate"
    stranger = Scope.for_user(tenant_b.user(OrganisationKind.REGION, Role.EDITOR))
    with pytest.raises(PermissionDenied):
        actions.retire_phrase(scope=stranger, phrase=phrase)
    with pytest.raises(PermissionDenied):
        actions.create_phrase(scope=stranger, organisation=region, text="kočka", need_codes=["safety"])


def test_the_editors_list_has_a_constant_query_count(tenant_a):
    region = tenant_a.orgs[OrganisationKind.REGION]
    client = _client(tenant_a.user(OrganisationKind.REGION, Role.EDITOR))

    def grow(n: int) -> None:
        for number in range(SituationPhrase.objects.count(), n):
            make_phrase(region, text=f"situace číslo {number}")

    assert_constant_queries(lambda: client.get(reverse("portal:phrases")), grow,
                            count=SituationPhrase.objects.all(), small=2, large=6)  # fmt: skip
