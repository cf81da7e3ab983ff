"""Debian's Chromium as the benchmarks and browser tests drive it: headless, nothing fetched, no browser of its own."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Headless, and nothing fetched from the network: no updates, no sync, no first-run pages.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# With WebGL drawn in software, for the maps the benchmarks time (no GPU on this machine).
WEBGL_FLAGS = [*FLAGS, "--enable-unsafe-swiftshader"]
