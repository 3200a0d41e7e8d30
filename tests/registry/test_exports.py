"""Exports of the filtered catalogue: XLSX (openpyxl) and CSV for Czech Excel (UTF-8 BOM, semicolons)."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.test import Client
from openpyxl import load_workbook

from qmss.registry.testing import make_catalogue_sample
from qmss.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(db):
    return make_catalogue_sample()


@pytest.fixture
def client_in(db) -> Client:
    client = Client()
    client.force_login(make_user("exporter"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def csv_rows(response) -> tuple[bytes, list[list[str]]]:
    raw = b"".join(response.streaming_content)
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_csv_has_bom_semicolons_and_the_filtered_rows(client_in, sample):
    response = client_in.get("/registr/export/csv/", {"region": "CZ991", "sort": "-name"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="registr-socialnich-sluzeb-' in response["Content-Disposition"]
    raw, rows = csv_rows(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b";" in raw.splitlines()[0]
    header, *data = rows
    assert header[:3] == ["Portal id", "Service identifier", "Name"] and len(header) == 16
    assert header[6:10] == ["Delivery form", "Capacity type", "Registered capacity", "Registered capacity (text)"]
    # one row per service × form × capacity type: s2 has two forms, s1 one
    assert [row[2] for row in data] == ["Pečovatelská služba Úsměv"] * 2 + ["Domov pro seniory Úsměv"]
    s2 = data[0]
    assert s2[0] == str(sample["s2"].portal_id) and s2[1] == "2222222"
    assert s2[3] == "§40 pečovatelská služba"
    assert s2[4:6] == ["Domov Úsměv z. ú.", "12345678"]
    assert sorted(tuple(row[6:10]) for row in data[:2]) == [
        ("ambulantní", "klienti", "15", "15 klientů"),
        ("terénní", "klienti", "120", "120 klientů"),
    ]
    assert data[2][6:10] == ["pobytová", "lůžka", "40", "40 lůžek"]
    assert s2[10] == "Úvaly; Bystřice"
    assert s2[11] == f"{sample['m1'].orp.name}; {sample['m2'].orp.name}"
    assert s2[12] == "Kraj Alfa"
    assert s2[13] == "2012-05-01" and s2[14] == ""
    assert s2[15] == "registered"


def test_csv_of_ended_services(client_in, sample):
    _, rows = csv_rows(client_in.get("/registr/export/csv/", {"status": "ended"}))
    assert [(row[2], row[14], row[15]) for row in rows[1:]] == [("Zrušený domov Beta", "2020-12-31", "ended")]


def test_xlsx_opens_and_has_the_rows(client_in, sample):
    response = client_in.get("/registr/export/xlsx/", {"status": "all"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert ".xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Portal id", "Service identifier", "Name")
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:P6"
    assert sorted(row[2] for row in rows[1:]) == [
        "Aktivizace Beta",
        "Domov pro seniory Úsměv",
        "Pečovatelská služba Úsměv",
        "Pečovatelská služba Úsměv",
        "Zrušený domov Beta",
    ]
    ended = next(row for row in rows if row[2] == "Zrušený domov Beta")
    assert ended[14].date().isoformat() == "2020-12-31"


def test_export_contains_no_contacts(client_in, sample):
    raw, _ = csv_rows(client_in.get("/registr/export/csv/", {"status": "all"}))
    assert b"@" not in raw


def test_unknown_format_is_404(client_in, sample):
    assert client_in.get("/registr/export/pdf/").status_code == 404


def test_export_needs_login(client, sample):
    assert client.get("/registr/export/csv/").status_code == 302


def test_export_query_count_does_not_grow(client_in, sample):
    from qmss.registry.testing import make_service
    from qmss.testing.queries import count_queries

    def export():
        response = client_in.get("/registr/export/csv/")
        b"".join(response.streaming_content)

    export()
    before, _ = count_queries(export)
    for i in range(30):
        make_service(sample["p1"], name=f"Další {i}", municipalities=[sample["m1"]])
    after, sql = count_queries(export)
    assert after == before, "\n".join(sql)
