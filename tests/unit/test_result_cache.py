"""Slow aggregates kept per data version, scope and arguments in the app's Flask-Caching store
(data_access.result_cache; here the FileSystemCache in <instance>/cache, shared by a server's workers): what
is kept is what the query answers, never another scope's answer, a change of the data asks new keys, and a
store that cannot be written or reached costs a query, never a request."""

from __future__ import annotations

import hashlib
import logging
import pickle
import shutil
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from cachelib import FileSystemCache
from sqlalchemy import func, select

from data_access import queries
from data_access.models import Opportunity
from data_access.result_cache import EXTENSION, KeptResults, install, kept
from data_access.runtime import EXTENSION as RUNTIME
from data_access.runtime import Runtime, runtime
from data_access.scope import Scope
from data_access.settings import bump_data_version
from data_access.users import Viewer
from metrics.funnel import days_at_levels
from metrics.views import funnel, rad, reads
from tests.browser.conftest import free_port
from tests.builders import rep_by_code
from tests.conftest import AS_OF

DIRECTOR = Viewer(user_id=0, username="test", role="director", rep_id=None, rep_code=None, team_id=None)

COUNT_FILE = hashlib.sha256(FileSystemCache._fs_count_file.encode()).hexdigest()


def _store(server) -> KeptResults:
    store = server.extensions[EXTENSION]
    assert isinstance(store, KeptResults) and store.folder is not None
    return store


def _entries(server) -> set[Path]:
    """The kept results in the store's folder (its count file and half-written files aside)."""
    folder = _store(server).folder
    assert folder is not None
    return {
        p
        for p in folder.iterdir()
        if p.name != COUNT_FILE and not p.name.endswith(FileSystemCache._fs_transaction_suffix)
    }


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _warnings() -> Iterator[_Warnings]:
    """The store's warnings, caught on its own logger (the CLI's tests may stop "salesradar" propagating)."""
    handler = _Warnings()
    logger = logging.getLogger("salesradar.results")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@contextmanager
def _other_store(server, **config: Any) -> Iterator[KeptResults | None]:
    """The app with a store built as ``create_app`` builds it from this config; the usual one afterwards."""
    usual = server.extensions[EXTENSION]
    try:
        yield install(server, replace(server.extensions[RUNTIME].config, **config))
    finally:
        server.extensions[EXTENSION] = usual


def test_rc001_kept_per_scope_and_equal_to_the_query(dash_app, demo_session):
    server = dash_app.server
    with server.app_context():
        rt = runtime()
        rep_id, team_id = rep_by_code(demo_session, "R0001") or (0, 0)
        scopes = (Scope.everything(), Scope.team(team_id or 0), Scope.rep(rep_id))
        with rt.sessions() as session:
            _store(server).cache.clear()  # what earlier tests kept (a cache: safe to drop)
            first = [reads.level_health(session, s, AS_OF) for s in scopes]
            made = len(_entries(server))
            again = [reads.level_health(session, s, AS_OF) for s in scopes]
            assert len(_entries(server)) == made
    # the same answers as the query run outside the app (no keeping there), one entry per scope
    direct = [queries.level_health(demo_session, s, AS_OF) for s in scopes]
    for kept_frame, second, plain in zip(first, again, direct, strict=True):
        pd.testing.assert_frame_equal(kept_frame, plain)
        pd.testing.assert_frame_equal(second, plain)
    assert not direct[0].equals(direct[2])  # the rep's answer differs from the company's: kept apart
    assert made == len(scopes)
    assert _store(server).folder == rt.config.instance_path / "cache"


def test_rc002_a_new_data_version_asks_new_keys(dash_app):
    calls: list[int] = []

    @kept
    def open_deals(session, scope: Scope, status: str = "open") -> int:
        calls.append(1)
        return int(session.scalar(select(func.count()).where(Opportunity.status == status)) or 0)

    server = dash_app.server
    with server.app_context():
        rt = runtime()
        with rt.sessions() as session:
            before = _entries(server)
            first = open_deals(session, Scope.everything())
            assert open_deals(session, Scope.everything(), status="open") == first  # read, not drawn
            assert len(calls) == 1 and len(_entries(server) - before) == 1
            bump_data_version(session)  # what an import does in its transaction
            session.commit()
            assert open_deals(session, Scope.everything()) == first  # drawn again for the new version
            assert len(calls) == 2 and len(_entries(server) - before) == 2  # the old entry expires by time
            assert open_deals(session, Scope.everything()) == first and len(calls) == 2


def test_rc003_switched_off_nothing_is_kept(dash_app):
    server = dash_app.server
    rt = server.extensions[RUNTIME]
    server.extensions[RUNTIME] = Runtime(replace(rt.config, keep_results=False), rt.engine, rt.sessions)
    try:
        with server.app_context():
            count = len(_entries(server))
            with rt.sessions() as session:
                days_at_levels(
                    reads.level_health(session, Scope.everything(), AS_OF.replace(day=1))
                )  # a key never asked
            assert len(_entries(server)) == count
    finally:
        server.extensions[RUNTIME] = rt
    with _other_store(server, keep_results=False) as store:
        assert store is None and EXTENSION not in server.extensions  # create_app builds none either


def test_rc004_a_damaged_entry_is_drawn_again(dash_app):
    server = dash_app.server
    with server.app_context():
        rt = runtime()
        with rt.sessions() as session:
            before = _entries(server)
            want = days_at_levels(reads.level_health(session, Scope.everything(), AS_OF.replace(day=2)))
            (entry,) = _entries(server) - before
            entry.write_bytes(b"not a pickle")
            assert days_at_levels(reads.level_health(session, Scope.everything(), AS_OF.replace(day=2))) == want
            assert entry.read_bytes() != b"not a pickle"  # and written anew
            # an entry of a class an upgrade renamed: its module is gone, it is drawn again too
            entry.write_bytes(struct.pack("I", 0) + b"cno_such_module\nGone\n)\x81.")
            assert days_at_levels(reads.level_health(session, Scope.everything(), AS_OF.replace(day=2))) == want
            (stored,) = pickle.loads(entry.read_bytes()[4:])
            assert days_at_levels(stored) == want


def test_rc005_whole_account_lists_are_kept_picked_accounts_are_not(dash_app, demo_session):
    from data_access.settings import load_settings

    probabilities = load_settings(demo_session).level_probabilities
    codes = queries.rad_accounts(demo_session, Scope.everything(), AS_OF.year, probabilities, AS_OF)["account_code"]
    server = dash_app.server
    with server.app_context():
        rt = runtime()
        with rt.sessions() as session:
            rad.picked_accounts(session, DIRECTOR, {}, AS_OF, codes.tolist()[3:5])  # the filter bar's choices kept
            before = _entries(server)
            picked = rad.picked_accounts(session, DIRECTOR, {}, AS_OF, codes.tolist()[:3])
            assert _entries(server) == before  # a click's three accounts: nothing written
            whole = reads.account_rows(session, Scope.everything(), AS_OF.year - 1, probabilities, AS_OF)
            assert len(_entries(server) - before) == 1
    assert picked["account_code"].tolist() == codes.tolist()[:3] and len(whole) == len(codes)


def test_rc006_an_argument_left_at_its_default_or_named_is_one_kept_result(dash_app):
    server = dash_app.server
    with server.app_context():
        rt = runtime()
        with rt.sessions() as session:
            before = _entries(server)
            first = reads.stalled_deals(session, Scope.everything(), AS_OF - timedelta(days=3), 45)
            made = _entries(server) - before
            again = reads.stalled_deals(session, Scope.everything(), AS_OF - timedelta(days=3), 45, limit=50)
            by_name = reads.stalled_deals(session, Scope.everything(), today=AS_OF - timedelta(days=3), days=45)
            assert len(made) == 1 and _entries(server) - before == made  # limit=50 is the default
            other = reads.stalled_deals(session, Scope.everything(), AS_OF - timedelta(days=3), 45, limit=5)
            assert len(_entries(server) - before) == 2 and len(other[0]) <= 5
    pd.testing.assert_frame_equal(first[0], again[0])
    pd.testing.assert_frame_equal(first[0], by_name[0])


def test_rc007_a_folder_that_cannot_be_written_falls_back_to_the_query(dash_app, demo_session, tmp_path):
    server = dash_app.server
    want = days_at_levels(queries.level_health(demo_session, Scope.everything(), AS_OF.replace(day=3)))
    # a file where the folder should be (root writes anywhere else): no store at all, one warning
    (tmp_path / "blocked").mkdir()
    (tmp_path / "blocked" / "cache").write_text("not a folder")
    with _warnings() as caught, _other_store(server, instance_path=tmp_path / "blocked") as store:
        assert store is None and EXTENSION not in server.extensions
        with server.app_context(), runtime().sessions() as session:
            assert days_at_levels(reads.level_health(session, Scope.everything(), AS_OF.replace(day=3))) == want
    assert len(caught.messages) == 1 and "cannot be used" in caught.messages[0]
    # the folder goes away and a file takes its place while the app runs: answered, one warning, then left
    # alone until RETRY_SECONDS have passed
    with _warnings() as caught, _other_store(server, instance_path=tmp_path / "running") as store:
        assert store is not None and store.folder is not None
        shutil.rmtree(store.folder)
        store.folder.write_text("not a folder")
        with server.app_context(), runtime().sessions() as session:
            for _ in range(3):
                assert days_at_levels(reads.level_health(session, Scope.everything(), AS_OF.replace(day=3))) == want
    assert len(caught.messages) == 1 and "does not answer" in caught.messages[0]
    # a folder removed by hand (to start cold) is made again by the next write
    with _other_store(server, instance_path=tmp_path / "removed") as store:
        assert store is not None and store.folder is not None
        shutil.rmtree(store.folder)
        with server.app_context(), runtime().sessions() as session:
            assert days_at_levels(reads.level_health(session, Scope.everything(), AS_OF.replace(day=3))) == want
        assert len(list(store.folder.iterdir())) >= 1


def test_rc008_an_unreachable_redis_falls_back_to_the_query(dash_app, demo_session):
    server = dash_app.server
    want = days_at_levels(queries.level_health(demo_session, Scope.everything(), AS_OF.replace(day=4)))
    url = f"redis://:secret@127.0.0.1:{free_port()}/0"  # nothing listens there
    with _warnings() as caught, _other_store(server, cache_url=url) as store:
        assert store is not None and store.folder is None and "secret" not in store.where
        with server.app_context(), runtime().sessions() as session:
            for _ in range(3):
                assert days_at_levels(reads.level_health(session, Scope.everything(), AS_OF.replace(day=4))) == want
    assert len(caught.messages) == 1 and "does not answer" in caught.messages[0]
    assert "secret" not in caught.messages[0]


def test_rc009_a_loader_is_kept_per_viewer_and_address(dash_app, demo_session):
    """The one cache layer is the loaders': a page's answer is kept per role and scope, and per address in its
    sorted, non-empty parameters; what it keeps is what the loader answers outside the app."""
    rep_id, rep_team = rep_by_code(demo_session, "R0001") or (0, 0)
    team_id = int(rep_team or 0)
    manager = Viewer(user_id=0, username="m", role="manager", rep_id=None, rep_code=None, team_id=team_id)
    query = {"period": str(AS_OF.year), "measure": "count", "level": "3"}
    server = dash_app.server
    with server.app_context(), runtime().sessions() as session:
        _store(server).cache.clear()
        first = funnel.load(session, DIRECTOR, query, AS_OF)
        made = _entries(server)
        same = funnel.load(session, DIRECTOR, {"level": "3", "rep": "", "measure": "count", **query}, AS_OF)
        assert _entries(server) == made  # the same address, parameters in another order and one empty
        team = funnel.load(session, manager, query, AS_OF)
        assert len(_entries(server) - made) >= 1  # another viewer: its own entry
    plain = funnel.load(demo_session, DIRECTOR, query, AS_OF)
    pd.testing.assert_frame_equal(first.stages, plain.stages)
    pd.testing.assert_frame_equal(same.stages, plain.stages)
    assert first.stage_rows == plain.stage_rows and len(first.stage_rows) > 0
    assert team.stages["count"].sum() < first.stages["count"].sum()  # the team's, never the company's
    assert Scope.rep(rep_id).cache_key() != Scope.team(team_id).cache_key()


def test_rc010_other_code_keeps_under_other_keys(tmp_path):
    """A deploy (other code, the same data) never serves what the former code kept: the code is in every key,
    and the same code on another machine (another checkout, other file times) gives the same keys."""
    from data_access.result_cache import CODE, ROOT, code_fingerprint

    copy = tmp_path / "copy"
    for name in CODE:
        source = ROOT / name
        for path in [source] if source.is_file() else source.rglob("*.py"):
            target = copy / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    assert code_fingerprint(copy) == code_fingerprint()
    page = copy / "pages" / "overview.py"
    page.write_text(page.read_text(encoding="utf-8") + "\n# a change\n", encoding="utf-8")
    assert code_fingerprint(copy) != code_fingerprint()
