"""The house's import contracts (pyproject.toml, [tool.importlinter]) hold, and would catch a
breach: an import up a floor, a cycle inside an app (even through an import inside a
function), Django reaching the matching engine, a service raising DRF's exceptions."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "portal",
    "taxonomy",
    "accounts",
    "catalogue",
    "sourcing",
    "matchmaking",
    "counsellors",
    "deals",
    "digests",
    "home",
]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def house(tmp_path: Path) -> Path:
    """A copy of the apps' Python and the contracts, to break on purpose."""
    for app in APPS:
        shutil.copytree(
            ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("*.pyc", "static", "templates")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_lines(path: Path, *lines: str) -> None:
    path.write_text(path.read_text() + "\n" + "\n".join(lines) + "\n")


def test_the_house_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout
    assert "4 kept, 0 broken" in result.stdout


def test_an_import_up_a_floor_breaks_the_house(house):
    add_lines(house / "taxonomy" / "hs.py", "from catalogue import models as _upward  # noqa: E402")
    result = lint_imports(house)
    assert result.returncode == 1
    assert "Each app imports only the apps below it BROKEN" in result.stdout
    assert "taxonomy is not allowed to import catalogue" in result.stdout


def test_a_cycle_inside_an_app_through_an_import_in_a_function_breaks_it(house):
    # taxonomy.hs imports taxonomy.models; an import of hs inside a models function closes the circle.
    add_lines(
        house / "taxonomy" / "models.py", "def _dodge():", "    from taxonomy import hs", "", "    return hs"
    )
    result = lint_imports(house)
    assert result.returncode == 1
    assert "No import cycle between the modules of an app BROKEN" in result.stdout


def test_django_in_the_engine_breaks_it(house):
    add_lines(house / "matchmaking" / "engine" / "scoring.py", "import django  # noqa: E402")
    result = lint_imports(house)
    assert result.returncode == 1
    assert "The matching engine is plain Python and NumPy: no Django, no app BROKEN" in result.stdout


def test_drf_in_a_service_breaks_it(house):
    add_lines(house / "counsellors" / "services.py", "from rest_framework import exceptions  # noqa: E402")
    result = lint_imports(house)
    assert result.returncode == 1
    assert "counsellors.services is not allowed to import rest_framework" in result.stdout


def test_an_import_only_for_type_checkers_is_no_arrow(house):
    add_lines(
        house / "taxonomy" / "models.py",
        "from typing import TYPE_CHECKING  # noqa: E402",
        "if TYPE_CHECKING:",
        "    from catalogue.models import Product  # noqa: F401",
    )
    result = lint_imports(house)
    assert result.returncode == 0, result.stdout
