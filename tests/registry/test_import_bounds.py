"""Bounded registry import (issue #8, finding 4): the pre-scan (size, nesting depth, records), numbers out of range,
no valid record, the safety threshold for ending services, imports a dead worker left "running", uploaded files.

Every refusal writes nothing: the row counts of every table the import writes are compared before and after.
Messages are checked in English (their msgids) for the parts that name the file, record and field, and once
in Czech through the catalogue (``gettext`` under ``cs``).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command, get_commands
from django.test import Client
from django.utils import timezone, translation

from qmss.registry import actions_imports, tasks
from qmss.registry.error_codes import RegistryImportErrorCode as Code
from qmss.registry.importer import RegistryImportError, run_import
from qmss.registry.importer import prescan as prescan_module
from qmss.registry.importer.prescan import Limits, prescan
from qmss.registry.models import RegistryChange, RegistryImport, Service

pytestmark = pytest.mark.django_db

DEEP_LEVELS = 100_000


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def refused(path, registry_counts, code: Code, **kwargs) -> RegistryImportError:
    before = registry_counts()
    with pytest.raises(RegistryImportError) as caught:
        run_import(path, **kwargs)
    assert registry_counts() == before, "a refused import wrote something"
    assert caught.value.code == code, (caught.value.code, str(caught.value))
    return caught.value


def deep_document(levels: int) -> bytes:
    return b'{"polozky": [' + b"[" * levels + b"]" * levels + b"]}"


# -- 1. the pre-scan --------------------------------------------------------------------------------------------
def test_a_file_nested_100000_levels_deep_is_refused_fast_in_bounded_memory(tmp_path):
    """In a child process limited to 1.5 GB of address space: without the pre-scan ijson needs tens of GB here."""
    path = tmp_path / "deep.json"
    path.write_bytes(deep_document(DEEP_LEVELS))
    assert path.stat().st_size < 210_000
    script = textwrap.dedent(
        f"""
        import os, resource, time, tracemalloc
        os.environ["DJANGO_SETTINGS_MODULE"] = "qmss.settings_test"
        import django
        django.setup()
        from django.utils import translation
        from qmss.registry.importer.errors import RegistryImportError
        from qmss.registry.importer.parse import RecordStream
        limit = 1536 * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        translation.activate("cs")
        translation.gettext("Records")  # load the catalogues before timing

        def read():
            try:
                for _ in RecordStream({str(path)!r}):
                    pass
            except RegistryImportError as exc:
                return exc

        started = time.perf_counter()
        error = read()  # timed without tracemalloc (it slows allocations twentyfold) …
        seconds = round(time.perf_counter() - started, 3)
        tracemalloc.start()
        read()  # … and measured with it
        print("REFUSED", error.code.value, seconds, tracemalloc.get_traced_memory()[1])
        print(error)
        """
    )
    result = subprocess.run(  # noqa: S603 – our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env={**os.environ}
    )
    assert result.returncode == 0, result.stderr[-2000:]
    head, message = result.stdout.strip().split("\n", 1)
    _word, code, seconds, peak = head.split()
    assert code == Code.NESTED_TOO_DEEP.value
    assert float(seconds) < 1.0 and int(peak) < 20 * 1024 * 1024
    with translation.override("cs"):
        expected = translation.gettext(
            "The file %(file)s is nested more than %(limit)s levels deep (at byte %(position)s, record %(record)s); "
            "a registry file nests far less, so it was not read."
        ) % {"file": "deep.json", "limit": 64, "position": 13 + 62, "record": 0}  # byte 13 opens level 3
    assert message == expected


def test_too_deep_is_refused_before_anything_is_written(write_registry, make_record, registry_counts, reference):
    record = make_record(portalId=5)
    record["extra"] = json.loads("[" * 70 + "]" * 70)
    path = write_registry([make_record(portalId=4), record], name="hluboky.json")
    started = time.perf_counter()
    error = refused(path, registry_counts, Code.NESTED_TOO_DEEP)
    assert time.perf_counter() - started < 1
    assert "hluboky.json" in str(error) and "64 levels" in str(error) and "record 1" in str(error)
    assert error.row == 1


def test_deep_nesting_inside_strings_does_not_count(write_registry, make_record, reference):
    record = make_record(portalId=5, nazev="[" * 500 + '\\"{' * 100, identifikator='"]]]}}}\\')
    run = run_import(write_registry([record]))
    assert run.counts["services"] == 1


def test_a_file_over_the_size_limit_is_refused(settings, write_registry, make_record, registry_counts, reference):
    path = write_registry([make_record()], name="velky.json")
    settings.QMSS_REGISTRY_UPLOAD_MAX_BYTES = path.stat().st_size - 1
    error = refused(path, registry_counts, Code.FILE_TOO_LARGE)
    assert "velky.json" in str(error)
    settings.QMSS_REGISTRY_UPLOAD_MAX_BYTES = path.stat().st_size
    assert run_import(path).counts["services"] == 1


def test_a_file_over_the_record_limit_is_refused(settings, write_registry, make_record, registry_counts, reference):
    settings.QMSS_REGISTRY_MAX_RECORDS = 2
    path = write_registry([make_record(portalId=n) for n in (1, 2, 3)], name="mnoho.json")
    error = refused(path, registry_counts, Code.TOO_MANY_RECORDS)
    assert "mnoho.json" in str(error) and "more than 2 records" in str(error) and "byte" in str(error)
    settings.QMSS_REGISTRY_MAX_RECORDS = 3
    assert run_import(path).counts["services"] == 3


def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@pytest.mark.parametrize("chunk", [1, 2, 7, 64, 1 << 20])
def test_prescan_agrees_with_a_json_parser_across_chunk_boundaries(chunk, tmp_path, monkeypatch):
    monkeypatch.setattr(prescan_module, "CHUNK_BYTES", chunk)
    rnd = random.Random(chunk)
    texts = ['a"b', "\\", '\\"[', "{]", "x\\\\", '\\\\"', "", "é[ř"]

    def value(depth: int):
        roll = rnd.random()
        if depth > 6 or roll < 0.3:
            return rnd.choice([*texts, 1, None, True, 2.5])
        if roll < 0.65:
            return [value(depth + 1) for _ in range(rnd.randint(0, 3))]
        return {rnd.choice(["k", "[", '"', "\\"]): value(depth + 1) for _ in range(rnd.randint(0, 3))}

    path = tmp_path / "f.json"
    for _ in range(150 if chunk < 64 else 40):
        document = {"polozky": [value(2) for _ in range(rnd.randint(0, 4))]}
        path.write_text(json.dumps(document, ensure_ascii=rnd.random() < 0.5), encoding="utf-8")
        result = prescan(path, Limits(max_bytes=10**9, max_depth=64, max_records=10**6))
        assert result.depth == _depth(document)
        assert result.records == sum(isinstance(item, list | dict) for item in document["polozky"])


@pytest.mark.parametrize("chunk", [3, 1 << 20])
def test_the_exact_byte_is_named_across_chunks(chunk, tmp_path, monkeypatch):
    monkeypatch.setattr(prescan_module, "CHUNK_BYTES", chunk)
    path = tmp_path / "d.json"
    data = b'{"polozky": [{"a": "[[[\\"", "b": ' + b"[" * 10 + b"]" * 10 + b"}]}"
    path.write_bytes(data)
    with pytest.raises(RegistryImportError) as caught:
        prescan(path, Limits(max_bytes=10**6, max_depth=5, max_records=10))
    position = data.index(b"[" * 10) + 2  # the third "[" after "b": – depth 6
    assert f"at byte {position}," in str(caught.value)


# -- 4. numbers out of range ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("literal", "where", "field"),
    [
        ("99999999999999999999", ("formy", 0, "kapacity", 0, "pocet"), "formy[0].kapacity[0].pocet"),
        (
            "-9223372036854775809",
            ("zarizeni", 0, "adresa", "kodAdresnihoMista"),
            "zarizeni[0].adresa.kodAdresnihoMista",
        ),
        ("1e400", ("vekoveSkupiny",), "vekoveSkupiny[0]"),
        ("9" * 5000, ("formy", 0, "kapacity", 0, "pocet"), "formy[0].kapacity[0].pocet"),
    ],
)
def test_a_number_no_field_can_hold_names_record_and_field(
    literal, where, field, write_registry, make_record, registry_counts, reference
):
    record = make_record(portalId=7)
    target = record
    for key in where[:-1]:
        target = target[key]
    if where == ("vekoveSkupiny",):
        record["vekoveSkupiny"] = ["PLACEHOLDER"]
    else:
        target[where[-1]] = "PLACEHOLDER"
    text = json.dumps({"polozky": [make_record(portalId=5), record]}).replace('"PLACEHOLDER"', literal)
    path = write_registry(text, name="cisla.json")
    error = refused(path, registry_counts, Code.NUMBER_OUT_OF_RANGE)
    message = str(error)
    assert "not valid JSON" not in message and "overflow" not in message
    assert "cisla.json" in message and "record 1 (portalId 7)" in message and f"“{field}”" in message
    assert "out of range" in message
    assert (error.row, error.field) == (1, field)


def test_a_number_beyond_the_fields_column_is_a_skipped_record(write_registry, make_record, reference):
    big_capacity = make_record(portalId=7)
    big_capacity["formy"][0]["kapacity"][0]["pocet"] = 2**40
    run = run_import(write_registry([make_record(portalId=5), big_capacity, make_record(portalId=2**31)]))
    assert run.counts["services"] == 2
    skipped = run.skipped[0]
    assert skipped["index"] == 1 and skipped["portal_id"] == 7 and skipped["code"] == Code.OUT_OF_RANGE.value
    assert (
        skipped["field"] == "formy[0].kapacity[0].pocet" and "out of range (at most 2147483647)" in skipped["message"]
    )


def test_a_portal_id_beyond_range_as_text_is_named(write_registry, make_record, reference):
    run = run_import(write_registry([make_record(portalId=5), make_record(portalId=str(2**64))]))
    assert run.skipped[0]["field"] == "portalId" and run.skipped[0]["code"] == Code.OUT_OF_RANGE.value
    assert "out of range" in run.skipped[0]["message"]


# -- 2. no valid record -----------------------------------------------------------------------------------------
def junk(make_record, portal_id: int):
    record = make_record(portalId=portal_id)
    record["formy"][0]["kapacity"][0]["pocet"] = "hodně"
    return record


def test_a_file_of_junk_records_is_refused_and_names_the_first(write_registry, make_record, registry_counts, reference):
    path = write_registry([junk(make_record, 3), junk(make_record, 4)], name="smeti.json")
    error = refused(path, registry_counts, Code.NO_VALID_RECORD)
    message = str(error)
    assert "smeti.json" in message and "no valid record" in message
    assert "record 0 (portalId 3)" in message and "“formy[0].kapacity[0].pocet”" in message


def test_an_empty_record_list_is_refused(write_registry, registry_counts, reference):
    error = refused(write_registry([], name="prazdny.json"), registry_counts, Code.NO_VALID_RECORD)
    assert "prazdny.json holds no record" in str(error)


def test_the_command_exits_non_zero_when_no_record_is_valid(write_registry, make_record, registry_counts, reference):
    path = write_registry([junk(make_record, 3)], name="smeti.json")
    before = registry_counts()
    with pytest.raises(CommandError, match="smeti.json"):
        call_command("import_registry", str(path), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert registry_counts() == before


# -- 3. the safety threshold ------------------------------------------------------------------------------------
@pytest.fixture
def four_services(write_registry, make_record, reference):
    run_import(write_registry([make_record(portalId=n) for n in (1, 2, 3, 4)], name="cely.json"))
    assert Service.objects.count() == 4


def test_a_small_file_does_not_end_the_registry(four_services, write_registry, make_record, registry_counts):
    path = write_registry([make_record(portalId=1)], name="maly.json")
    for kwargs in ({}, {"dry_run": True}):
        error = refused(path, registry_counts, Code.TOO_FEW_RECORDS, **kwargs)
        message = str(error)
        assert "maly.json" in message and "valid records 1" in message and "services in the registry 4" in message
        assert "(their number: 3)" in message and "50 %" in message
    assert not RegistryChange.objects.filter(kind=RegistryChange.Kind.MISSING).exists()


def test_forced_or_partial_small_files_are_imported(four_services, write_registry, make_record):
    path = write_registry([make_record(portalId=1)], name="maly.json")
    assert run_import(path, partial=True).counts["missing"] == 0
    forced = run_import(path, force=True)
    assert forced.counts["missing"] == 3
    assert RegistryChange.objects.filter(kind=RegistryChange.Kind.MISSING, registry_import=forced).count() == 3


def test_junk_records_count_as_present_but_not_as_valid(four_services, write_registry, make_record, registry_counts):
    """Junk records with known portal ids are not "missing", but they do not make the file trustworthy."""
    path = write_registry([make_record(portalId=1), junk(make_record, 2), junk(make_record, 3)], name="pul.json")
    refused(path, registry_counts, Code.TOO_FEW_RECORDS)


def test_a_file_with_enough_valid_records_needs_no_force(four_services, write_registry, make_record):
    run = run_import(write_registry([make_record(portalId=n) for n in (1, 2)], name="pulka.json"))
    assert run.counts["missing"] == 2  # 2 of 4 is the accepted share (50 %)


def test_the_command_refuses_and_accepts_force(four_services, write_registry, make_record, registry_counts):
    path = write_registry([make_record(portalId=1)], name="maly.json")
    before = registry_counts()
    with pytest.raises(CommandError, match="služeb v registru 4"):
        call_command("import_registry", str(path), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert registry_counts() == before
    call_command("import_registry", str(path), "--force", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert RegistryChange.objects.filter(kind=RegistryChange.Kind.MISSING).count() == 3


# -- the web import: refusals mark the run failed, "I know" forces, the file is removed, the start is audited --
def post_import(user, content: bytes, **data):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    upload = SimpleUploadedFile("rpss.json", content, content_type="application/json")
    return client.post("/registr/importy/novy/", {"file": upload, **data})


def test_web_import_of_junk_fails_and_removes_the_file(superuser, make_record, media, registry_counts, reference):
    before = registry_counts()
    content = json.dumps({"polozky": [junk(make_record, 3)]}).encode()
    response = post_import(superuser, content)
    run = RegistryImport.objects.get()
    assert response.status_code == 302
    assert run.status == RegistryImport.Status.FAILED and "no valid record" in run.error and "rpss.json" in run.error
    assert list((media / "registry-imports").iterdir()) == []
    after = registry_counts()
    assert after.pop("RegistryImport") == before.pop("RegistryImport") + 1 and after == before


def test_web_import_needs_i_know_to_end_services(four_services, superuser, make_record, media, registry_counts):
    content = json.dumps({"polozky": [make_record(portalId=1)]}).encode()
    before = registry_counts()
    post_import(superuser, content)
    refused_run = RegistryImport.objects.latest("pk")
    assert refused_run.status == RegistryImport.Status.FAILED and "services in the registry 4" in refused_run.error
    assert registry_counts()["RegistryChange"] == before["RegistryChange"]
    post_import(superuser, content, force="on")
    forced = RegistryImport.objects.latest("pk")
    assert forced.force and forced.status == RegistryImport.Status.DONE and forced.counts["missing"] == 3
    assert list((media / "registry-imports").iterdir()) == []
    entry = LogEntry.objects.get_for_object(forced).filter(action=LogEntry.Action.CREATE).get()
    assert entry.actor == superuser


def test_a_command_line_file_is_never_removed(tmp_path, write_registry, make_record, reference):
    path = write_registry([make_record(portalId=1)], name="muj.json")
    run = RegistryImport.objects.create(source=str(path), status=RegistryImport.Status.QUEUED)
    tasks.import_registry_task.call(import_pk=run.pk, source=str(path))
    run.refresh_from_db()
    assert run.status == RegistryImport.Status.DONE and path.is_file()


# -- 5. imports a dead worker left behind -----------------------------------------------------------------------
def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    process.wait()
    return process.pid


def set_progress(run: RegistryImport, **heartbeat) -> None:
    from django.core.cache import cache

    entry = {"bytes": 60, "total": 1000, "records": 6, **actions_imports.heartbeat(), **heartbeat}
    cache.set(tasks.progress_key(run.pk), entry, 600)


@pytest.fixture
def clear_progress():
    from django.core.cache import cache

    keys = []
    yield keys
    for pk in keys:
        cache.delete(tasks.progress_key(pk))


def test_worker_start_fails_runs_of_a_dead_worker(clear_progress):
    killed = RegistryImport.objects.create(source="x.json", status=RegistryImport.Status.RUNNING)
    alive = RegistryImport.objects.create(source="y.json", status=RegistryImport.Status.RUNNING)
    silent = RegistryImport.objects.create(source="z.json", status=RegistryImport.Status.RUNNING)
    clear_progress += [killed.pk, alive.pk]
    set_progress(killed, pid=dead_pid())
    set_progress(alive)  # this process: alive
    with translation.override("cs"):
        assert actions_imports.prepare_worker() == {"failed": 2, "removed": 0}
        reason = translation.gettext(
            "The worker process running this import stopped before it finished (it was killed or restarted); "
            "nothing of the import was written. Start the import again."
        )
    for run in (killed, alive, silent):
        run.refresh_from_db()
    assert killed.status == silent.status == RegistryImport.Status.FAILED and killed.error == reason
    assert alive.status == RegistryImport.Status.RUNNING


def test_db_worker_is_ours_and_fails_queued_imports_whose_task_is_gone(settings, clear_progress, monkeypatch):
    assert get_commands()["db_worker"] == "qmss.registry.worker"
    # The package's worker loop closes database connections between tasks, which would end the test's own
    # transaction on PostgreSQL; the housekeeping that runs before it is what is tested here.
    from django_tasks_db.management.commands import db_worker as package_worker

    monkeypatch.setattr(package_worker.Command, "handle", lambda self, *args, **options: None)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    waiting = actions_imports.start_import(user=None, dry_run=True)
    lost = actions_imports.start_import(user=None, dry_run=True)
    DBTaskResult.objects.filter(id=lost.task_id).delete()
    running = RegistryImport.objects.create(source="x.json", status=RegistryImport.Status.RUNNING)
    clear_progress.append(running.pk)
    set_progress(running, pid=dead_pid())
    DBTaskResult.objects.filter(id=waiting.task_id).update(run_after=timezone.now() + timezone.timedelta(days=1))
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    statuses = dict(RegistryImport.objects.values_list("pk", "status"))
    assert statuses[waiting.pk] == RegistryImport.Status.QUEUED
    assert statuses[lost.pk] == statuses[running.pk] == RegistryImport.Status.FAILED


def test_opening_an_import_whose_progress_stopped_long_ago_marks_it_failed(superuser, clear_progress):
    run = RegistryImport.objects.create(source="x.json", status=RegistryImport.Status.RUNNING)
    clear_progress.append(run.pk)
    set_progress(run, host="elsewhere", at=time.time() - 2 * 60 * 60)
    client = Client()
    client.force_login(superuser)
    client.cookies["django_language"] = "en"
    body = client.get(run.get_absolute_url()).content.decode()
    run.refresh_from_db()
    assert run.status == RegistryImport.Status.FAILED and "has not moved" not in run.error
    assert "stopped before it finished" in body
    fresh = RegistryImport.objects.create(source="y.json", status=RegistryImport.Status.RUNNING)
    clear_progress.append(fresh.pk)
    set_progress(fresh, host="elsewhere")
    client.get(fresh.get_absolute_url())
    fresh.refresh_from_db()
    assert fresh.status == RegistryImport.Status.RUNNING


# -- 6. uploaded files left behind ------------------------------------------------------------------------------
def test_old_orphan_uploads_are_removed_at_worker_start(media):
    directory = media / "registry-imports"
    directory.mkdir(parents=True)
    running = RegistryImport.objects.create(source="x", status=RegistryImport.Status.RUNNING)
    done = RegistryImport.objects.create(source="y", status=RegistryImport.Status.DONE)
    old = time.time() - 2 * 24 * 60 * 60
    files = {
        "orphan": directory / "999999-rpss.json", "done": directory / f"{done.pk}-rpss.json",
        "running": directory / f"{running.pk}-rpss.json", "recent": directory / "888888-rpss.json",
    }  # fmt: skip
    for name, path in files.items():
        path.write_bytes(b"{}")
        if name != "recent":
            os.utime(path, (old, old))
    outside = media / "other.json"
    outside.write_bytes(b"{}")
    os.utime(outside, (old, old))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(actions_imports, "fail_stale_imports", lambda **kwargs: [])
        assert actions_imports.prepare_worker() == {"failed": 0, "removed": 2}
    assert not files["orphan"].exists() and not files["done"].exists()
    assert files["running"].exists() and files["recent"].exists() and outside.exists()


# -- 7. error codes ---------------------------------------------------------------------------------------------
def test_structural_errors_carry_codes(write_registry, registry_counts):
    refused(write_registry("", name="a.json"), registry_counts, Code.EMPTY_FILE)
    refused(write_registry("[1]", name="b.json"), registry_counts, Code.NOT_AN_OBJECT)
    refused(write_registry({"x": []}, name="c.json"), registry_counts, Code.NO_RECORD_LIST)
    refused(write_registry('{"polozky": [1]}', name="d.json"), registry_counts, Code.RECORD_NOT_AN_OBJECT)
    refused(write_registry('{"polozky": [{]}', name="e.json"), registry_counts, Code.NOT_JSON)
    refused(Path("/nonexistent/f.json"), registry_counts, Code.FILE_NOT_FOUND)
