"""The architecture: the core runs without Dash, layers import only those below, no cycles, every page registered."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.config import ROOT


def test_the_core_imports_no_dash():
    modules = sorted(
        ".".join(p.relative_to(ROOT / "dashboard").with_suffix("").parts)
        for p in (ROOT / "dashboard").rglob("*.py")
        if p.stem not in ("__init__", "__main__")
    )
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module('dashboard.' + name)\n"
        "print(sorted(m for m in sys.modules if m == 'dash' or m.startswith('dash.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"
    assert len(modules) >= 10


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run import-linter's contracts (pyproject.toml) over the code under root."""
    command = [
        sys.executable,
        "-c",
        "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
    ]
    return subprocess.run(
        [*command, "--no-cache"], capture_output=True, text=True, cwd=root, env={"PYTHONPATH": str(root)}
    )


def test_every_layer_imports_only_layers_below_it_and_nothing_imports_in_a_circle():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    "module, line, broken",
    [
        ("dashboard/domain/measures.py", "import dashboard.views.map", "The core in layers"),
        ("dashboard/query/geometry.py", "import dashboard.query.rates", "No import cycles"),
        ("dashboard/views/map.py", "import dashboard.ingest.build", "never imports how data is loaded"),
        ("dashboard/figures/maps.py", "import dashboard.store.warehouse", "Figures are built from DataFrames alone"),
        ("layouts/shell.py", "import callbacks.map", "The app over its parts"),
        ("callbacks/guard.py", "import web.auth", "The app over its parts"),
    ],
)
def test_an_import_against_the_layers_is_caught(tmp_path, module, line, broken):
    for part in ("dashboard", "layouts", "callbacks", "benchmarks", "web"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert broken in result.stdout.replace("\n", " ") and "BROKEN" in result.stdout


def test_every_page_in_the_registry_has_a_layout_and_callbacks():
    import importlib

    from layouts.pages import PAGES

    assert [page.path for page in PAGES][0] == "/" and len({page.slug for page in PAGES}) == len(PAGES)
    for page in PAGES:
        assert importlib.import_module(f"layouts.pages.{page.slug}").PAGE is page
        assert callable(importlib.import_module(f"callbacks.{page.slug}").register)
