"""Registry import pages (system administrators only): upload checks, the background task, progress, results."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qmss.core.roles import OrganisationKind, Role
from qmss.registry import tasks
from qmss.registry.forms import ImportForm
from qmss.registry.models import RegistryChange, RegistryImport
from qmss.registry.testing import make_change, make_import, make_service

pytestmark = pytest.mark.django_db

SAMPLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "rpss-katalog-seniori-ukazka" / "rpss_odvozeno.json"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def admin_client(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(content: bytes, name: str = "rpss.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


def uploaded_files(media: Path) -> list[Path]:
    directory = media / "registry-imports"
    return sorted(directory.iterdir()) if directory.exists() else []


@pytest.mark.parametrize(
    "path", ["/registr/importy/", "/registr/importy/novy/", "/registr/importy/{pk}/", "/registr/importy/{pk}/prubeh/"]
)
def test_import_pages_are_for_superusers_only(tenant_b, superuser, path):
    run = make_import()
    url = path.format(pk=run.pk)
    assert Client().get(url).status_code == 302
    for user in (tenant_b.user(OrganisationKind.REGION, Role.ADMIN), tenant_b.user(OrganisationKind.MINISTRY)):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url).status_code in {403, 405}
    client = Client()
    client.force_login(superuser)
    assert client.get(url).status_code == 200


def test_unknown_import_is_404(admin_client):
    assert admin_client.get("/registr/importy/999999/").status_code == 404
    assert admin_client.get("/registr/importy/999999/prubeh/").status_code == 404


def test_import_list(admin_client, superuser):
    run = make_import(user=superuser, processed_records=1234, counts={"new": 3})
    make_import(status=RegistryImport.Status.FAILED, dry_run=True)
    body = admin_client.get("/registr/importy/").content.decode()
    assert run.get_absolute_url() in body
    assert "1,234" in body or "1 234" in body or "1234" in body
    assert "failed" in body and "dry run" in body
    assert 'href="/registr/importy/novy/"' in body


def test_new_import_form(admin_client):
    body = admin_client.get("/registr/importy/novy/").content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert settings.QMSS_REGISTRY_URL in body
    assert 'type="file"' in body and 'name="dry_run"' in body


def test_too_big_upload_is_refused_and_nothing_is_written(admin_client, settings, media):
    settings.QMSS_REGISTRY_UPLOAD_MAX_BYTES = 10
    response = admin_client.post("/registr/importy/novy/", {"file": upload(b'{"polozky": []}')})
    assert response.status_code == 200
    assert "The file is too large" in response.content.decode()
    assert RegistryImport.objects.count() == 0
    assert uploaded_files(media) == []


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"[1, 2, 3]", "rpss.json"), (b"<html></html>", "rpss.json"), (b"", "rpss.json"), (b'{"polozky": []}', "a.csv")],
)
def test_not_json_is_refused(admin_client, media, content, name):
    response = admin_client.post("/registr/importy/novy/", {"file": upload(content, name)})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("file")
    assert RegistryImport.objects.count() == 0
    assert uploaded_files(media) == []


def test_czech_message_when_translated(superuser, settings):
    """Czech users see the refusal in Czech once the catalogue translates it (the msgid is English)."""
    settings.QMSS_REGISTRY_UPLOAD_MAX_BYTES = 10
    client = Client()
    client.force_login(superuser)
    response = client.post("/registr/importy/novy/", {"file": upload(b'{"polozky": []}')})
    assert response.status_code == 200
    assert response.context["form"].has_error("file", "too_large")


def test_bom_and_whitespace_before_the_brace_are_accepted():
    content = codecs.BOM_UTF8 + b' \r\n\t {"polozky": []}'
    form = ImportForm(data={}, files={"file": upload(content)})
    assert form.is_valid(), form.errors


def test_a_source_must_be_chosen_but_only_one():
    assert ImportForm(data={}, files={}).has_error("__all__", "none")
    both = ImportForm(data={"download": "on"}, files={"file": upload(b"{}")})
    assert both.has_error("__all__", "both")
    assert ImportForm(data={"download": "on"}, files={}).is_valid()


def fake_run_import(calls: list):
    def run_import(source, *, registry_import=None, user=None, dry_run=False, progress=None, **kwargs):
        calls.append({"source": source, "dry_run": dry_run, "user": user})
        if Path(source).is_file():
            calls[-1]["content"] = Path(source).read_bytes()
        progress(50, 100, 7)
        cached = tasks.read_progress(registry_import.pk)
        calls[-1]["cached"] = {key: cached[key] for key in ("bytes", "total", "records")}
        assert {"at", "pid", "host"} <= cached.keys()  # who works on the run, to detect a dead worker
        registry_import.status = RegistryImport.Status.DONE
        registry_import.counts = {"new": 1, "records": 7}
        registry_import.processed_records = 7
        if not dry_run:
            registry_import.save()
        return registry_import

    return run_import


def test_upload_is_saved_and_the_task_runs(admin_client, superuser, media, monkeypatch):
    import qmss.registry.importer as importer

    calls: list = []
    monkeypatch.setattr(importer, "run_import", fake_run_import(calls))
    response = admin_client.post("/registr/importy/novy/", {"file": upload(b'\xef\xbb\xbf {"polozky": []}')})
    run = RegistryImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/registr/importy/{run.pk}/"
    saved = media / "registry-imports" / f"{run.pk}-rpss.json"
    assert calls == [
        {
            "source": str(saved), "dry_run": False, "user": superuser, "content": b'\xef\xbb\xbf {"polozky": []}',
            "cached": {"bytes": 50, "total": 100, "records": 7},
        }
    ]  # fmt: skip
    assert not saved.exists() and uploaded_files(media) == []  # removed once the import has ended
    assert run.status == RegistryImport.Status.DONE and run.user == superuser and run.source == str(saved)
    assert run.task_id
    assert tasks.read_progress(run.pk) is None  # the progress entry is removed when the run ends


def test_dry_run_from_the_official_url_keeps_its_outcome(admin_client, media, monkeypatch):
    import qmss.registry.importer as importer

    calls: list = []
    monkeypatch.setattr(importer, "run_import", fake_run_import(calls))
    admin_client.post("/registr/importy/novy/", {"download": "on", "dry_run": "on"})
    run = RegistryImport.objects.get()
    assert calls[0]["source"] == settings.QMSS_REGISTRY_URL and calls[0]["dry_run"] is True
    assert run.dry_run and run.status == RegistryImport.Status.DONE and run.counts == {"new": 1, "records": 7}
    assert uploaded_files(media) == []


def test_a_failing_import_is_marked_failed(admin_client, monkeypatch):
    import qmss.registry.importer as importer

    def broken(*args, **kwargs):
        raise ValueError("broken file")

    monkeypatch.setattr(importer, "run_import", broken)
    response = admin_client.post("/registr/importy/novy/", {"download": "on"})
    run = RegistryImport.objects.get()
    assert run.status == RegistryImport.Status.FAILED and run.error == "broken file"
    body = admin_client.get(response["Location"]).content.decode()
    assert "broken file" in body and "hx-trigger" not in body


def test_real_upload_runs_the_importer(admin_client, media):
    pytest.importorskip("qmss.registry.importer")
    if not SAMPLE.is_file():
        pytest.skip(f"{SAMPLE} is not available")
    response = admin_client.post(
        "/registr/importy/novy/", {"file": upload(SAMPLE.read_bytes(), "rpss_odvozeno.json"), "dry_run": "on"}
    )
    assert response.status_code == 302
    run = RegistryImport.objects.get()
    assert run.status == RegistryImport.Status.DONE, run.error
    assert run.processed_records == 37
    body = admin_client.get(response["Location"]).content.decode()
    assert "100 %" in body


def test_progress_reads_the_cache_first(admin_client):
    run = make_import(status=RegistryImport.Status.QUEUED, total_bytes=1000, processed_bytes=0)
    body = admin_client.get(f"/registr/importy/{run.pk}/prubeh/").content.decode()
    assert 'value="0"' in body and 'hx-trigger="every 2s"' in body
    cache.set(tasks.progress_key(run.pk), {"bytes": 420, "total": 1000, "records": 99})
    try:
        response = admin_client.get(f"/registr/importy/{run.pk}/prubeh/", headers={"HX-Request": "true"})
    finally:
        cache.delete(tasks.progress_key(run.pk))
    body = response.content.decode()
    assert '<progress id="import-progress-bar" max="100" value="42">' in body
    assert "42 %, 99 records" in body and "running" in body
    assert "HX-Refresh" not in response


def test_detail_of_a_running_import_polls_and_refreshes_without_js(admin_client):
    run = make_import(status=RegistryImport.Status.RUNNING)
    body = admin_client.get(run.get_absolute_url()).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in body
    assert f'hx-get="/registr/importy/{run.pk}/prubeh/"' in body


def test_finished_import_stops_polling(admin_client):
    run = make_import(status=RegistryImport.Status.DONE)
    response = admin_client.get(f"/registr/importy/{run.pk}/prubeh/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "hx-trigger" not in body and 'value="100"' in body
    assert response["HX-Refresh"] == "true"
    assert "<noscript>" not in admin_client.get(run.get_absolute_url()).content.decode()


def test_detail_of_a_finished_import(admin_client):
    run = make_import(
        counts={"new": 1, "changed": 1, "records": 3},
        skipped=[{"portal_id": 77, "field": "formy[0].forma", "message": "unknown form"}],
        unmapped={"DruhSocialniSluzby/99": 4, "CilovaSkupinaOsoby/77": 9},
    )
    service = make_service(name="Nová služba")
    make_change(service, run, kind=RegistryChange.Kind.NEW, field="")
    make_change(service, run, field="name", old="Stará", new="Nová služba")
    body = admin_client.get(run.get_absolute_url()).content.decode()
    assert "new services" in body and "records read" in body
    assert "new service (1)" in body and "changed field (1)" in body
    assert '<th scope="colgroup" colspan="4">new service</th>' in body
    assert '<span class="diff-old">Stará</span>' in body
    assert "formy[0].forma" in body and "unknown form" in body and ">77<" in body
    assert body.index("CilovaSkupinaOsoby/77") < body.index("DruhSocialniSluzby/99")  # most frequent first
    only_changed = admin_client.get(run.get_absolute_url(), {"kind": "changed"})
    assert [c.kind for c in only_changed.context["page_obj"]] == ["changed"]
