"""Settings read from the environment, with paths resolved from the repository root."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def absolute_path(relative: str | os.PathLike) -> Path:
    """Return a path under the repository root, so nothing depends on the working directory."""
    path = Path(relative)
    return path if path.is_absolute() else ROOT / path


def env_flag(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable; "False", "0" and "no" are false (bool("False") is not)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Config:
    """Everything the app needs to know about where it runs."""

    warehouse_path: Path = field(
        default_factory=lambda: absolute_path(os.environ.get("INCLUSION_DB", "data/warehouse.duckdb"))
    )
    suppression_threshold: int = field(default_factory=lambda: int(os.environ.get("SUPPRESSION_THRESHOLD", "4")))
    debug: bool = field(default_factory=lambda: env_flag("DEBUG"))
    port: int = field(default_factory=lambda: int(os.environ.get("PORT", "8050")))
    host: str = field(default_factory=lambda: os.environ.get("HOST", "127.0.0.1"))
    # Where readers report an accessibility problem (the accessibility statement gives it): an email address.
    accessibility_contact: str = field(default_factory=lambda: os.environ.get("ACCESSIBILITY_CONTACT", ""))
    # Who a downloaded workbook's cover says to ask about the figures: an email address or a team's name.
    contact: str = field(default_factory=lambda: os.environ.get("INCLUSION_CONTACT", ""))
