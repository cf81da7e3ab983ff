"""Sign-in at the web edge: before any route or callback runs, who is asking becomes an Audience in flask.g.

Passwords are checked against the users file's hashes (werkzeug), sessions are Flask-Login's in Flask's signed
cookie, and a council's single sign-on is OpenID Connect through authlib. Nothing here is cryptography of its own.
"""

from __future__ import annotations

import datetime as dt
import html
import secrets
import threading
import time
from collections.abc import Callable
from urllib.parse import urlparse

from flask import Flask, g, jsonify, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from dashboard.config import Config
from dashboard.domain.access import (
    AGGREGATES,
    CLOSED,
    DEMO,
    NOBODY,
    OPEN,
    ROLES,
    SIGNED_IN,
    Audience,
    admission,
    refusal,
)
from web.log import event
from web.pages import form_token, plain_page, token_ok
from web.users import UsersFile, UsersFileError

# Routes anyone may reach: the sign-in pages, the code and styles the pages need (no data), and the health check.
PUBLIC = ("/login", "/logout", "/assets/", "/_dash-component-suites/", "/_favicon.ico", "/healthz")
CLOSED_SENTENCE = (
    "This warehouse holds real data and nobody can sign in yet: set INCLUSION_USERS to a users file (see "
    "docs/security.md), or INCLUSION_OPEN_ACCESS=viewer to open it to everyone who can reach this server."
)
NO_KEY_SENTENCE = "Sign-in is off until this server has a secret key: set INCLUSION_SECRET_KEY (see docs/security.md)."


class Person(UserMixin):
    """A signed-in person as Flask-Login keeps them: an id (a username, or 'sso:' and the council's subject), a
    name to show and a role."""

    def __init__(self, id: str, name: str, role: str):
        self.id, self.name, self.role = id, name, role


class Lockout:
    """Wrong passwords counted per username; after `attempts` in a row the account is locked for `minutes`."""

    def __init__(self, attempts: int, minutes: int, clock: Callable[[], float] = time.monotonic):
        self.attempts, self.seconds, self.clock = attempts, minutes * 60, clock
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def locked(self, username: str) -> bool:
        """Whether the account is locked now."""
        with self._lock:
            count, last = self._failures.get(username, (0, 0.0))
            if count >= self.attempts and self.clock() - last < self.seconds:
                return True
            if count >= self.attempts:
                del self._failures[username]  # the lock has run out: a fresh start
            return False

    def failed(self, username: str) -> None:
        """Count a wrong password."""
        with self._lock:
            count, _ = self._failures.get(username, (0, 0.0))
            self._failures[username] = (count + 1, self.clock())

    def succeeded(self, username: str) -> None:
        """A right password clears the count."""
        with self._lock:
            self._failures.pop(username, None)


def sso_roles(mapping: str) -> dict[str, str]:
    """'Inclusion Board=viewer,Inclusion Officers=officer' as {group: role}; raises ValueError naming a bad pair."""
    roles = {}
    for pair in filter(None, (part.strip() for part in mapping.split(","))):
        group, _, role = pair.rpartition("=")
        if not group or role.strip() not in ROLES:
            raise ValueError(f"INCLUSION_OIDC_ROLES: '{pair}' is not group=role with a role of {', '.join(ROLES)}.")
        roles[group.strip()] = role.strip()
    return roles


def role_from_claims(claims: dict, claim: str, roles: dict[str, str]) -> str | None:
    """The highest role any of the person's groups maps to, or None if none does."""
    groups = claims.get(claim) or []
    groups = [groups] if isinstance(groups, str) else groups
    granted = {roles[group] for group in groups if isinstance(group, str) and group in roles}
    return max(granted, key=ROLES.index) if granted else None


class SignIn:
    """Sign-in for one server: the gate every request passes, the sign-in and sign-out pages, single sign-on."""

    def __init__(self, server: Flask, config: Config, synthetic: Callable[[], bool], limiter):
        self.config, self.synthetic = config, synthetic
        self.users = UsersFile(config.users_file) if config.users_file else None
        self.lockout = Lockout(config.attempts, config.lock_minutes)
        self.has_key = bool(config.secret_key)
        server.secret_key = config.secret_key or secrets.token_hex(32)  # a random key: no session outlives a restart
        server.config.update(
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SAMESITE="Lax",
            SESSION_COOKIE_SECURE=config.https,
            PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=config.session_minutes),
            SESSION_REFRESH_EACH_REQUEST=True,  # the lifetime runs from the last request: an idle timeout
            REMEMBER_COOKIE_DURATION=dt.timedelta(seconds=0),
        )
        self.logins = LoginManager(server)
        self.logins.session_protection = "basic"
        self.logins.user_loader(self._load)
        self.sso = self._single_sign_on(server) if config.oidc_metadata_url else None
        server.before_request(self.admit)
        # Attempts are limited per address (flask-limiter), on top of the lock-out per account.
        limited = limiter.limit(config.signin_limit, methods=["POST"])(self.login_page)
        server.add_url_rule("/login", "login", limited, methods=["GET", "POST"])
        server.add_url_rule("/logout", "logout", self.logout, methods=["POST"])
        if self.sso is not None:
            server.add_url_rule("/login/sso", "sso", self.sso_start)
            server.add_url_rule("/login/sso/callback", "sso_callback", self.sso_finish)

    # Who is asking

    def how(self) -> str:
        """How readers are let in now: the LA's setting first, then whether anyone can sign in, then the data."""
        sign_in = self.users is not None or self.sso is not None
        return admission(open_access=self.config.open_access, sign_in=sign_in, synthetic=self.synthetic())

    def audience(self) -> Audience:
        """The Audience of the current request."""
        how = self.how()
        if how == DEMO:
            return Audience("officer", how=DEMO)
        if how == OPEN:
            return Audience(self.config.open_access, how=OPEN)
        if how == SIGNED_IN and self.has_key and current_user.is_authenticated:
            started = session.get("signed_in_at", 0)
            if time.time() - started <= self.config.session_hours * 3600:
                return Audience(current_user.role, current_user.name, SIGNED_IN)
            event("session expired", user=current_user.name)
            logout_user()
        return NOBODY

    def _load(self, user_id: str) -> Person | None:
        if user_id.startswith("sso:"):
            kept = session.get("sso")
            return Person(user_id, kept["name"], kept["role"]) if kept and kept.get("id") == user_id else None
        try:
            user = self.users.get(user_id) if self.users else None
        except (UsersFileError, OSError):
            return None
        return Person(user.username, user.username, user.role) if user else None

    def admit(self):
        """Before every request: set g.audience; a signed-out reader gets the sign-in page (or 401), never data."""
        g.audience = self.audience()
        if g.audience.role is not None or request.path.startswith(PUBLIC):
            return None
        return self._to_login()

    def _to_login(self):
        if self.how() == CLOSED:
            return plain_page("Sign-in is not set up", CLOSED_SENTENCE, status=503)
        if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
            return redirect(url_for("login", next=_local(request.full_path)))
        return jsonify(status="error", detail=refusal(AGGREGATES)), 401

    # Pages

    def login_page(self):
        """The sign-in form (GET) and its answer (POST)."""
        if self.how() in (DEMO, OPEN):
            return redirect("/")
        if self.how() == CLOSED:
            return plain_page("Sign-in is not set up", CLOSED_SENTENCE, status=503)
        if not self.has_key:
            return plain_page("Sign-in is not set up", NO_KEY_SENTENCE, status=503)
        target = _local(request.values.get("next", "/"))
        if request.method == "GET":
            return self._form(target)
        username = request.form.get("username", "")[:200]
        password = request.form.get("password", "")[:1000]
        if not token_ok():
            return self._form(target, "The form had expired. Please sign in again.", status=400)
        if self.users is None:
            return self._form(target, "Sign in with your council account.", status=400)
        if self.lockout.locked(username):
            event("sign-in refused", user=username, reason="locked")
            return self._form(target, _locked_sentence(self.config), status=429)
        try:
            user = self.users.check(username, password)
        except (UsersFileError, OSError) as exc:
            event("users file unreadable", detail=str(exc))
            return plain_page("Sign-in is not available", str(exc), status=503)
        if user is None:
            self.lockout.failed(username)
            event("sign-in failed", user=username)
            if self.lockout.locked(username):
                return self._form(target, _locked_sentence(self.config), status=429)
            return self._form(target, "That username and password do not match.", status=401)
        self.lockout.succeeded(username)
        self._start(Person(user.username, user.username, user.role))
        event("signed in", user=user.username, role=user.role, via="password")
        return redirect(target)

    def logout(self):
        """Sign out and forget the session."""
        name = current_user.name if current_user.is_authenticated else ""
        logout_user()
        session.clear()
        if name:
            event("signed out", user=name)
        return plain_page("Signed out", "You have signed out.", link=("/login", "Sign in again"))

    def _start(self, person: Person) -> None:
        session.clear()  # a new session on every sign-in, so nothing from before it carries over
        session.permanent = True
        session["signed_in_at"] = time.time()
        login_user(person, remember=False)

    def _form(self, target: str, problem: str = "", status: int = 200):
        token = form_token()
        sso = (
            f'<p class="mt-4"><a class="btn btn-outline-primary" href="{url_for("sso", next=target)}">'
            "Sign in with your council account</a></p>"
            if self.sso is not None
            else ""
        )
        error = (
            f'<div class="alert alert-danger" role="alert" id="sign-in-problem">{html.escape(problem)}</div>'
            if problem
            else ""
        )
        password_form = (
            f"""<form method="post" action="{url_for("login")}" class="sign-in-form">
  <input type="hidden" name="token" value="{token}">
  <input type="hidden" name="next" value="{html.escape(target)}">
  <div class="mb-3"><label class="form-label" for="username">Username</label>
    <input class="form-control" id="username" name="username" autocomplete="username" required
      {'aria-describedby="sign-in-problem"' if problem else ""}></div>
  <div class="mb-3"><label class="form-label" for="password">Password</label>
    <input class="form-control" id="password" name="password" type="password" autocomplete="current-password"
      required></div>
  <button class="btn btn-primary" type="submit">Sign in</button>
</form>"""
            if self.users is not None
            else ""
        )
        body = f"{error}{password_form}{sso}"
        return plain_page("Sign in", body, status=status, raw=True)

    # Single sign-on

    def _single_sign_on(self, server: Flask):
        from authlib.integrations.flask_client import OAuth

        self.sso_roles = sso_roles(self.config.oidc_roles)
        oauth = OAuth(server)
        return oauth.register(
            "council",
            server_metadata_url=self.config.oidc_metadata_url,
            client_id=self.config.oidc_client_id,
            client_secret=self.config.oidc_client_secret,
            client_kwargs={"scope": "openid profile email"},
        )

    def sso_start(self):
        """Send the reader to the council's sign-in."""
        if not self.has_key:
            return plain_page("Sign-in is not set up", NO_KEY_SENTENCE, status=503)
        session["sso_next"] = _local(request.args.get("next", "/"))
        return self.sso.authorize_redirect(url_for("sso_callback", _external=True))

    def sso_finish(self):
        """The council's answer: a role from the person's groups, or a refusal in words."""
        try:
            token = self.sso.authorize_access_token()
        except Exception as exc:  # noqa: BLE001 - authlib raises several kinds; the reader gets a sentence
            event("sign-in failed", via="sso", reason=type(exc).__name__)
            return plain_page("Sign-in failed", "The council's sign-in did not complete. Please try again.", 400)
        claims = token.get("userinfo") or {}
        role = role_from_claims(claims, self.config.oidc_role_claim, self.sso_roles)
        name = str(claims.get("email") or claims.get("name") or claims.get("sub") or "")[:200]
        if role is None or not claims.get("sub"):
            event("sign-in refused", via="sso", user=name, reason="no role")
            return plain_page(
                "No access", "Your council account has no role for this dashboard; ask its administrator.", 403
            )
        target = session.pop("sso_next", "/")
        person = Person(f"sso:{claims['sub']}", name, role)
        self._start(person)
        session["sso"] = {"id": person.id, "name": name, "role": role}
        event("signed in", user=name, role=role, via="sso")
        return redirect(_local(target))


def _locked_sentence(config: Config) -> str:
    return (
        f"This account is locked for {config.lock_minutes} minutes after {config.attempts} wrong passwords in a row. "
        "Try again later, or ask an administrator."
    )


def _local(target: str) -> str:
    """Only a path on this server is a place to return to after signing in (never another site)."""
    parsed = urlparse(target or "/")
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target.rstrip("?") or "/"
