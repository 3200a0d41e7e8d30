"""Bad input: structural errors write nothing; a bad record is skipped and listed; a URL is downloaded."""

from __future__ import annotations

import http.server
import json
import threading
import time

import pytest
from django.utils import translation

from qmss.registry.importer import RegistryImportError, run_import
from qmss.registry.models import RegistryImport, Service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages are checked by their English source text (the Czech catalogue is maintained separately)."""
    with translation.override("en"):
        yield


def _fails(path, registry_counts, *, contains: str, **kwargs) -> RegistryImportError:
    before = registry_counts()
    with pytest.raises(RegistryImportError) as caught:
        run_import(path, **kwargs)
    assert registry_counts() == before
    assert contains in str(caught.value), str(caught.value)
    return caught.value


def test_truncated_json_writes_nothing(reference, sample_path, write_registry, registry_counts):
    data = sample_path.read_bytes()
    path = write_registry(data[: len(data) * 2 // 3], name="truncated.json")
    error = _fails(path, registry_counts, contains="truncated.json")
    assert error.row is not None and "record" in str(error)
    assert Service.objects.count() == 0


def test_truncation_after_existing_data_keeps_the_previous_state(
    reference, sample_path, write_registry, registry_counts
):
    run_import(sample_path)
    before = registry_counts()
    snapshot = dict(Service.objects.values_list("portal_id", "fingerprint"))
    data = sample_path.read_bytes().replace(b'"pocet": 20', b'"pocet": 21')
    path = write_registry(data[:-40], name="cut.json")
    with pytest.raises(RegistryImportError):
        run_import(path)
    assert registry_counts() == before
    assert dict(Service.objects.values_list("portal_id", "fingerprint")) == snapshot


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"items": []}, "polozky"),
        ({"polozky": {"a": 1}}, "is not a list"),
        ('[{"portalId": 1}]', "not a JSON object"),
        ("", "is empty"),
        ("   \n", "is empty"),
        ("nonsense", "not a JSON object"),
        ('{"polozky": [1, 2]}', "Record 0"),
        ('{"polozky": [] } trailing', "not valid JSON"),
        (b'{"polozky": [{"portalId": 1, "x": "\xff\xfe"}]}', "invalid bytes in UTF8 string."),
        ('{"polozky": [{"portalId": NaN}]}', "not valid JSON"),
    ],
)
def test_structural_errors_name_the_file(content, message, write_registry, registry_counts):
    path = write_registry(content, name="bad.json")
    error = _fails(path, registry_counts, contains=message)
    assert "bad.json" in str(error)


def test_other_top_level_keys_are_ignored(write_registry, make_record, reference):
    path = write_registry({"verze": {"nested": [1, 2, {"polozky": 3}]}, "polozky": [make_record()]})
    run = run_import(path)
    assert run.counts["services"] == 1


def test_a_huge_garbage_file_fails_fast(tmp_path, registry_counts):
    path = tmp_path / "garbage.json"
    with path.open("wb") as handle:
        handle.write(b"\x00garbage")
        handle.truncate(200 * 1024 * 1024)  # sparse: fast to create, 200 MB to read
    started = time.perf_counter()
    _fails(path, registry_counts, contains="garbage.json")
    assert time.perf_counter() - started < 2


def test_garbage_after_a_good_start_fails_without_writing(write_registry, make_record, registry_counts, reference):
    good = json.dumps({"polozky": [make_record()]})
    path = write_registry(good[:-2] + ", \x00\x01garbage", name="mixed.json")
    _fails(path, registry_counts, contains="mixed.json")


def test_missing_file_is_a_clear_error(tmp_path, registry_counts):
    _fails(tmp_path / "nowhere.json", registry_counts, contains="nowhere.json")


def test_a_failed_import_marks_the_passed_row_failed_and_writes_nothing_else(
    write_registry, registry_counts, admin_user
):
    queued = RegistryImport.objects.create(source="bad.json", status=RegistryImport.Status.QUEUED)
    path = write_registry('{"polozky": [{"portalId": 1', name="bad.json")
    before = registry_counts()
    with pytest.raises(RegistryImportError):
        run_import(path, registry_import=queued, user=admin_user)
    assert registry_counts() == before
    queued.refresh_from_db()
    assert queued.status == RegistryImport.Status.FAILED and "bad.json" in queued.error
    assert queued.finished_at is not None and queued.user == admin_user


def test_a_failed_import_without_a_row_leaves_no_row(write_registry, registry_counts):
    path = write_registry("[]", name="list.json")
    _fails(path, registry_counts, contains="list.json")
    assert RegistryImport.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda r: r["formy"][0]["kapacity"].append({"pocet": "dvacet", "typ": {"id": "X/y"}}),
            "formy[0].kapacity[1].pocet",
        ),
        (lambda r: r["formy"][0]["kapacity"][0].update(pocet=True), "formy[0].kapacity[0].pocet"),
        (lambda r: r["formy"][0]["kapacity"][0].update(pocet=-1), "formy[0].kapacity[0].pocet"),
        (lambda r: r["formy"][0]["kapacity"][0].update(pocet=2**40), "formy[0].kapacity[0].pocet"),
        (
            lambda r: r["zarizeni"][0]["adresa"].update(kodAdresnihoMista=str(2**70)),
            "zarizeni[0].adresa.kodAdresnihoMista",
        ),
        (lambda r: r.update(datumPoskytovaniOd="2020-02-30"), "datumPoskytovaniOd"),
        (lambda r: r.update(datumPoskytovaniDo="zítra"), "datumPoskytovaniDo"),
        (lambda r: r["zarizeni"][0]["adresa"].update(psc="ABC"), "zarizeni[0].adresa.psc"),
        (lambda r: r["zarizeni"][0]["adresa"].update(obec={"id": "Okres/1"}), "zarizeni[0].adresa.obec"),
        (lambda r: r["zarizeni"][0].update(poskytujeOd=5), "zarizeni[0].poskytujeOd"),
        (lambda r: r["zarizeni"].append("nothing"), "zarizeni[1]"),
        (lambda r: r["poskytovatel"].update(ico="12-34"), "poskytovatel.ico"),
        (lambda r: r["poskytovatel"].update(weby=[{"web": ["x"]}]), "poskytovatel.weby[0].web"),
        (lambda r: r.update(emaily="info@x.cz"), "emaily"),
        (lambda r: r.update(druhSocialniSluzby=None), "druhSocialniSluzby"),
        (lambda r: r.update(formy=[{"forma": None}]), "formy[0].forma"),
    ],
)
def test_a_bad_record_is_skipped_with_its_field_path(change, field, make_record, write_registry, reference):
    bad = make_record(portalId=7)
    change(bad)
    path = write_registry([make_record(portalId=5), bad, make_record(portalId=9)])
    run = run_import(path)
    assert run.counts["skipped"] == 1 and run.counts["services"] == 2
    message, code = run.skipped[0]["message"], run.skipped[0]["code"]
    assert run.skipped == [{"index": 1, "portal_id": 7, "field": field, "message": message, "code": code}]
    assert run.skipped[0]["message"]
    assert sorted(Service.objects.values_list("portal_id", flat=True)) == [5, 9]


@pytest.mark.parametrize("portal_id", [None, "abc", -3, 0, 1.5, str(2**64), True])
def test_a_record_without_a_valid_portal_id_is_listed_by_its_index(portal_id, make_record, write_registry, reference):
    path = write_registry([make_record(portalId=5), make_record(portalId=portal_id)])
    run = run_import(path)
    message, code = run.skipped[0]["message"], run.skipped[0]["code"]
    assert run.skipped == [{"index": 1, "portal_id": "#1", "field": "portalId", "message": message, "code": code}]
    assert Service.objects.count() == 1


def test_a_duplicate_portal_id_is_skipped(make_record, write_registry, reference):
    run = run_import(write_registry([make_record(portalId=5), make_record(portalId=5)]))
    assert run.counts["services"] == 1 and run.skipped[0]["portal_id"] == 5


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):  # noqa: N802 – the http.server API
        if self.path != "/rpss.json":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server(sample_path):
    _Handler.body = sample_path.read_bytes()
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_import_from_a_url(http_server, reference):
    run = run_import(f"{http_server}/rpss.json", partial=True)
    assert run.counts["services"] == 37 and Service.objects.count() == 37
    assert run.source.endswith("/rpss.json")


def test_a_missing_url_is_a_clear_error(http_server, registry_counts):
    _fails(f"{http_server}/missing.json", registry_counts, contains="missing.json")


def test_a_download_over_the_size_cap_is_refused(http_server, registry_counts, settings):
    settings.QMSS_REGISTRY_UPLOAD_MAX_BYTES = 1000
    _fails(f"{http_server}/rpss.json", registry_counts, contains="larger than")


def test_an_unreachable_host_is_a_clear_error(registry_counts):
    _fails("http://127.0.0.1:9/rpss.json", registry_counts, contains="127.0.0.1:9")
