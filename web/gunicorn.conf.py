"""gunicorn's settings for `make serve`: workers from INCLUSION_WORKERS, debug never on, and a refusal to start where
people would sign in without a secret key to sign their sessions with."""

import os

from dashboard.config import Config, SettingError, number_setting

try:  # a mistyped setting is said once, in a sentence, not as a traceback from every worker
    _config = Config()  # not "config": gunicorn reads every name here as its own setting
    workers = number_setting("INCLUSION_WORKERS", 2)
    threads = number_setting("INCLUSION_THREADS", 4)
    bind = f"{_config.host}:{_config.port}"
except SettingError as exc:
    raise SystemExit(f"The dashboard was not started: {exc}") from None
timeout = 120  # a cold board pack takes seconds; an export never more than its own limit (INCLUSION_EXPORT_SECONDS)
graceful_timeout = 30
# Idle connections are kept longer than a reader (or a proxy) waits between requests: closed after 2 s, gunicorn's
# default, a connection could close just as a browser reused it, and that request failed (measured with locust).
keepalive = 30
limit_request_line = 4094  # an address longer than any page makes is refused before the app sees it
forwarded_allow_ips = os.environ.get("INCLUSION_PROXY_IPS", "127.0.0.1")  # the TLS proxy in front, if any
accesslog = "-"
# The access log says who asked for what and how it went; never a cookie, a form or a body.
access_log_format = '{"time":"%(t)s","ip":"%(h)s","request":"%(m)s %(U)s","status":%(s)s,"bytes":%(B)s,"ms":%(M)s}'
errorlog = "-"


def on_starting(server):
    """Refuse to serve sign-in without a secret key: sessions signed with a random one would not survive a restart
    or be shared between workers."""
    signs_in = os.environ.get("INCLUSION_USERS") or os.environ.get("INCLUSION_OIDC_METADATA_URL")
    if signs_in and len(os.environ.get("INCLUSION_SECRET_KEY", "")) < 32:
        raise SystemExit(
            "INCLUSION_SECRET_KEY must be set (at least 32 characters) to serve sign-in: "
            'python -c "import secrets; print(secrets.token_hex(32))" makes one.'
        )
