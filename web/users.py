"""The users file: one CSV row per person (username, role, password hash), read when it changes; and a command to add
or change a user without ever writing a password down: python -m web.users add NAME ROLE."""

from __future__ import annotations

import argparse
import csv
import getpass
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.domain.access import ROLES

COLUMNS = ("username", "role", "password_hash")
# Checked against when the name is unknown, so a wrong name takes as long to refuse as a wrong password.
_NOBODY_HASH = generate_password_hash("no one has this password")


class UsersFileError(ValueError):
    """The users file cannot be read: the sentence names the file, row and column."""


@dataclass(frozen=True)
class User:
    """A person who may sign in with a password."""

    username: str
    role: str
    password_hash: str


def read_users(path: Path) -> dict[str, User]:
    """Every user in the file by username; raises UsersFileError naming the file, row and column of the first
    problem."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsersFileError(f"{path}: the users file cannot be read ({exc}).") from exc
    if not rows or tuple(cell.strip() for cell in rows[0]) != COLUMNS:
        raise UsersFileError(f"{path}, row 1: the header must be {','.join(COLUMNS)}.")
    users: dict[str, User] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            raise UsersFileError(f"{path}, row {number}: expected {len(COLUMNS)} columns, found {len(row)}.")
        username, role, password_hash = (cell.strip() for cell in row)
        if not username:
            raise UsersFileError(f"{path}, row {number}, column username: the username is empty.")
        if username in users:
            raise UsersFileError(f"{path}, row {number}, column username: '{username}' is listed twice.")
        if role not in ROLES:
            raise UsersFileError(
                f"{path}, row {number}, column role: '{role}' is not a role; roles are {', '.join(ROLES)}."
            )
        if "$" not in password_hash:
            raise UsersFileError(
                f"{path}, row {number}, column password_hash: this is not a password hash; add users with "
                "'python -m web.users add NAME ROLE', which never writes the password itself."
            )
        users[username] = User(username, role, password_hash)
    return users


class UsersFile:
    """The users file, read again whenever it changes on disk, so adding a user needs no restart."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._users: dict[str, User] = {}

    def users(self) -> dict[str, User]:
        """The users as the file now lists them."""
        stat = self.path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                self._users, self._stamp = read_users(self.path), stamp
            return self._users

    def get(self, username: str) -> User | None:
        """The user of that name, if listed."""
        return self.users().get(username)

    def check(self, username: str, password: str) -> User | None:
        """The user if the password is theirs; the same work is done for an unknown name."""
        user = self.get(username)
        matches = check_password_hash(user.password_hash if user else _NOBODY_HASH, password)
        return user if user is not None and matches else None


def write_user(path: Path, username: str, role: str, password: str) -> None:
    """Add a user to the file (made if missing) or change their role and password; only the hash is written."""
    if role not in ROLES:
        raise UsersFileError(f"'{role}' is not a role; roles are {', '.join(ROLES)}.")
    if not username or any(not char.isprintable() or char in ",\"'" for char in username):
        raise UsersFileError(f"'{username}' cannot be a username: use letters, digits, dots and @ only.")
    users = read_users(path) if path.exists() else {}
    users[username] = User(username, role, generate_password_hash(password))
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows((u.username, u.role, u.password_hash) for u in users.values())
    os.chmod(temporary, 0o600)  # hashes are still not for everyone to read
    temporary.replace(path)


def main(argv: list[str] | None = None) -> int:
    """python -m web.users add NAME ROLE [--file PATH]: asks for the password twice, writes its hash."""
    parser = argparse.ArgumentParser(prog="python -m web.users", description=__doc__)
    parser.add_argument("command", choices=["add"])
    parser.add_argument("username")
    parser.add_argument("role", choices=ROLES)
    parser.add_argument("--file", type=Path, default=os.environ.get("INCLUSION_USERS"), help="default $INCLUSION_USERS")
    args = parser.parse_args(argv)
    if args.file is None:
        parser.error("name the users file with --file or INCLUSION_USERS")
    # A password piped in (for scripts) or typed twice at a prompt that does not echo it.
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("The two passwords differ; nothing was written.", file=sys.stderr)
            return 1
    if len(password) < 12:
        print("Passwords must have at least 12 characters; nothing was written.", file=sys.stderr)
        return 1
    try:
        write_user(args.file, args.username, args.role, password)
    except UsersFileError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{args.username} can now sign in as {args.role}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
