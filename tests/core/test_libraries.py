"""The one library loader (qmss.core.libraries): envelope, pydantic schema, checksums, versions, file/line errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from qmss.core import libraries as lib
from qmss.core.errors import QmssImportError

GOOD = """\
urn: urn:qmss:test:things
version: 2
locale: cs
title: Věci
source: testy
valid_from: 2020-01-01
items:
  - code: a
    count: 1
  - code: b
    count: 2
"""


class Item(lib.Schema):
    code: lib.StrictCode
    count: lib.Whole


class Things(lib.Envelope):
    items: lib.NonEmptyList[Item]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "things.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path, **kwargs) -> lib.Library[Things]:
    return lib.read_library(path, Things, label="things.yaml", **kwargs)


def error_of(tmp_path: Path, text: str, **kwargs) -> QmssImportError:
    with pytest.raises(lib.LibraryError) as caught:
        read(write(tmp_path, text), **kwargs)
    error = caught.value
    assert error.file == "things.yaml" and "things.yaml" in str(error)
    if error.row is not None:
        assert str(error.row) in str(error)
    return error


def test_reads_envelope_body_and_checksums(tmp_path):
    path = write(tmp_path, GOOD)
    library = read(path, urn="urn:qmss:test:things")
    assert (library.urn, library.version, library.data.source) == ("urn:qmss:test:things", 2, "testy")
    assert library.data.valid_from.isoformat() == "2020-01-01" and library.data.valid_to is None
    assert [item.count for item in library.data.items] == [1, 2]
    assert library.checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert library.line(("items", 1, "count")) == 11
    commented = write(tmp_path, "# a comment\n" + GOOD)
    again = read(commented)
    assert again.checksum != library.checksum and again.content_checksum == library.content_checksum


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("version: 2", "version: dva", 2, "version"),
        ("version: 2", "version: 0", 2, "version"),
        ("urn: urn:qmss:test:things", "urn: things", 1, "urn"),
        ("source: testy\n", "", 1, "source"),  # missing: the line of the mapping
        ("source: testy", "source: '  '", 5, "source"),
        ("valid_from: 2020-01-01", "valid_from: 2020-01-01\nvalid_to: 2019-12-31", 7, "valid_to"),
        ("    count: 2", "    count: dva", 11, "items.b.count"),
        ("  - code: b\n    count: 2\n", "  - code: b\n", 10, "items.b.count"),
        ("    count: 1", "    count: 1\n    colour: blue", 10, "items.a.colour"),
        ("  - code: a", "  - code: 7", 8, "items.7.code"),
        ("items:\n", "items: []\nnothing:\n", 7, "items"),
    ],
)
def test_problems_name_file_line_and_field(tmp_path, old, new, line, field):
    assert GOOD.count(old) == 1
    error = error_of(tmp_path, GOOD.replace(old, new))
    assert (error.row, error.field) == (line, field), str(error)
    assert field in str(error)


def test_unknown_key_lists_the_allowed_ones(tmp_path):
    error = error_of(tmp_path, GOOD.replace("    count: 1", "    count: 1\n    colour: blue"))
    assert "code" in str(error) and "count" in str(error)


def test_wrong_urn_repeated_key_bad_yaml_bad_date_and_encoding(tmp_path):
    assert error_of(tmp_path, GOOD, urn="urn:qmss:test:other").field == "urn"
    assert error_of(tmp_path, GOOD.replace("title: Věci", "title: Věci\ntitle: Jiné")).row == 5
    assert error_of(tmp_path, GOOD.replace("title: Věci", "title: [Věci")).row is not None
    assert error_of(tmp_path, GOOD.replace("2020-01-01", "2020-13-01")).row == 6
    (tmp_path / "things.yaml").write_bytes(GOOD.encode("utf-8").replace("Věci".encode(), b"V\xe9ci"))
    with pytest.raises(lib.LibraryError) as caught:
        read(tmp_path / "things.yaml")
    assert caught.value.row == 4
    with pytest.raises(lib.LibraryError):
        read(tmp_path / "missing.yaml")
    assert error_of(tmp_path, "").row is None
    assert error_of(tmp_path, "- just\n- a list\n").row == 1


def test_leaf_field_names_and_own_error_class(tmp_path):
    class MyError(QmssImportError):
        pass

    with pytest.raises(MyError) as caught:
        read(write(tmp_path, GOOD.replace("    count: 2", "    count: dva")), error=MyError, field_name=lib.leaf_field)
    assert caught.value.field == "count"


def test_versions(tmp_path):
    library = read(write(tmp_path, GOOD))
    assert lib.check_version(library, stored={}) == lib.VersionStatus.NEW
    assert lib.check_version(library, stored={1: "x"}) == lib.VersionStatus.NEW
    assert lib.check_version(library, stored={2: library.checksum}) == lib.VersionStatus.UNCHANGED
    assert lib.check_version(library, stored={2: "other"}) == lib.VersionStatus.CHANGED
    with pytest.raises(lib.LibraryError) as caught:  # a used version is never changed in place
        lib.check_version(library, stored={2: "other"}, used={2})
    assert (caught.value.field, caught.value.row) == ("version", 2)
    with pytest.raises(lib.LibraryError):  # lower than the latest
        lib.check_version(library, stored={3: "x"})


def test_every_library_is_read_by_the_core_loader():
    """Frameworks, registry reference data and process templates all read their files through qmss.core.libraries
    (no module of the apps parses YAML itself)."""
    src = Path(lib.__file__).resolve().parents[1]
    parsers = [
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if path.name != "libraries.py" and ("yaml.safe_load" in path.read_text() or "SafeLoader" in path.read_text())
    ]
    assert parsers == []
    for module in ("frameworks/validation.py", "registry/reference.py", "improvement/templates.py"):
        assert "qmss.core import libraries" in (src / module).read_text(), module


@pytest.mark.django_db
def test_process_templates_errors_name_file_line_and_field(tmp_path, settings):
    from qmss.improvement.templates import ProcessTemplateError, default_path, read_template_library

    text = default_path().read_text(encoding="utf-8")
    old = "        kind: management\n"
    broken = tmp_path / "process-templates.yaml"
    broken.write_text(text.replace(old, "        kind: boss\n", 1), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    with pytest.raises(ProcessTemplateError) as caught:
        read_template_library(broken)
    assert caught.value.row == line and caught.value.field.endswith(".kind")
    assert "process-templates.yaml" in str(caught.value)
    library = read_template_library(default_path())
    assert library.urn == "urn:qmss:improvement:process-templates" and len(library.checksum) == 64
