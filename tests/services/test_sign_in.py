"""Signing in: passwords, the same answer for unknown users, slowing guessers, the OS user."""

from __future__ import annotations

import statistics
import time

import pytest

from casetui.db.uow import Database
from casetui.domain.errors import SignInFailed
from casetui.services import auth
from casetui.services import staff as staff_service
from casetui.services.passwords import SCRYPT_N

from .conftest import World, make_world

PASSWORD = "correct horse battery"


@pytest.fixture
def pat(world: World) -> World:
    """Pat, a caseworker with a password."""
    world.run(
        staff_service.create_staff,
        world.admin,
        staff_service.StaffInput("pat", "Pat", team="North", password=PASSWORD),
    )
    return world


def _failed(world: World, username: str) -> int:
    return world.staff_row(username).failed_sign_ins


def test_correct_password_signs_in(pat: World) -> None:
    actor = auth.sign_in(pat.db, "pat", PASSWORD)
    assert (actor.username, actor.role.value) == ("pat", "caseworker")
    event = pat.audit_events()[-1]
    assert (event.action, event.actor_username) == ("sign_in", "pat")


def test_wrong_password_and_unknown_user_get_the_same_answer(pat: World) -> None:
    with pytest.raises(SignInFailed) as wrong:
        auth.sign_in(pat.db, "pat", "wrong horse")
    with pytest.raises(SignInFailed) as unknown:
        auth.sign_in(pat.db, "nobody", PASSWORD)
    assert str(wrong.value) == str(unknown.value)
    assert type(wrong.value) is type(unknown.value)
    assert [e.action for e in pat.audit_events()[-2:]] == ["sign_in.failed", "sign_in.failed"]


@pytest.mark.parametrize(
    ("username", "password"),
    [("pat", PASSWORD), ("pat", "wrong horse"), ("nobody", PASSWORD)],
    ids=["right", "wrong", "unknown name"],
)
def test_the_password_is_checked_with_no_transaction_open(
    pat: World, monkeypatch: pytest.MonkeyPatch, username: str, password: str
) -> None:
    """The hash work (about 50 ms) holds no connection: on SQLite a writing transaction would
    keep every other writer waiting for it."""
    held: list[int] = []
    checking = auth.verify_password

    def noting(*args: object) -> bool:
        held.append(pat.db.engine.pool.checkedout())
        return checking(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(auth, "verify_password", noting)
    try:
        auth.sign_in(pat.db, username, password)
    except SignInFailed:
        assert password != PASSWORD or username == "nobody"
    assert held == [0]


def test_failed_sign_ins_are_counted_and_reset_by_a_good_one(
    pat: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "_sleep", lambda seconds: None)
    for expected in (1, 2):
        with pytest.raises(SignInFailed):
            auth.sign_in(pat.db, "pat", "wrong horse")
        assert _failed(pat, "pat") == expected
    auth.sign_in(pat.db, "pat", PASSWORD)
    assert _failed(pat, "pat") == 0


def test_after_five_failures_each_attempt_waits_longer(
    pat: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[tuple[int, float]] = []
    attempt = 0
    monkeypatch.setattr(auth, "_sleep", lambda seconds: waits.append((attempt, seconds)))
    for attempt in range(1, 9):  # noqa: B007 - read by the fake sleep
        with pytest.raises(SignInFailed):
            auth.sign_in(pat.db, "pat", "wrong horse")
    delays = [(n, s) for n, s in waits if s > 0]
    assert [n for n, _ in delays] == [6, 7, 8]
    seconds = [s for _, s in delays]
    assert seconds == sorted(seconds) and len(set(seconds)) == 3
    assert _failed(pat, "pat") == 8


def test_password_hash_never_reaches_the_audit_trail(
    pat: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "_sleep", lambda seconds: None)
    first_hash = pat.staff_row("pat").password_hash
    pat.run(staff_service.set_password, pat.admin, "pat", "another horse")
    second_hash = pat.staff_row("pat").password_hash
    auth.sign_in(pat.db, "pat", "another horse")
    with pytest.raises(SignInFailed):
        auth.sign_in(pat.db, "pat", PASSWORD)
    trail = " ".join(f"{e.before} {e.after}" for e in pat.audit_events())
    assert first_hash and second_hash and first_hash != second_hash
    for secret in (first_hash, second_hash, PASSWORD, "another horse", "scrypt$"):
        assert secret not in trail
    assert "password_hash" not in trail


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgres"], indirect=True)
def test_account_without_password_cannot_sign_in_on_postgres(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "os_username", lambda: "ana")  # even as the matching OS user
    for password in (None, "", "anything"):
        with pytest.raises(SignInFailed):
            auth.sign_in(world.db, "ana", password)
        with pytest.raises(SignInFailed):
            auth.sign_in(world.db, None, password)


@pytest.fixture
def local_world(sqlite_db: Database, clock: object) -> World:
    return make_world(sqlite_db, clock)


def test_os_user_signs_in_without_password_on_own_sqlite_file(
    local_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "os_username", lambda: "ana")
    assert auth.local_file_owned_by_me(local_world.db.sqlite_file)
    assert auth.sign_in(local_world.db, None, None).username == "ana"
    assert auth.sign_in(local_world.db, "ana", None).username == "ana"
    event = local_world.audit_events()[-1]
    assert (event.action, event.actor_username, event.after) == (
        "sign_in",
        "ana",
        '{"method":"os_user"}',
    )


def test_only_the_matching_os_user_skips_the_password(
    local_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "os_username", lambda: "ana")
    with pytest.raises(SignInFailed):
        auth.sign_in(local_world.db, "ben", None)
    with pytest.raises(SignInFailed):
        auth.sign_in(local_world.db, "ben", "anything")


def test_os_user_needs_a_password_on_a_file_owned_by_someone_else(
    local_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "os_username", lambda: "ana")
    monkeypatch.setattr(auth, "local_file_owned_by_me", lambda path: False)
    with pytest.raises(SignInFailed):
        auth.sign_in(local_world.db, "ana", None)


def _waits(world: World, monkeypatch: pytest.MonkeyPatch, username: str, tries: int) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(auth, "_sleep", waits.append)
    for _ in range(tries):
        with pytest.raises(SignInFailed):
            auth.sign_in(world.db, username, "wrong horse")
    return waits


def test_unknown_names_wait_as_long_as_wrong_passwords(
    pat: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff_before = len(pat.dump()["staff"])
    known = _waits(pat, monkeypatch, "pat", 8)
    unknown = _waits(pat, monkeypatch, "nobody", 8)
    assert known == unknown == [0, 0, 0, 0, 0, 1, 2, 4]
    assert _waits(pat, monkeypatch, "somebody-else", 1) == [0]  # counted per name
    assert len(pat.dump()["staff"]) == staff_before  # no account made for a guessed name
    failed = [e for e in pat.audit_events() if e.action == "sign_in.failed"]
    assert [e.actor_username for e in failed].count("nobody") == 8


def test_rejecting_an_unknown_name_takes_as_long_as_a_wrong_password(
    pat: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Measured with the real scrypt cost: timing must not tell a guesser which names exist."""
    assert (pat.staff_row("pat").password_hash or "").startswith(f"scrypt${SCRYPT_N}$")
    monkeypatch.setattr(auth, "_sleep", lambda seconds: None)
    took: dict[str, list[float]] = {"pat": [], "nobody": []}
    for _ in range(7):
        for name, times in took.items():  # interleaved, so load on the machine hits both alike
            started = time.perf_counter()
            with pytest.raises(SignInFailed):
                auth.sign_in(pat.db, name, "wrong horse")
            times.append(time.perf_counter() - started)
    ratio = statistics.median(took["nobody"]) / statistics.median(took["pat"])
    assert 0.5 < ratio < 2.0, took
