"""The registry exports write values from the registry file that look like formulas as text (issue #8, finding 3).

A registry file (or a provider's name in it) may hold ``=HYPERLINK(…)``, ``+cmd|…``, ``-1+1``, ``@SUM(…)``,
a leading tab or CR. In the CSV such a text is prefixed with an apostrophe (Excel then shows it as text); in the
XLSX it is a string cell with Excel's "quote prefix", never a formula. Numbers and dates keep their types.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.test import Client
from openpyxl import load_workbook

from qmss.registry.models import Provider, Service
from qmss.registry.testing import make_catalogue_sample
from qmss.testing.factories import make_user

pytestmark = pytest.mark.django_db

HOSTILE = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://x.test","y")', "＝1+1"]


@pytest.fixture
def client_in(db) -> Client:
    client = Client()
    client.force_login(make_user("exporter"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def hostile_sample(value: str) -> dict:
    sample = make_catalogue_sample()
    Service.objects.filter(pk=sample["s1"].pk).update(name=value, identifier=value[:20])
    Provider.objects.filter(pk=sample["p1"].pk).update(name=value)
    return sample


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_prefixes_formula_like_text(client_in, value):
    sample = hostile_sample(value)
    response = client_in.get("/registr/export/csv/", {"status": "all"})
    raw = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))
    row = next(r for r in rows if r[0] == str(sample["s1"].portal_id))
    assert row[1] == "'" + value[:20] and row[2] == "'" + value and row[4] == "'" + value
    for line in rows[1:]:
        for field in line:
            assert not field.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r", "＝")), (value, field)
    assert row[13] == "2010-01-01"  # dates stay ISO dates
    other = next(r for r in rows if r[2] == "Aktivizace Beta")
    assert other[2] == "Aktivizace Beta" and other[5] == "87654321"  # ordinary text is untouched


@pytest.mark.parametrize("value", HOSTILE)
def test_xlsx_writes_formula_like_text_as_text(client_in, value):
    sample = hostile_sample(value)
    response = client_in.get("/registr/export/xlsx/", {"status": "all"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == sample["s1"].portal_id)
    for cell in (row[1], row[2], row[4]):
        assert cell.data_type == "s", (cell.coordinate, cell.value)
        assert cell.quotePrefix, (cell.coordinate, cell.value)
    assert row[2].value == value.replace("\r", "\n")  # unchanged (XML reads a CR as a line feed)
    assert row[0].data_type == "n"  # the portal id stays a number
    assert row[13].is_date  # the registration date stays a date
    assert row[8].data_type == "n"  # the registered capacity is a number
