"""Reports of unregistered services: the public form (spam protection), the region's inbox (who sees what),
the workflow, the confidential contact, the warning-signs library and the registration-check extension."""

from __future__ import annotations

import re
import time
from pathlib import Path
from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from qmss.core import throttle
from qmss.core.roles import OrganisationKind, Role
from qmss.portal import spam_reports as spam
from qmss.portal.models import UnregisteredReport
from qmss.portal.testing_reports import make_report
from qmss.portal.warning_signs import WarningSignsError, library_path, read_warning_signs, warning_signs

NEW = "/neregistrovane-sluzby/podnet/"
INBOX = "/podnety/"
SECRET_TEXT = "Nabízejí pokoje a péči o ležící babičku, smlouvu nedali."
BASE = {
    "obec": "",
    "service_name": "Penzion U Lípy",
    "place": "Dlouhá 5",
    "what_happened": SECRET_TEXT,
    "when": "minulý týden",
    "reporter_name": "Eva Svobodová",
    "reporter_email": "eva.svobodova@example.test",
    "reporter_phone": "+420 777 111 222",
}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    throttle.reset(spam.THROTTLE_SCOPE, "127.0.0.1")
    yield
    throttle.reset(spam.THROTTLE_SCOPE, "127.0.0.1")


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _send(client: Client, municipality, *, age: float = 10, **data):
    """Open the form in ``client`` (its browser), then send it ``age`` seconds later."""
    page = client.get(NEW)
    token = re.search(r'name="kontrola" value="([^"]+)"', page.content.decode()).group(1)
    payload = {**BASE, "obec": municipality.name, "obec_kod": municipality.code, "kontrola": token, **data}
    with mock.patch.object(spam, "now", return_value=time.time() + age):
        return client.post(NEW, payload)


# --- the library ---------------------------------------------------------------------------------------------


def test_warning_signs_library_has_sources_and_flags():
    library = warning_signs()
    assert len(library.signs) >= 8
    assert len({s.code for s in library.signs}) == len(library.signs)
    for sign in library.signs:
        assert sign.title and sign.text and sign.what_to_do and sign.source
        assert isinstance(sign.verified, bool)


def test_warning_signs_library_errors_name_file_line_and_field(tmp_path: Path):
    text = library_path().read_text(encoding="utf-8")
    broken = tmp_path / "warning-signs.yaml"
    broken.write_text(text.replace("code: bez-smlouvy", "code: neni-v-registru"), encoding="utf-8")
    with pytest.raises(WarningSignsError) as error:
        read_warning_signs(broken)
    assert "warning-signs.yaml" in str(error.value) and "code" in str(error.value)
    broken.write_text(text.replace("    verified: true\n", "    verified: ano\n", 1), encoding="utf-8")
    with pytest.raises(WarningSignsError, match="verified"):
        read_warning_signs(broken)


# --- the public form -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_report_reaches_its_region_inbox_and_nobody_else(tenant_a, tenant_b, django_capture_on_commit_callbacks):
    anonymous = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(anonymous, tenant_a.municipality)
    assert response.status_code == 302 and response["Location"] == reverse("portal:report_sent")
    report = UnregisteredReport.objects.get()
    assert report.region == tenant_a.region and report.state == "received"
    detail = reverse("portal:report", kwargs={"report_pk": report.pk})

    # every member of A's regional authority is told, by a link only (no text, no contact)
    a_region = {tenant_a.user(OrganisationKind.REGION, role).email for role in ("admin", "editor", "reader")}
    recipients = {address for message in mail.outbox for address in message.to}
    assert a_region <= recipients and all(r.endswith("example.test") for r in recipients)
    assert not recipients & {
        tenant_b.user(OrganisationKind.REGION).email,
        tenant_a.user(OrganisationKind.MINISTRY).email,
    }
    body = mail.outbox[0].body
    assert detail in body and SECRET_TEXT not in body and BASE["reporter_email"] not in body and "Svobodov" not in body

    reader = _login(tenant_a.user(OrganisationKind.REGION, Role.READER))
    assert SECRET_TEXT in reader.get(detail).content.decode()
    assert BASE["service_name"] in reader.get(INBOX).content.decode()
    for outsider in (
        tenant_b.user(OrganisationKind.REGION, Role.ADMIN),
        tenant_a.user(OrganisationKind.MINISTRY, Role.ADMIN),
        tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN),
        tenant_a.user(OrganisationKind.MUNICIPALITY, Role.ADMIN),
    ):
        client = _login(outsider)
        assert client.get(detail).status_code == 404, outsider
        listing = client.get(INBOX)
        assert listing.status_code in (200, 403) and BASE["service_name"] not in listing.content.decode()
    assert anonymous.get(detail).status_code == 302
    assert anonymous.get(INBOX).status_code == 302


@pytest.mark.django_db
def test_anonymous_report_stores_no_contact(tenant_a):
    response = _send(Client(), tenant_a.municipality, anonymous="on")
    assert response.status_code == 302
    report = UnregisteredReport.objects.get()
    assert report.anonymous
    assert (report.reporter_name, report.reporter_email, report.reporter_phone) == ("", "", "")


@pytest.mark.parametrize(
    ("label", "change", "status", "message"),
    [
        ("honeypot", {"data": {"web": "http://spam.example"}}, 400, "could not be sent"),
        ("too fast", {"age": 1}, 400, "too quickly"),
        ("too old", {"age": 3 * 3600}, 400, "two hours"),
        ("links", {"data": {"what_happened": "http://a.cz http://b.cz www.c.cz"}}, 400, "too many links"),
    ],
)
@pytest.mark.django_db
def test_spam_is_refused_and_writes_nothing(tenant_a, label, change, status, message):
    logs = LogEntry.objects.count()
    response = _send(Client(), tenant_a.municipality, age=change.get("age", 10), **change.get("data", {}))
    assert response.status_code == status, label
    assert UnregisteredReport.objects.count() == 0 and LogEntry.objects.count() == logs
    assert response.content.decode().count('name="kontrola"') == 1  # a fresh form to try again


@pytest.mark.django_db
def test_token_replayed_from_another_browser_is_refused(tenant_a):
    page = Client().get(NEW)
    token = re.search(r'name="kontrola" value="([^"]+)"', page.content.decode()).group(1)
    other = Client()
    other.get(NEW)  # the other browser has its own CSRF cookie
    payload = {**BASE, "obec": tenant_a.municipality.name, "kontrola": token}
    with mock.patch.object(spam, "now", return_value=time.time() + 10):
        response = other.post(NEW, payload)
    assert response.status_code == 400 and not UnregisteredReport.objects.exists()


@pytest.mark.django_db
def test_throttle_refuses_after_the_limit(tenant_a):
    client = Client()
    for _n in range(spam.THROTTLE_LIMIT):
        assert _send(client, tenant_a.municipality).status_code == 302
    response = _send(client, tenant_a.municipality)
    assert response.status_code == 429
    assert UnregisteredReport.objects.count() == spam.THROTTLE_LIMIT


@pytest.mark.django_db
def test_municipality_resolved_by_name_or_chosen_among_namesakes(tenant_a, tenant_b):
    from qmss.testing.factories import make_municipality

    one = make_municipality(tenant_a.region, name="Lhota")
    two = make_municipality(tenant_b.region, name="Lhota")
    response = _send(Client(), one, obec_kod="")
    assert response.status_code == 400
    page = response.content.decode()
    assert f'value="{one.code}"' in page and f'value="{two.code}"' in page
    assert _send(Client(), two, obec_kod=two.code).status_code == 302
    assert UnregisteredReport.objects.get().region == tenant_b.region
    assert _send(Client(), one, obec_kod="", obec="Neexistující Ves").status_code == 400
    labelled = f"Lhota (okres {one.district.name})"  # as the finder's suggestions offer it
    assert _send(Client(), one, obec_kod="", obec=labelled).status_code == 302


# --- workflow and permissions --------------------------------------------------------------------------------


def _move(client, report, **data):
    return client.post(reverse("portal:report_transition", kwargs={"report_pk": report.pk}), data)


@pytest.mark.django_db
def test_transitions_by_the_regions_handlers_only(tenant_a, tenant_b):
    report = make_report(tenant_a.municipality)
    reader = _login(tenant_a.user(OrganisationKind.REGION, Role.READER))
    assert _move(reader, report, to_state="checking").status_code == 403
    assert (
        _move(_login(tenant_b.user(OrganisationKind.REGION, Role.ADMIN)), report, to_state="checking").status_code
        == 404
    )
    assert _move(_login(tenant_a.user(OrganisationKind.MINISTRY)), report, to_state="checking").status_code == 404
    report.refresh_from_db()
    assert report.state == "received"

    editor_user = tenant_a.user(OrganisationKind.REGION, Role.EDITOR)
    editor = _login(editor_user)
    assert _move(editor, report, to_state="checking").status_code == 302
    assert _move(editor, report, to_state="closed").status_code == 400  # no outcome
    assert _move(editor, report, to_state="closed", outcome="other").status_code == 400  # "other" needs a note
    assert _move(editor, report, to_state="received").status_code == 400  # no way back to received
    assert _move(editor, report, to_state="closed", outcome="registration", note="Předáno").status_code == 302
    report.refresh_from_db()
    assert (report.state, report.outcome, report.handled_by) == ("closed", "registration", editor_user)
    assert report.closed_at is not None

    page = reader.get(report.get_absolute_url()).content.decode()
    assert "Předáno" in page and editor_user.last_name in page  # history: who and when


@pytest.mark.django_db
def test_contact_is_confidential_and_never_logged(tenant_a):
    report = make_report(tenant_a.municipality, reporter_email="tajny.kontakt@example.test")
    editor = _login(tenant_a.user(OrganisationKind.REGION, Role.EDITOR))
    _move(editor, report, to_state="checking")
    logged = " ".join(str(entry.changes) for entry in LogEntry.objects.all())
    assert "tajny.kontakt" not in logged and "Jana Oznamovatelka" not in logged
    assert "tajny.kontakt" in editor.get(report.get_absolute_url()).content.decode()
    reader_page = _login(tenant_a.user(OrganisationKind.REGION, Role.READER)).get(report.get_absolute_url())
    assert reader_page.status_code == 200 and "tajny.kontakt" not in reader_page.content.decode()


@pytest.mark.django_db
def test_inbox_filter_pagination_and_dashboard(tenant_a, tenant_b):
    for n in range(3):
        make_report(tenant_a.municipality, service_name=f"Služba {n}")
    make_report(tenant_a.municipality, service_name="Uzavřená", state="closed", outcome="unfounded")
    make_report(tenant_b.municipality, service_name="Cizí")
    client = _login(tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER))
    page = client.get(INBOX).content.decode()
    assert page.index("Služba 2") < page.index("Služba 0") and "Cizí" not in page
    closed = client.get(INBOX, {"stav": "closed"}).content.decode()
    assert "Uzavřená" in closed and "Služba 1" not in closed
    assert "Cizí" not in client.get(INBOX, {"stav": "received", "page": "9"}).content.decode()
    home = client.get("/").content.decode()
    assert reverse("portal:reports") in home
    assert re.search(r"3\s+otevřen|3 open", home)
    provider_home = _login(tenant_a.user(OrganisationKind.PROVIDER)).get("/").content.decode()
    assert reverse("portal:reports") not in provider_home


# --- public pages and the registration check -----------------------------------------------------------------


@pytest.mark.django_db
def test_public_page_and_registration_check_extension(tenant_a):
    client = Client()
    page = client.get(reverse("portal:unregistered"))
    assert page.status_code == 200 and "public" in page["Cache-Control"]
    text = page.content.decode()
    assert all(sign.title in text for sign in warning_signs().signs)
    assert reverse("registration_check") in text and reverse("portal:report_new") in text
    missing = client.get(reverse("registration_check"), {"q": "Neexistující penzion Xyz"}).content.decode()
    assert warning_signs().signs[0].title in missing and f"{reverse('portal:report_new')}?sluzba=" in missing
    assert settings.SESSION_COOKIE_NAME not in client.cookies  # no session for anonymous visitors


@pytest.mark.django_db
def test_inbox_and_report_page_query_budgets(tenant_a):
    from qmss.testing.queries import assert_constant_queries

    user = tenant_a.user(OrganisationKind.REGION, Role.EDITOR)
    client = _login(user)
    mine = UnregisteredReport.objects.filter(region=tenant_a.region)

    def grow(n):
        while mine.count() < n:
            make_report(tenant_a.municipality, handled_by=user)

    assert_constant_queries(lambda: client.get(INBOX), grow, count=mine, small=1, large=6)
    report = mine.first()
    moves = iter(["checking", "closed", "checking", "closed", "checking", "closed"] * 2)

    def grow_history(n):
        while LogEntry.objects.filter(object_pk=str(report.pk)).count() < n:
            _move(client, report, to_state=next(moves), outcome="unfounded", note="Ověřeno")

    assert_constant_queries(
        lambda: client.get(report.get_absolute_url()),
        grow_history,
        count=lambda: LogEntry.objects.filter(object_pk=str(report.pk)).count(),
        small=2,
        large=6,
    )
