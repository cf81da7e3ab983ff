"""Settings read from the environment, with paths resolved from the repository root."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The most places a map draws at once: a level with more (England's 33,755 small areas) is drawn for one chosen
# locality at a time, and the whole area at the finest level within the limit. A browser redraws about 1,700 places
# in a third of a second and 33,755 in five (docs/performance.md).
MAP_PLACES = 2500
# How much memory a web worker's large look-ups (published cells and rates) may hold together, at most: a borough's,
# county's or region's publication fits whole; England's (8.7 million cells) does not, and each request then reads
# only its own rows (a year, an LA), kept until this is spent, the least recently used dropped first
# (docs/performance.md).
LOOKUP_MB = 768


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
    suppression_threshold: int = field(default_factory=lambda: number_setting("SUPPRESSION_THRESHOLD", 4))
    debug: bool = field(default_factory=lambda: env_flag("DEBUG"))
    port: int = field(default_factory=lambda: number_setting("PORT", 8050))
    host: str = field(default_factory=lambda: os.environ.get("HOST", "127.0.0.1"))
    # Where readers report an accessibility problem (the accessibility statement gives it): an email address.
    accessibility_contact: str = field(default_factory=lambda: os.environ.get("ACCESSIBILITY_CONTACT", ""))
    # Who a downloaded workbook's cover says to ask about the figures: an email address or a team's name.
    contact: str = field(default_factory=lambda: os.environ.get("INCLUSION_CONTACT", ""))
    # Sessions are signed with this key: required wherever people sign in (a random one per process otherwise).
    secret_key: str = field(default_factory=lambda: os.environ.get("INCLUSION_SECRET_KEY", ""))
    # Who may sign in with a password: a CSV of username, role and password hash (python -m web.users add ...).
    users_file: Path | None = field(default_factory=lambda: _optional_path("INCLUSION_USERS"))
    # A real warehouse needs sign-in unless the LA turns it off: the role everyone then gets (viewer or officer).
    open_access: str = field(default_factory=lambda: _open_access(os.environ.get("INCLUSION_OPEN_ACCESS", "")))
    # Minutes without a request after which a reader signs in again; and hours after which they do anyway.
    session_minutes: int = field(default_factory=lambda: number_setting("INCLUSION_SESSION_MINUTES", 60))
    session_hours: int = field(default_factory=lambda: number_setting("INCLUSION_SESSION_HOURS", 12))
    # Wrong passwords in a row before an account is locked, and for how long.
    attempts: int = field(default_factory=lambda: number_setting("INCLUSION_SIGNIN_ATTEMPTS", 5))
    lock_minutes: int = field(default_factory=lambda: number_setting("INCLUSION_LOCK_MINUTES", 15))
    # Served behind TLS: cookies only over HTTPS, and browsers told to keep to HTTPS (HSTS).
    https: bool = field(default_factory=lambda: env_flag("INCLUSION_HTTPS"))
    # The council's OpenID Connect single sign-on, optional: its discovery address, this app's client, and which
    # claim holds the groups that map to roles ("Inclusion Board=viewer,Inclusion Officers=officer").
    oidc_metadata_url: str = field(default_factory=lambda: os.environ.get("INCLUSION_OIDC_METADATA_URL", ""))
    oidc_client_id: str = field(default_factory=lambda: os.environ.get("INCLUSION_OIDC_CLIENT_ID", ""))
    oidc_client_secret: str = field(default_factory=lambda: os.environ.get("INCLUSION_OIDC_CLIENT_SECRET", ""))
    oidc_role_claim: str = field(default_factory=lambda: os.environ.get("INCLUSION_OIDC_ROLE_CLAIM", "roles"))
    oidc_roles: str = field(default_factory=lambda: os.environ.get("INCLUSION_OIDC_ROLES", ""))
    # Rate limits (flask-limiter's notation) per address, and where their counts are kept: memory:// is per worker
    # process; a shared store (redis://...) makes them hold across workers.
    signin_limit: str = field(default_factory=lambda: os.environ.get("INCLUSION_SIGNIN_LIMIT", "10 per minute"))
    export_limit: str = field(default_factory=lambda: os.environ.get("INCLUSION_EXPORT_LIMIT", "60 per minute"))
    limits_storage: str = field(default_factory=lambda: os.environ.get("INCLUSION_LIMITS_STORAGE", "memory://"))
    # The longest one image export may take before its reader is told to try again; others never wait longer.
    export_seconds: float = field(default_factory=lambda: number_setting("INCLUSION_EXPORT_SECONDS", 45.0, float))
    # Protection at load: a dask scheduler's address (tcp://host:8786) runs it on that cluster; otherwise a LocalCluster
    # of this many worker processes (0: one per core). A load of fewer fact rows than protect_in_process runs in the
    # loading process, where starting workers would cost more than they save.
    dask_scheduler: str = field(default_factory=lambda: os.environ.get("INCLUSION_DASK_SCHEDULER", ""))
    protect_workers: int = field(default_factory=lambda: number_setting("INCLUSION_PROTECT_WORKERS", 0))
    protect_in_process: int = field(default_factory=lambda: number_setting("INCLUSION_PROTECT_IN_PROCESS", 1000000))
    # A system of more cells than this is protected locality by locality first, then jointly where the localities
    # meet (dashboard/domain/blocks.py): a county's hardest year in an eighth of the time; a borough's is faster whole.
    protect_blocks_above: int = field(default_factory=lambda: number_setting("INCLUSION_PROTECT_BLOCKS_ABOVE", 20000))
    # The most places a map draws at once (MAP_PLACES).
    map_places: int = field(default_factory=lambda: number_setting("INCLUSION_MAP_PLACES", MAP_PLACES))
    # The memory a web worker's large look-ups may hold, in MB (LOOKUP_MB).
    lookup_mb: int = field(default_factory=lambda: number_setting("INCLUSION_LOOKUP_MB", LOOKUP_MB))


class SettingError(ValueError):
    """A setting in the environment that is not a number where one is needed; the sentence names it."""


def number_setting(name: str, default: float, kind: type = int):
    """The number an environment setting holds, or its default when unset; a clear error naming it otherwise."""
    value = os.environ.get(name, "").strip()
    if not value:
        return kind(default)
    try:
        return kind(value)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise SettingError(f"{name} must be {what}, such as {kind(default)}; it is set to {value!r}.") from None


def _optional_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return absolute_path(value) if value else None


def _open_access(value: str) -> str:
    """'viewer' or 'officer' as given; any other yes is the cautious 'viewer'; no or unset is ''."""
    value = value.strip().lower()
    if value in ("viewer", "officer"):
        return value
    return "viewer" if value in {"1", "true", "yes", "on"} else ""
