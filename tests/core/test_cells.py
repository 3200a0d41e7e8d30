"""The one safe-cell writer (qmss.core.cells) of every XLSX and CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook

from qmss.core import cells

SRC = Path(__file__).resolve().parents[2] / "src" / "qmss"
HOSTILE = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",
    "\u00a0=1+1",
    '=HYPERLINK("http://x.test","klik")',
    "+cmd|' /C calc'!A0",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
    "=",
]
HARMLESS = ["", "plain", "a=b", "1+1", "e-mail", "x@y.cz", "– dash", "'quoted"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_texts_are_recognised(text):
    assert cells.looks_like_formula(text)


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_texts_are_not(text):
    assert not cells.looks_like_formula(text)


def roundtrip(write_only: bool, rows: list[list]):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("S") if write_only else workbook.active
    for row in rows:
        cells.append(sheet, row, formats={3: "0.0"})
    buffer = io.BytesIO()
    workbook.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_texts_are_text_and_values_keep_their_types(write_only):
    aware = datetime(2025, 3, 1, 9, 30, tzinfo=ZoneInfo("UTC"))
    rows = [[text, "plain", 1.5] for text in HOSTILE]
    rows.append([42, Decimal("2.50"), Decimal("0.25"), date(2025, 1, 31), aware, True, None, "bell\x07 and nul\x00"])
    sheet = roundtrip(write_only, rows)
    for index, text in enumerate(HOSTILE, start=1):
        cell = sheet.cell(row=index, column=1)
        assert cell.data_type == "s" and cell.quotePrefix, (text, cell.value)
        assert cell.value == text.replace("\r", "\n")  # unchanged (XML reads a CR as LF)
        plain = sheet.cell(row=index, column=2)
        assert plain.value == "plain" and plain.data_type == "s" and not plain.quotePrefix
        assert sheet.cell(row=index, column=3).number_format == "0.0"
    last = list(sheet[len(HOSTILE) + 1])
    assert last[0].value == 42 and last[0].data_type == "n"
    assert last[1].value == 2.5 and last[1].data_type == "n"
    assert last[2].value == 0.25 and last[2].number_format == "0.0"
    assert last[3].value == datetime(2025, 1, 31) and last[3].is_date and last[3].number_format == "d. m. yyyy"
    assert last[4].is_date and last[4].value.tzinfo is None
    assert last[5].value is True
    assert last[6].value is None
    assert last[7].value == "bell and nul"  # characters XML forbids are dropped


def test_put_overrides_a_formula_on_an_existing_cell():
    sheet = Workbook().active
    cell = cells.put(sheet["A1"], "=SUM(1)")
    assert cell.data_type == "s" and cell.quotePrefix and cell.value == "=SUM(1)"


def test_csv_prefixes_formula_like_texts_only():
    header = ["Name", "=Header"]
    rows = [
        ["=1+1", "plain"],
        ["+1", "-1"],
        ["@x", "\t=1"],
        ["x;=1+1", 'say "hi"'],
        [12, -3],
        [Decimal("1.5"), None],
        [date(2025, 1, 31), datetime(2025, 1, 31, 8, 0)],
    ]
    text = "".join(cells.csv_lines(header, rows))
    assert text.startswith("\ufeff") and "\r\n" in text
    parsed = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert parsed == [
        ["Name", "'=Header"],
        ["'=1+1", "plain"],
        ["'+1", "'-1"],
        ["'@x", "'\t=1"],
        ["x;=1+1", 'say "hi"'],  # a delimiter inside stays inside its quoted field
        ["12", "-3"],  # real numbers are not touched
        ["1.5", ""],
        ["2025-01-31", "2025-01-31T08:00:00"],
    ]


def test_csv_without_bom_and_with_commas():
    assert "".join(cells.csv_lines(["a"], [["=1", "b"]], delimiter=",", bom=False)) == "a\r\n'=1,b\r\n"


def test_one_implementation():
    """No export writes CSV or sets cell types on its own: everything goes through qmss.core.cells."""
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.relative_to(SRC).as_posix() != "core/cells.py"
        if re.search(r"csv\.writer|data_type\s*=|WriteOnlyCell|TYPE_STRING", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
