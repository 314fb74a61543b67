"""Users, passwords, lock-out, sessions and API tokens.

Passwords are hashed with scrypt (werkzeug's default KDF, salted). API tokens are 256-bit random
strings shown once; only their SHA-256 is stored, so a stolen database yields no usable token. A sign-in
is a ``UserSession`` row: the cookie carries a 256-bit random id, the row only its SHA-256; sign-out and a
password change revoke rows, so a cookie copied before them stops working.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from data_access.models import ROLES, ApiToken, Rep, User, UserSession
from data_access.scope import Scope

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 8
#: a session's life from sign-in; the Flask cookie's PERMANENT_SESSION_LIFETIME (web/auth.py) is the same
SESSION_LIFETIME = timedelta(hours=12)
TOKEN_PREFIX = "sr_"
#: verified against when the username is unknown, so both paths cost one scrypt
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


def set_password(session: Session, username: str, password: str) -> User:
    """New password; unlocks the account and ends every session of the user (their rows are revoked)."""
    user = get_user(session, username)
    _check_password_rules(password)
    user.password_hash = generate_password_hash(password)
    user.session_version += 1
    user.failed_logins = 0
    user.locked_until = None
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return user


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    locked: bool = False


def authenticate(session: Session, username: str, password: str, now: datetime | None = None) -> LoginResult:
    """Check a password; after MAX_FAILURES wrong ones in a row the account is locked for LOCK_FOR.

    A locked account refuses even the right password until the lock expires. The caller commits.
    """
    now = now or utcnow()
    user = session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return LoginResult(None)
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, locked=True)
    if not check_password_hash(user.password_hash, password) or not user.active:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + LOCK_FOR
            user.failed_logins = 0
            return LoginResult(None, locked=True)
        return LoginResult(None)
    user.failed_logins = 0
    user.locked_until = None
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
        select(User.username, User.role, Rep.rep_code, User.active, User.locked_until, func.coalesce(live.c.n, 0))
        .outerjoin(Rep, Rep.id == User.rep_id)
        .outerjoin(live, live.c.user_id == User.id)
        .order_by(User.username)
    )
    now = utcnow()
    return [
        {
            "username": u,
            "role": role,
            "rep": rep,
            "active": bool(active),
            "locked": bool(locked and locked > now),
            "tokens": int(n),
        }
        for u, role, rep, active, locked, n in rows
    ]
