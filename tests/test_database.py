"""Which database the suite runs on: make test runs it on SQLite and again on PostgreSQL."""

from __future__ import annotations

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_database_vendor_reported(capsys):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
    with capsys.disabled():
        print(f"\n[database] vendor={connection.vendor} name={connection.settings_dict['NAME']}")
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert connection.vendor == "postgresql"
    elif not os.environ.get("DATABASE_URL"):
        assert connection.vendor == "sqlite"
