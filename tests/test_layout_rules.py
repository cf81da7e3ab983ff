"""Rules of the code layout that keep the core usable without Dash."""
from __future__ import annotations

import subprocess
import sys

from dashboard.config import ROOT


def test_the_core_imports_no_dash():
    modules = sorted(p.stem for p in (ROOT / "dashboard").glob("*.py") if p.stem != "__init__")
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module('dashboard.' + name)\n"
        "print(sorted(m for m in sys.modules if m == 'dash' or m.startswith('dash.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"
    assert len(modules) >= 10
