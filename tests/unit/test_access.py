"""Who may see what: the roles' rights, how readers are let in, the users file, lock-out and single sign-on roles."""

from __future__ import annotations

import pytest

from dashboard.domain.access import (
    ADMINISTER,
    AGGREGATES,
    CLOSED,
    DEMO,
    NOBODY,
    OPEN,
    SCHOOLS,
    SIGNED_IN,
    Audience,
    admission,
    describe,
    may,
    restricted,
)
from dashboard.domain.filters import FilterState, echoed
from web.auth import Lockout, _local, role_from_claims, sso_roles
from web.users import UsersFile, UsersFileError, read_users, write_user


@pytest.mark.parametrize(
    "role, aggregates, schools, administer",
    [("viewer", True, False, False), ("officer", True, True, False), ("admin", True, True, True)],
)
def test_each_role_holds_the_rights_of_the_ones_before_it(role, aggregates, schools, administer):
    audience = Audience(role, "someone", SIGNED_IN)
    assert (may(audience, AGGREGATES), may(audience, SCHOOLS), may(audience, ADMINISTER)) == (
        aggregates,
        schools,
        administer,
    )


def test_a_reader_who_is_not_signed_in_may_open_nothing():
    assert not any(may(NOBODY, right) for right in (AGGREGATES, SCHOOLS, ADMINISTER))


def test_an_unknown_role_is_refused_when_the_audience_is_made():
    with pytest.raises(ValueError, match="no role 'superuser'"):
        Audience("superuser")


@pytest.mark.parametrize(
    "open_access, sign_in, synthetic, how",
    [
        ("", False, True, DEMO),  # the demo: synthetic data, nobody set up to sign in
        ("", True, True, SIGNED_IN),  # users configured: sign-in even on the demo
        ("", True, False, SIGNED_IN),
        ("", False, False, CLOSED),  # real data and no way to sign in: nobody gets in
        ("viewer", False, False, OPEN),  # the LA turned sign-in off
        ("officer", True, False, OPEN),  # turning it off wins over a users file
    ],
)
def test_how_readers_are_let_in(open_access, sign_in, synthetic, how):
    assert admission(open_access=open_access, sign_in=sign_in, synthetic=synthetic) == how


def test_the_header_says_how_the_reader_was_let_in():
    assert describe(Audience("officer", how=DEMO)) == "Demo: anyone can open it, no sign-in."
    assert describe(Audience("viewer", how=OPEN)).startswith("Open access: sign-in is turned off")
    # The header is read aloud and projected: "an officer", not "a officer" (seen on the region's screen).
    assert describe(Audience("officer", how=OPEN)).endswith("everyone sees what an officer sees.")
    assert describe(Audience("viewer", how=OPEN)).endswith("everyone sees what a board viewer sees.")
    assert describe(Audience("admin", "ana", SIGNED_IN)) == "Signed in as ana (administrator)."


def test_school_points_are_taken_off_the_map_for_a_viewer_with_a_sentence():
    state = FilterState(year="2024/25", schools="show")
    narrowed, said = restricted(Audience("viewer", "v", SIGNED_IN), state)
    assert narrowed.schools == "hide" and said == [
        (
            "School-level figures are for officers only; the whole area, its localities, wards, small areas and "
            "clusters are open to you."
        )
    ]
    assert restricted(Audience("officer", "o", SIGNED_IN), state) == (state, [])


def test_a_value_echoed_back_has_no_control_character_and_a_bounded_length():
    assert echoed("N\x00orth") == "N?orth"
    assert echoed("x" * 1000) == "x" * 39 + "…"
    assert echoed(["a", 1]) == "['a', 1]"


def test_the_users_file_is_read_and_checked(tmp_path):
    path = tmp_path / "users.csv"
    write_user(path, "ana@council.gov.uk", "admin", "a long enough password")
    write_user(path, "bo", "viewer", "another long password")
    users = UsersFile(path)
    assert users.check("ana@council.gov.uk", "a long enough password").role == "admin"
    assert users.check("ana@council.gov.uk", "wrong") is None
    assert users.check("nobody", "a long enough password") is None
    text = path.read_text()
    assert "a long enough password" not in text and text.startswith("username,role,password_hash\n")
    write_user(path, "bo", "officer", "a changed long password")  # a user changed, not added twice
    assert [(u.username, u.role) for u in read_users(path).values()] == [
        ("ana@council.gov.uk", "admin"),
        ("bo", "officer"),
    ]


@pytest.mark.parametrize(
    "content, problem",
    [
        ("name,role\n", "row 1: the header must be username,role,password_hash"),
        ("username,role,password_hash\nana,boss,scrypt:1$x$y\n", "row 2, column role: 'boss' is not a role"),
        ("username,role,password_hash\nana,viewer,hunter2\n", "row 2, column password_hash: this is not a password"),
        ("username,role,password_hash\n,viewer,scrypt:1$x$y\n", "row 2, column username: the username is empty"),
        (
            "username,role,password_hash\nana,viewer,a$b\n\nana,officer,a$b\n",
            "row 4, column username: 'ana' is listed twice",
        ),
        ("username,role,password_hash\nana,viewer\n", "row 2: expected 3 columns, found 2"),
    ],
)
def test_a_bad_users_file_names_its_row_and_column(tmp_path, content, problem):
    path = tmp_path / "users.csv"
    path.write_text(content)
    with pytest.raises(UsersFileError) as raised:
        read_users(path)
    assert str(raised.value) == f"{path}, {problem}" or problem in str(raised.value)
    assert str(raised.value).startswith(str(path))


def test_an_account_locks_after_the_set_number_of_wrong_passwords_and_unlocks_after_the_time():
    now = [1000.0]
    lockout = Lockout(attempts=3, minutes=15, clock=lambda: now[0])
    for _ in range(2):
        lockout.failed("ana")
    assert not lockout.locked("ana")
    lockout.failed("ana")
    assert lockout.locked("ana") and not lockout.locked("bo")
    now[0] += 15 * 60 - 1
    assert lockout.locked("ana")
    now[0] += 2
    assert not lockout.locked("ana")
    lockout.failed("ana")  # a fresh count after the lock ran out
    assert not lockout.locked("ana")


def test_a_right_password_clears_the_count():
    lockout = Lockout(attempts=2, minutes=15)
    lockout.failed("ana")
    lockout.succeeded("ana")
    lockout.failed("ana")
    assert not lockout.locked("ana")


def test_single_sign_on_groups_map_to_the_highest_role_they_give():
    roles = sso_roles("Inclusion Board=viewer, Inclusion Officers=officer,Data Team=admin")
    assert roles == {"Inclusion Board": "viewer", "Inclusion Officers": "officer", "Data Team": "admin"}
    assert role_from_claims({"roles": ["Inclusion Board", "Data Team"]}, "roles", roles) == "admin"
    assert role_from_claims({"groups": "Inclusion Officers"}, "groups", roles) == "officer"
    assert role_from_claims({"roles": ["Finance"]}, "roles", roles) is None
    assert role_from_claims({}, "roles", roles) is None
    with pytest.raises(ValueError, match="'Board=chair' is not group=role"):
        sso_roles("Board=chair")


@pytest.mark.parametrize(
    "target, back_to",
    [
        ("/map?locality=N", "/map?locality=N"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_after_signing_in_a_reader_returns_only_to_a_page_of_this_server(target, back_to):
    assert _local(target) == back_to


def test_a_users_file_that_cannot_be_read_says_so(tmp_path):
    with pytest.raises(UsersFileError, match="cannot be read"):
        read_users(tmp_path / "missing.csv")
