"""Runtime configuration, read from the environment once per process.

| variable | meaning | default |
| --- | --- | --- |
| ``DATABASE_URL`` | any SQLAlchemy URL | SQLite file ``instance/salesradar.sqlite3`` |
| ``SALESRADAR_INSTANCE`` | folder for the default database and generated files | ``./instance`` |
| ``SALESRADAR_AS_OF`` | pretend "today" is this ISO date (demos, screenshots, tests) | the real date |
| ``SALESRADAR_LANG`` | default UI language when the browser says nothing (``zh``/``en``) | ``zh`` |
| ``SALESRADAR_DEBUG`` | ``1`` turns on Dash debug mode | off |
| ``SALESRADAR_SECRET_KEY`` | signs session cookies | generated once into ``<instance>/secret_key`` |
| ``SALESRADAR_SECURE_COOKIES`` | ``1``: cookies only over HTTPS (set it behind TLS) | off |
| ``SALESRADAR_KEEP_RESULTS`` | ``0``: never keep slow aggregates (benchmarks) | on, in ``<instance>/cache`` |
| ``SALESRADAR_CACHE_URL`` | ``redis://host:port/db``: keep them in a Redis that app servers share | none |
| ``SALESRADAR_WARM_UP`` | ``0``: served workers do not draw the director's pages when the data changes | on |
| ``SALESRADAR_MAX_REQUEST_MB`` | the largest request body the server reads (a callback, an upload) | 20 |
| ``SALESRADAR_MAX_UPLOAD_MB`` | the largest import file (an upload travels base64 in a request: 4/3 larger) | 15 |
| ``SALESRADAR_MAX_IMPORT_ROWS`` | rows per sheet an import reads before it refuses the file | 2000000 |
| ``SALESRADAR_MAX_INFLATED_MB`` | what a .zip or .xlsx may inflate to before the import refuses it | 512 |
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent


class ConfigError(ValueError):
    """A configuration value is unusable; the message says which and why."""


@dataclass(frozen=True)
class Limits:
    """How much a request, an upload or an import may hold; beyond it: one clear sentence, nothing written."""

    max_request_bytes: int = 20 * 1024 * 1024
    max_upload_bytes: int = 15 * 1024 * 1024
    max_rows_per_sheet: int = 2_000_000
    max_inflated_bytes: int = 512 * 1024 * 1024

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Limits:
        def number(name: str, default: int, scale: int = 1) -> int:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= 10**9:
                raise ConfigError(f"{name}={raw!r} must be a whole number above 0")
            return int(raw) * scale

        mb = 1024 * 1024
        return cls(
            max_request_bytes=number("SALESRADAR_MAX_REQUEST_MB", cls.max_request_bytes, mb),
            max_upload_bytes=number("SALESRADAR_MAX_UPLOAD_MB", cls.max_upload_bytes, mb),
            max_rows_per_sheet=number("SALESRADAR_MAX_IMPORT_ROWS", cls.max_rows_per_sheet),
            max_inflated_bytes=number("SALESRADAR_MAX_INFLATED_MB", cls.max_inflated_bytes, mb),
        )


@dataclass(frozen=True)
class Config:
    database_url: str
    instance_path: Path
    #: True when the URL is the embedded default (demo data may be seeded into it on first run).
    default_database: bool = True
    as_of: date | None = None
    default_lang: str = "zh"
    debug: bool = False
    secret_key: str | None = None
    secure_cookies: bool = False
    #: keep slow aggregates per data version (``data_access.result_cache``), in ``<instance>/cache`` or Redis
    keep_results: bool = True
    #: a ``redis://`` or ``rediss://`` URL: the kept aggregates live in that Redis, shared by app servers
    cache_url: str | None = None
    #: each served worker draws the director's default pages whenever the data changes (``web.warm``)
    warm_up: bool = True
    #: bounds on what is read (issue 17): request bodies, uploads, rows per sheet, inflated archives
    limits: Limits = field(default_factory=lambda: Limits())
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        env = dict(os.environ if environ is None else environ)
        instance = Path(env.get("SALESRADAR_INSTANCE") or PROJECT_ROOT / "instance").resolve()
        url = env.get("DATABASE_URL", "").strip()
        default_db = not url
        if default_db:
            url = f"sqlite:///{instance / 'salesradar.sqlite3'}"
        as_of_raw = env.get("SALESRADAR_AS_OF", "").strip()
        as_of = None
        if as_of_raw:
            try:
                as_of = date.fromisoformat(as_of_raw)
            except ValueError as exc:
                raise ConfigError(f"SALESRADAR_AS_OF={as_of_raw!r} is not an ISO date (YYYY-MM-DD)") from exc
        lang = env.get("SALESRADAR_LANG", "zh").strip() or "zh"
        if lang not in ("zh", "en"):
            raise ConfigError(f"SALESRADAR_LANG={lang!r} must be 'zh' or 'en'")
        return cls(
            database_url=url,
            instance_path=instance,
            default_database=default_db,
            as_of=as_of,
            default_lang=lang,
            debug=env.get("SALESRADAR_DEBUG", "") in ("1", "true", "yes"),
            secret_key=env.get("SALESRADAR_SECRET_KEY") or None,
            secure_cookies=env.get("SALESRADAR_SECURE_COOKIES", "") in ("1", "true", "yes"),
            keep_results=env.get("SALESRADAR_KEEP_RESULTS", "1") not in ("0", "false", "no"),
            cache_url=redis_url(env.get("SALESRADAR_CACHE_URL", "")),
            warm_up=env.get("SALESRADAR_WARM_UP", "1") not in ("0", "false", "no"),
            limits=Limits.from_env(env),
        )

    def today(self) -> date:
        """The date every "as of today" number uses."""
        return self.as_of or date.today()


def hide_password(url: str) -> str:
    """``scheme://user:***@host/...``: a URL as messages and logs may show it."""
    return re.sub(r"(//[^/@:]*:)[^/@]*@", r"\1***@", url)


def redis_url(raw: str) -> str | None:
    """``SALESRADAR_CACHE_URL``: None when unset, else a Redis URL (``redis://[:password@]host[:port][/db]``,
    ``rediss://`` for TLS, redis-py's options as its query) checked here, so a typo stops the start rather
    than leaving every server to compute alone."""
    url = raw.strip()
    if not url:
        return None
    shown = hide_password(url)
    try:
        parts = urlsplit(url)
        usable = (
            parts.scheme in ("redis", "rediss")
            and bool(parts.hostname)
            and parts.port != 0  # .port raises ValueError for a port that is no number or beyond 65535
            and (parts.path in ("", "/") or (parts.path.isascii() and parts.path.removeprefix("/").isdigit()))
            and not parts.fragment
        )
    except ValueError:
        usable = False
    if not usable:
        raise ConfigError(
            f"SALESRADAR_CACHE_URL={shown!r} must be a Redis URL such as redis://host:6379/0 (or rediss:// for TLS)"
        )
    return url


def load_or_create_secret(config: Config) -> str:
    """The session-signing key: from the environment, else a file made once in the instance folder (0600)."""
    if config.secret_key:
        if len(config.secret_key) < 32:
            raise ConfigError("SALESRADAR_SECRET_KEY must be at least 32 characters")
        return config.secret_key
    path = config.instance_path / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    config.instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
