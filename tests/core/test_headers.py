"""Response headers and e-mail timing: Content-Security-Policy, Cache-Control for logged-in users, mail after
commit."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test import Client

from qmss.core import actions
from qmss.core.mail import send_after_commit
from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope

SRC = Path(__file__).resolve().parents[2] / "src" / "qmss"
# Templates rendered only by WeasyPrint into PDF (never served to a browser, so no CSP applies to them).
PDF_ONLY_TEMPLATES = {
    "assessments/report/",
    "improvement/plan_pdf.html",
    "financing/settlement/pdf.html",
    "financing/entrustments/pdf.html",
}


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# --- Content-Security-Policy -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/ucet/prihlaseni/", "/uzemi/", "/api/v1/docs", "/healthz"])
def test_csp_on_public_pages(db, url):
    response = _client().get(url)
    assert response.status_code == 200
    _assert_strict(_policy(response))


def test_csp_on_pages_of_a_logged_in_user(tenant_a):
    client = _client(tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN))
    for url in ("/", "/organizace/", "/ucet/profil/", "/registr/"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_strict(_policy(response))


def _assert_strict(policy: dict[str, list[str]]) -> None:
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"], "scripts only from our own files: no inline, no eval, no CDN"
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"], "style elements only by hash"
    for directive, sources in policy.items():
        for source in sources:
            assert not re.match(r"(https?:|\*|//)", source), f"third-party origin {source!r} in {directive}"
            if directive != "style-src-attr":
                assert source not in {"'unsafe-inline'", "'unsafe-eval'"}, f"{source} in {directive}"


def test_api_docs_load_swagger_from_our_static_files(db):
    page = _client().get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page


def test_style_hashes_match_the_fixed_inline_styles():
    """Each hash in the policy is of a <style> the app really serves; changing one without the other fails."""
    from qmss.core import svg
    from qmss.improvement.svg import LINK_STYLE

    drawn = re.findall(r"<style>(.*?)</style>", str(svg.style(LINK_STYLE)), re.S)  # as the process map draws it
    error_page = (SRC / "templates" / "errors" / "500.html").read_text()
    inline = [*drawn, *re.findall(r"<style>(.*?)</style>", error_page, re.S)]
    assert sorted(_csp_hash(text) for text in inline) == sorted(settings.QMSS_CSP_STYLE_HASHES)


def _served_templates():
    for path in SRC.rglob("templates/**/*.html"):
        relative = str(path).split("/templates/", 1)[1]
        if not any(relative.startswith(prefix) for prefix in PDF_ONLY_TEMPLATES):
            yield relative, path.read_text()


def test_no_template_has_inline_scripts_event_handlers_or_style_elements():
    problems = []
    for name, text in _served_templates():
        for match in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in match.group(1):
                problems.append(f"{name}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text):
            problems.append(f"{name}: on…= event handler attribute")
        if re.search(r"javascript:", text, re.I):
            problems.append(f"{name}: javascript: URL")
        if name != "errors/500.html" and "<style" in text:
            problems.append(f"{name}: <style> element (move it to static/css)")
        if re.search(r"\sstyle=", text):
            problems.append(f"{name}: style= attribute (move it to static/css)")
    assert not problems, "\n".join(problems)


# --- Cache-Control ---------------------------------------------------------------------------------------------


def test_no_store_for_a_logged_in_user(tenant_a):
    client = _client(tenant_a.user(OrganisationKind.PROVIDER, Role.READER))
    for url in ("/", "/organizace/", "/ucet/profil/", "/api/v1/territory/regions"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url


def test_anonymous_pages_and_static_files_are_not_marked(tenant_a):
    assert "no-store" not in _client().get("/uzemi/").get("Cache-Control", "")
    static = _client(tenant_a.user(OrganisationKind.PROVIDER, Role.READER)).get("/static/css/qmss.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")


# --- mail after commit -----------------------------------------------------------------------------------------


def _invite(tenant, email: str):
    admin = tenant.user(OrganisationKind.PROVIDER, Role.ADMIN)
    return actions.invite_member(
        scope=Scope.for_user(admin),
        organisation=tenant.orgs[OrganisationKind.PROVIDER],
        email=email,
        role=Role.READER,
        invited_by=admin,
        accept_url_builder=lambda token: f"http://testserver/pozvanka/{token}/",
    )


class _Rollback(Exception):
    pass


def test_no_invitation_mail_when_the_transaction_rolls_back(tenant_a, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(_Rollback),
        transaction.atomic(),
    ):
        _invite(tenant_a, "novy@example.test")
        raise _Rollback
    assert callbacks == [] and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        _invite(tenant_a, "novy@example.test")
    assert [m.to for m in mail.outbox] == [["novy@example.test"]]


def test_send_after_commit_waits_for_the_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_after_commit(subject="Předmět", message="Text", recipient_list=["a@example.test"])
        assert mail.outbox == [], "nothing is sent inside the transaction"
    assert len(callbacks) == 1
    callbacks[0]()
    assert mail.outbox[0].subject == "Předmět" and mail.outbox[0].from_email == settings.DEFAULT_FROM_EMAIL


def test_password_reset_mail_waits_for_the_commit(provider_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _client().post("/ucet/obnova-hesla/", {"email": provider_admin.email})
    assert response.status_code == 302
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_reminders_are_sent_after_commit():
    """Every e-mail in the code goes through qmss.core.mail (which waits for the commit)."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "mail.py" and path.parent.name == "core":
            continue
        text = path.read_text()
        if re.search(r"\b(send_mail|send_mass_mail|EmailMessage|EmailMultiAlternatives)\b", text):
            offenders.append(str(path.relative_to(SRC)))
    assert not offenders, f"send e-mail through qmss.core.mail: {offenders}"
