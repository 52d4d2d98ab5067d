"""Fixtures for the Python package's tests: models and data made by the
barista command-line tool (BARISTA_CLI, set by CTest), so that what the
package reads was written by the other front end."""
import json
import os
import subprocess

import pytest


def cli(*args):
    """Runs the barista tool; returns its stdout (fails the test on an error)."""
    tool = os.environ.get("BARISTA_CLI")
    if not tool:
        pytest.fail("BARISTA_CLI is not set (run the tests through ctest)")
    result = subprocess.run([tool, *map(str, args)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def cli_json(*args):
    return json.loads(cli(*args, "--json"))


@pytest.fixture(scope="session")
def coffee_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("coffee") / "coffee.barista"
    cli("generate", "--shape", "coffee", "--out", path)
    return str(path)


@pytest.fixture(scope="session")
def s_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("shape_s") / "s.barista"
    cli("generate", "--shape", "S", "--out", path)
    return str(path)


@pytest.fixture(scope="session")
def synth(tmp_path_factory):
    """A synthetic shop log (barista synth): config.json, interactions.csv, ..."""
    folder = tmp_path_factory.mktemp("synth")
    cli("synth", "--out", folder, "--users", 300)
    return folder
