"""Where the database is and how to reach it: --db, CASETUI_DATABASE_URL, a profile, or the
SQLite file in the user data directory. PostgreSQL passwords come from the system keyring,
never from the config file.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from casetui.domain.errors import ConfigError
from casetui.domain.storable import printable, unstorable

APP_NAME = "casetui"
KEYRING_SERVICE = "casetui"
ENV_URL = "CASETUI_DATABASE_URL"
ENV_DB_PASSWORD = "CASETUI_DB_PASSWORD"
ENV_PASSWORD = "CASETUI_PASSWORD"
ENV_SMTP_PASSWORD = "CASETUI_SMTP_PASSWORD"


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False))


def default_sqlite_url() -> str:
    return f"sqlite:///{data_dir() / 'casetui.db'}"


def profiles_file() -> Path:
    return config_dir() / "profiles.toml"


@dataclass(frozen=True)
class Profile:
    name: str
    url: str
    user: str | None = None


@dataclass(frozen=True)
class Connection:
    url: str
    profile: str | None = None
    default_user: str | None = None
    source: str = "default"

    @property
    def keyring_key(self) -> str:
        return self.profile or _url_without_password(self.url)


def _url_without_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def load_profiles(path: Path | None = None) -> dict[str, Profile]:
    path = path or profiles_file()
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"could not read {path}: {exc}") from exc
    out: dict[str, Profile] = {}
    for name, body in (data.get("profiles") or {}).items():
        if not isinstance(body, dict) or "url" not in body:
            raise ConfigError(f"profile {name!r} in {path} has no url")
        out[name] = Profile(name=name, url=str(body["url"]), user=body.get("user"))
    return out


def save_profile(profile: Profile, path: Path | None = None) -> Path:
    """Add or replace one profile; a URL with a password in it is refused."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    for what, value in (("name", profile.name), ("url", profile.url), ("user", profile.user)):
        problem = unstorable(value or "")
        if problem:
            raise ConfigError(f"profile {what}: {problem}")
    try:
        password = make_url(profile.url).password
    except (ArgumentError, ValueError):
        raise ConfigError(
            f"profile url: {printable(profile.url[:80])!r} is not a database URL"
        ) from None
    if password:
        raise ConfigError("keep the password out of the profile: it goes to the system keyring")
    path = path or profiles_file()
    profiles = load_profiles(path)
    profiles[profile.name] = profile
    lines = []
    for item in profiles.values():
        lines.append(f"[profiles.{_toml_key(item.name)}]")
        lines.append(f"url = {_toml_str(item.url)}")
        if item.user:
            lines.append(f"user = {_toml_str(item.user)}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _toml_char(ch: str) -> str:
    if ch in '"\\':
        return "\\" + ch
    if ch.isprintable():
        return ch
    # Controls must be escaped in a TOML string; anything else unprintable is escaped too.
    return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"


def _toml_str(value: str) -> str:
    return '"' + "".join(_toml_char(ch) for ch in value) + '"'


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(value: str) -> str:
    return value if _BARE_KEY.fullmatch(value) else _toml_str(value)


def resolve(db: str | None, profile: str | None, env: dict[str, str] | None = None) -> Connection:
    """--db wins, then --profile, then CASETUI_DATABASE_URL, then the local SQLite file."""
    env = dict(os.environ) if env is None else env
    if db:
        return Connection(url=_normalise(db), source="--db")
    if profile:
        profiles = load_profiles()
        if profile not in profiles:
            known = ", ".join(sorted(profiles)) or "none yet"
            raise ConfigError(f"no profile {profile!r} in {profiles_file()} (known: {known})")
        found = profiles[profile]
        return Connection(
            url=_normalise(found.url), profile=profile, default_user=found.user, source="profile"
        )
    if env.get(ENV_URL):
        return Connection(url=_normalise(env[ENV_URL]), source=ENV_URL)
    return Connection(url=default_sqlite_url(), source="default")


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def _normalise(url: str) -> str:
    """A bare file path means a SQLite file."""
    problem = unstorable(url)
    if problem:  # undecodable bytes in a path or URL: no driver could open it
        raise ConfigError(f"database location: {problem}")
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    backend = url.split("://", 1)[0].split("+", 1)[0].lower()
    if backend not in SUPPORTED_BACKENDS:
        hint = " (write postgresql://)" if backend == "postgres" else ""
        raise ConfigError(
            f"database location: casetui works with SQLite files and PostgreSQL, not "
            f"{printable(backend[:40])!r}{hint}; give a file path, sqlite:///PATH or "
            "postgresql://USER@HOST/DATABASE"
        )
    return url


def keyring_available() -> bool:
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # noqa: BLE001 - any import failure means "no keyring here"
        return False
    try:
        return not isinstance(keyring.get_keyring(), fail.Keyring)
    except Exception:  # noqa: BLE001
        return False


def database_password(conn: Connection, *, interactive: bool | None = None) -> str | None:
    """The PostgreSQL password: keyring, else CASETUI_DB_PASSWORD, else a prompt; None for SQLite."""
    from sqlalchemy.engine import make_url

    url = make_url(conn.url)
    if url.get_backend_name() == "sqlite" or url.password:
        return None
    if keyring_available():
        import keyring

        try:
            stored = keyring.get_password(KEYRING_SERVICE, conn.keyring_key)
        except Exception:  # noqa: BLE001 - a locked or broken keyring falls back like a missing one
            stored = None
        if stored:
            return stored
    if os.environ.get(ENV_DB_PASSWORD):
        return os.environ[ENV_DB_PASSWORD]
    interactive = sys.stdin.isatty() if interactive is None else interactive
    if interactive:
        import getpass

        if not keyring_available():
            print(
                f"casetui: no system keyring here; set {ENV_DB_PASSWORD} to skip this question",
                file=sys.stderr,
            )
        return getpass.getpass(f"Database password for {conn.keyring_key}: ") or None
    return None  # the server says so, if it wanted one


def store_database_password(conn: Connection, password: str) -> bool:
    if not keyring_available():
        return False
    import keyring

    keyring.set_password(KEYRING_SERVICE, conn.keyring_key, password)
    return True


def smtp_keyring_key(host: str, username: str) -> str:
    """Where the mail server's password is kept in the keyring: one per server and account."""
    return f"smtp:{username}@{host}"


def smtp_password(host: str, username: str) -> str | None:
    """The mail server's password for the reminder sender: CASETUI_SMTP_PASSWORD when set
    (what a cron job without a keyring uses), else the system keyring; None when neither."""
    if os.environ.get(ENV_SMTP_PASSWORD):
        return os.environ[ENV_SMTP_PASSWORD]
    if not keyring_available():
        return None
    import keyring

    try:
        return keyring.get_password(KEYRING_SERVICE, smtp_keyring_key(host, username))
    except Exception:  # noqa: BLE001 - a locked or broken keyring counts as none
        return None


def store_smtp_password(host: str, username: str, password: str) -> bool:
    """Keep the mail server's password in the system keyring; False when there is none."""
    if not keyring_available():
        return False
    import keyring

    keyring.set_password(KEYRING_SERVICE, smtp_keyring_key(host, username), password)
    return True
