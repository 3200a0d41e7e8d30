"""The database suites build their test databases from the models (``--nomigrations`` in scripts/test.sh, which
saves every worker of every stage the ~15 s of replaying the migrations). These tests keep that honest: the
migrations must describe exactly the models, and they must apply cleanly to an empty database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_migrations_describe_the_models():
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    except SystemExit as exc:  # makemigrations --check exits 1 when a model change has no migration
        pytest.fail(f"a model change has no migration (makemigrations --check exited {exc.code})")


def test_every_migration_applies_to_an_empty_database(tmp_path: Path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "QMSS_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "qmss.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "qmss.cli", "migrate", "--noinput", "-v", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
