"""Rules of the code layout that keep the core usable without Dash."""

from __future__ import annotations

import subprocess
import sys

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
