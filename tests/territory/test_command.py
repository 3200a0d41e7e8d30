"""The `qmss import_territory` management command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from qmss.territory.models import Region
from qmss.territory.sources import POPULATION_CSV

pytestmark = pytest.mark.django_db


def test_synthetic_option(capsys):
    call_command("import_territory", "--synthetic")
    out = capsys.readouterr().out
    assert "SYNTETICKÉ" in out and "Obce" in out
    assert Region.objects.filter(code="CZ991").exists()


def test_bad_directory_is_a_command_error(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("import_territory", str(tmp_path / "nothing-here"))
    assert "nothing-here" in str(caught.value)
    assert not Region.objects.exists()


def test_bad_file_is_a_command_error(copy_sources):
    directory = copy_sources()
    path = directory / POPULATION_CSV
    path.write_text(path.read_text(encoding="utf-8").replace("obyvatel_celkem", "obyvatel", 1), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import_territory", str(directory))
    assert "pocet_obyvatel_obce_2020_2024.csv" in str(caught.value) and "obyvatel_celkem" in str(caught.value)
    assert not Region.objects.exists()


def test_command_line_exit_status_and_stderr(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qmss.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
    }
    result = subprocess.run(
        [sys.executable, "-m", "qmss.cli", "import_territory", str(tmp_path / "missing")],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert "missing" in result.stderr
    assert result.stdout.count("Kraje") == 0
