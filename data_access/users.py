"""Users, passwords, lock-out, sessions and API tokens.

Passwords are hashed with scrypt (werkzeug's default KDF, salted). API tokens are 256-bit random
strings shown once; only their SHA-256 is stored, so a stolen database yields no usable token. A sign-in
is a ``UserSession`` row: the cookie carries a 256-bit random id, the row only its SHA-256; sign-out and a
password change revoke rows, so a cookie copied before them stops working.

Lock-out is a throttle on sign-in attempts (``login_throttle``), counted per key in a fixed window of
LOCK_FOR: the name at this address (MAX_FAILURES), the address whatever the names (MAX_ADDRESS_FAILURES)
and the name from anywhere (MAX_NAME_FAILURES). Every attempt is counted in the database, atomically and
committed, before its password is checked; an attempt that takes a key over its limit is refused without
a look at the password. A stranger's wrong passwords thus use up the stranger's budgets (their address,
the name at their address), not the real user's at the user's own address, unless they reach the large
name-wide limit. Known and unknown names are counted alike, and every refusal reads the same.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from data_access.models import ROLES, ApiToken, LoginThrottle, Rep, Setting, User, UserSession
from data_access.scope import Scope

#: failed sign-ins counted per window of LOCK_FOR: one name at one address ...
MAX_FAILURES = 5
#: ... one address, whatever the names (one address spraying many names) ...
MAX_ADDRESS_FAILURES = 20
#: ... and one name from anywhere (a distributed attack still stops)
MAX_NAME_FAILURES = 50
LOCK_FOR = timedelta(minutes=15)
#: the address of an attempt that comes with none (the command line, tests)
NO_ADDRESS = "-"
MIN_PASSWORD = 8
#: a session's life from sign-in; the Flask cookie's PERMANENT_SESSION_LIFETIME (web/auth.py) is the same
SESSION_LIFETIME = timedelta(hours=12)
TOKEN_PREFIX = "sr_"
#: verified against when the username is unknown or the attempt is throttled, so every path costs one scrypt
_DUMMY_HASH = generate_password_hash("never-a-password")


class UserError(ValueError):
    """A user-management request that cannot be done; the message says why."""


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Viewer:
    """Who is asking, resolved once per request; ``scope`` is what every query filters by."""

    user_id: int
    username: str
    role: str
    rep_id: int | None
    rep_code: str | None
    team_id: int | None

    @property
    def scope(self) -> Scope:
        if self.role == "director":
            return Scope.everything()
        if self.role == "manager":
            return Scope.team(self.team_id) if self.team_id is not None else Scope.nothing()
        return Scope.rep(self.rep_id) if self.rep_id is not None else Scope.nothing()


def viewer_for(session: Session, user: User) -> Viewer:
    rep = session.get(Rep, user.rep_id) if user.rep_id is not None else None
    return Viewer(
        user_id=user.id,
        username=user.username,
        role=user.role,
        rep_id=rep.id if rep else None,
        rep_code=rep.rep_code if rep else None,
        team_id=rep.team_id if rep else None,
    )


def _check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")


def create_user(session: Session, username: str, password: str, role: str, rep_code: str | None = None) -> User:
    username = username.strip()
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        raise UserError("the username must be 1-100 characters without spaces")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if session.scalar(select(User.id).where(func.lower(User.username) == username.lower())) is not None:
        raise UserError(f"user {username!r} already exists")
    rep_id = None
    if rep_code:
        rep_id = session.scalar(select(Rep.id).where(Rep.rep_code == rep_code))
        if rep_id is None:
            raise UserError(f"no rep with code {rep_code!r}")
    elif role in ("rep", "manager"):
        raise UserError(f"a {role} must be tied to a rep code (--rep)")
    _check_password_rules(password)
    user = User(
        username=username,
        password_hash=generate_password_hash(password),
        role=role,
        rep_id=rep_id,
        active=True,
        failed_logins=0,
        session_version=1,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        raise UserError(f"no user {username!r}")
    return user


#: The ``settings`` row naming the users the demo made whose demo passwords still hold (``salesradar demo``)
DEMO_SIGN_INS = "demo_sign_ins"


def mark_demo_sign_ins(session: Session, usernames: list[str]) -> None:
    """Record that these users were made with the demo's published passwords (the demo database only)."""
    row = session.get(Setting, DEMO_SIGN_INS)
    if row is None:
        session.add(Setting(key=DEMO_SIGN_INS, value=list(usernames)))
    else:
        row.value = list(usernames)


def demo_sign_ins(session: Session) -> list[str]:
    """The demo's users that still sign in with the demo's passwords and are active (none on a database the
    demo did not make, and none once their passwords changed): the sign-in page lists them."""
    row = session.get(Setting, DEMO_SIGN_INS)
    names = [str(n) for n in row.value] if row is not None and isinstance(row.value, list) else []
    if not names:
        return []
    active = set(session.scalars(select(User.username).where(User.username.in_(names), User.active.is_(True))))
    return [n for n in names if n in active]


def set_password(session: Session, username: str, password: str) -> User:
    """New password; lifts the lock-out of the name (its throttle rows go, at every address) and ends every
    session of the user (their rows are revoked). The caller commits."""
    user = get_user(session, username)
    _check_password_rules(password)
    user.password_hash = generate_password_hash(password)
    user.session_version += 1
    demo = session.get(Setting, DEMO_SIGN_INS)
    if demo is not None and isinstance(demo.value, list) and user.username in demo.value:
        demo.value = [n for n in demo.value if n != user.username]  # its published password no longer holds
    _unlock(session, user.username)
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return user


# Throttle keys. The name part is the SHA-256 (hex) of the normalised name: fixed length and hex only, so
# "every key of this name" is an exact prefix (no LIKE wildcard, no "|" can hide in it), and what strangers
# type as a name (now and then a password) is never stored in clear.
_NAME = "name:"  # + name hash
_NAME_AT = "name@addr:"  # + name hash + "|" + address
_ADDRESS = "addr:"  # + address


def _normal_name(username: str) -> str:
    return username.strip().lower()


def _name_hash(username: str) -> str:
    return hashlib.sha256(_normal_name(username).encode()).hexdigest()


@dataclass(frozen=True)
class _Keys:
    """The three keys one attempt is counted under."""

    name: str
    name_at_address: str
    address: str

    @classmethod
    def of(cls, username: str, address: str | None) -> _Keys:
        name, where = _name_hash(username), (address or NO_ADDRESS)[:100]
        return cls(f"{_NAME}{name}", f"{_NAME_AT}{name}|{where}", f"{_ADDRESS}{where}")

    def limits(self) -> dict[str, int]:
        """Each key with its limit, in key order (every writer touches rows in this order: no deadlock)."""
        by_key = {
            self.name: MAX_NAME_FAILURES,
            self.name_at_address: MAX_FAILURES,
            self.address: MAX_ADDRESS_FAILURES,
        }
        return dict(sorted(by_key.items()))


def _engine_of(session: Session) -> Engine:
    """The engine behind ``session``: the throttle writes on a connection of its own, in its own transaction."""
    return session.get_bind().engine


def _count_attempt(engine: Engine, keys: _Keys, now: datetime) -> bool:
    """Count one attempt under each key and commit, before any password is checked; True when one of the keys
    is now over its limit (the attempt must be refused unchecked).

    One ``INSERT ... ON CONFLICT (key) DO UPDATE ... RETURNING failures``: a row whose window has passed
    starts again at 1, otherwise it goes up by one. The database serialises the increments, so attempts
    running in parallel each see the others' counts (a read-then-write in Python did not).
    """
    dialect = engine.dialect.name
    if dialect == "postgresql":
        insert = postgresql.insert
    elif dialect == "sqlite":
        insert = sqlite.insert  # type: ignore[assignment]
    else:
        raise NotImplementedError(f"the sign-in throttle needs PostgreSQL or SQLite, not {dialect}")
    limits = keys.limits()
    expired = LoginThrottle.window_start < now - LOCK_FOR
    stmt = insert(LoginThrottle).values([{"key": key, "failures": 1, "window_start": now} for key in limits])
    stmt = stmt.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={
            "failures": case((expired, 1), else_=LoginThrottle.failures + 1),
            "window_start": case((expired, now), else_=LoginThrottle.window_start),
        },
    )
    with engine.begin() as conn:
        counts = {key: n for key, n in conn.execute(stmt.returning(LoginThrottle.key, LoginThrottle.failures))}
    return any(counts[key] > limit for key, limit in limits.items())


def _forget_failures(engine: Engine, keys: _Keys, now: datetime) -> None:
    """After a successful sign-in: the name's counts go (at this address and name-wide); the address keeps
    its failures (this attempt's own count is taken back), so signing in to one's own account between
    guesses buys an address no new guesses. Rows whose window has passed are pruned on the way."""
    with engine.begin() as conn:
        for key in keys.limits():  # key order, as the count takes them
            if key == keys.address:
                conn.execute(
                    update(LoginThrottle)
                    .where(LoginThrottle.key == key, LoginThrottle.failures > 0)
                    .values(failures=LoginThrottle.failures - 1)
                )
            else:
                conn.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
    stale = (
        select(LoginThrottle.key)
        .where(LoginThrottle.window_start < now - LOCK_FOR)
        .limit(1000)
        .with_for_update(skip_locked=True)  # PostgreSQL: never wait on (or deadlock with) a live count
    )
    with engine.begin() as conn:
        conn.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(stale.scalar_subquery())))


def _locked_name_hashes(session: Session, now: datetime) -> set[str]:
    """The name hashes with a key at or over its limit in the current window (their next attempt is refused
    somewhere: at one address, or everywhere)."""
    keys = session.scalars(
        select(LoginThrottle.key).where(
            LoginThrottle.window_start >= now - LOCK_FOR,
            or_(
                and_(LoginThrottle.key.startswith(_NAME), LoginThrottle.failures >= MAX_NAME_FAILURES),
                and_(LoginThrottle.key.startswith(_NAME_AT), LoginThrottle.failures >= MAX_FAILURES),
            ),
        )
    )
    return {key.split(":", 1)[1][:64] for key in keys}


def _unlock(session: Session, username: str) -> None:
    """Drop the name's throttle rows (name-wide and at every address); addresses keep theirs."""
    name = _name_hash(username)
    session.execute(
        delete(LoginThrottle).where(
            or_(
                LoginThrottle.key == f"{_NAME}{name}",
                LoginThrottle.key.startswith(f"{_NAME_AT}{name}|", autoescape=True),
            )
        )
    )


@dataclass(frozen=True)
class LoginResult:
    """``user`` when the sign-in succeeded. ``throttled``: refused without a look at the password because a key
    was over its limit; for tests and logs only, the person signing in is told exactly what a wrong password
    gets."""

    user: User | None
    throttled: bool = False


def authenticate(
    session: Session, username: str, password: str, address: str | None = None, now: datetime | None = None
) -> LoginResult:
    """Sign-in by name and password from ``address`` (the client's IP; None: NO_ADDRESS).

    The attempt is counted first (committed on a connection of its own, see ``_count_attempt``); when a key
    is over its limit the password is not checked. Unknown names are counted like known ones (by the
    normalised name), and every refusal (wrong password, unknown name, throttled, inactive user) costs one
    scrypt and returns ``user=None``. A success clears the name's counts. Nothing is left for the caller to
    commit.
    """
    now = now or utcnow()
    engine = _engine_of(session)
    keys = _Keys.of(username, address)
    if _count_attempt(engine, keys, now):
        check_password_hash(_DUMMY_HASH, password)
        return LoginResult(None, throttled=True)
    user = session.scalar(select(User).where(func.lower(User.username) == _normal_name(username)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return LoginResult(None)
    if not check_password_hash(user.password_hash, password) or not user.active:
        return LoginResult(None)
    _forget_failures(engine, keys, now)
    return LoginResult(user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, now: datetime | None = None) -> str:
    """A new sign-in of ``user``: its row (SESSION_LIFETIME long) and the secret id for the cookie.

    Only the id's SHA-256 is stored. The user's rows that have expired are dropped on the way (they can never
    count again), so the table holds about one row per sign-in of the last SESSION_LIFETIME. The caller commits.
    """
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    session.execute(delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now))
    session.add(
        UserSession(token_hash=_token_hash(secret), user_id=user.id, created_at=now, expires_at=now + SESSION_LIFETIME)
    )
    session.flush()
    return secret


def end_session(session: Session, secret: str) -> None:
    """Sign-out: the session's row is revoked, so a copy of the cookie kept from before stops working."""
    session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _token_hash(secret), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def viewer_for_session(
    session: Session, secret: str, user_id: int, version: int, now: datetime | None = None
) -> Viewer | None:
    """The viewer of a session cookie, in one query: its id must name a row that is neither revoked nor
    expired and belongs to ``user_id``, whose user is active and still at ``version`` (a password change
    bumps it). None otherwise."""
    now = now or utcnow()
    row = session.execute(
        select(User.id, User.username, User.role, Rep.id, Rep.rep_code, Rep.team_id)
        .select_from(UserSession)
        .join(User, User.id == UserSession.user_id)
        .outerjoin(Rep, Rep.id == User.rep_id)
        .where(
            UserSession.token_hash == _token_hash(secret),
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
            User.active.is_(True),
            User.session_version == version,
        )
    ).first()
    if row is None:
        return None
    uid, username, role, rep_id, rep_code, team_id = row
    return Viewer(user_id=uid, username=username, role=role, rep_id=rep_id, rep_code=rep_code, team_id=team_id)


def create_token(session: Session, username: str, label: str | None = None) -> tuple[ApiToken, str]:
    """A new API token for the user: the row and the secret (shown once, never stored)."""
    user = get_user(session, username)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_token_hash(secret), label=label, created_at=utcnow())
    session.add(row)
    session.flush()
    return row, secret


def revoke_tokens(session: Session, username: str, token_id: int | None = None) -> int:
    """Revoke one token (by id) or all of the user's live tokens; returns how many."""
    user = get_user(session, username)
    stmt = update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if token_id is not None:
        stmt = stmt.where(ApiToken.id == token_id)
    return int(session.execute(stmt.values(revoked_at=utcnow())).rowcount or 0)  # type: ignore[attr-defined]


def user_for_token(session: Session, secret: str) -> User | None:
    """The active user owning a live token, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(secret)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = utcnow()
    return user


def list_users(session: Session) -> list[dict[str, object]]:
    live = (
        select(ApiToken.user_id, func.count().label("n"))
        .where(ApiToken.revoked_at.is_(None))
        .group_by(ApiToken.user_id)
        .subquery()
    )
    rows = session.execute(
        select(User.username, User.role, Rep.rep_code, User.active, func.coalesce(live.c.n, 0))
        .outerjoin(Rep, Rep.id == User.rep_id)
        .outerjoin(live, live.c.user_id == User.id)
        .order_by(User.username)
    )
    locked = _locked_name_hashes(session, utcnow())
    return [
        {
            "username": u,
            "role": role,
            "rep": rep,
            "active": bool(active),
            "locked": _name_hash(u) in locked,
            "tokens": int(n),
        }
        for u, role, rep, active, n in rows
    ]
