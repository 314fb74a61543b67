"""Slow aggregates kept per data version, scope and arguments, shared by the workers through the instance
folder (data_access.result_cache): what is kept is what the query answers, never another scope's answer,
and a change of the data starts afresh."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import timedelta

import pandas as pd

from data_access import queries
from data_access.result_cache import FOLDER
from data_access.runtime import runtime
from data_access.scope import Scope
from data_access.settings import bump_data_version, data_version
from tests.conftest import AS_OF


def _files(root):
    return sorted(p for p in root.rglob("*.pkl"))


def test_rc001_kept_per_scope_and_equal_to_the_query(dash_app, demo_session):
    server = dash_app.server
    with server.app_context():
        root = runtime().config.instance_path / FOLDER
        rt = runtime()
        rep_id, team_id = queries.rep_by_code(demo_session, "R0001") or (0, 0)
        scopes = (Scope.everything(), Scope.team(team_id or 0), Scope.rep(rep_id))
        with rt.sessions() as session:
            shutil.rmtree(root, ignore_errors=True)  # what earlier tests kept (a cache: safe to drop)
            before = len(_files(root)) if root.exists() else 0
            first = [queries.level_calibration(session, s) for s in scopes]
            made = len(_files(root)) - before
            again = [queries.level_calibration(session, s) for s in scopes]
            version = data_version(session)
    # the same answers as the query run outside the app (no keeping there), one file per scope
    direct = [queries.level_calibration(demo_session, s) for s in scopes]
    for kept, second, plain in zip(first, again, direct, strict=True):
        pd.testing.assert_frame_equal(kept, plain)
        pd.testing.assert_frame_equal(second, plain)
    assert not direct[0].equals(direct[2])  # the rep's answer differs from the company's: kept apart
    assert made == len(scopes)
    assert (root / f"v{version}").is_dir() and _files(root / f"v{version}")


def test_rc002_a_new_data_version_starts_afresh_and_drops_the_old_folder(dash_app):
    server = dash_app.server
    with server.app_context():
        rt = runtime()
        root = rt.config.instance_path / FOLDER
        with rt.sessions() as session:
            queries.level_days(session, Scope.everything(), AS_OF)
            old = root / f"v{data_version(session)}"
            assert old.is_dir()
            bump_data_version(session)  # what an import does in its transaction
            session.commit()
            queries.level_days(session, Scope.everything(), AS_OF)
            new = root / f"v{data_version(session)}"
    assert new.is_dir() and _files(new)
    assert not old.exists()


def test_rc003_switched_off_nothing_is_kept(dash_app):
    from data_access.runtime import EXTENSION, Runtime

    server = dash_app.server
    rt = server.extensions[EXTENSION]
    server.extensions[EXTENSION] = Runtime(replace(rt.config, keep_results=False), rt.engine, rt.sessions)
    try:
        with server.app_context():
            root = rt.config.instance_path / FOLDER
            count = len(_files(root)) if root.exists() else 0
            with rt.sessions() as session:
                queries.level_days(session, Scope.everything(), AS_OF.replace(day=1))  # a key never asked
            assert (len(_files(root)) if root.exists() else 0) == count
    finally:
        server.extensions[EXTENSION] = rt


def test_rc004_a_damaged_file_is_drawn_again(dash_app, demo_session):
    server = dash_app.server
    with server.app_context():
        rt = runtime()
        root = rt.config.instance_path / FOLDER
        with rt.sessions() as session:
            want = queries.level_days(session, Scope.everything(), AS_OF.replace(day=2))
            newest = max(_files(root), key=lambda p: p.stat().st_mtime)
            newest.write_bytes(b"not a pickle")
            assert queries.level_days(session, Scope.everything(), AS_OF.replace(day=2)) == want
    assert newest.read_bytes() != b"not a pickle"  # and written anew


def test_rc005_whole_account_lists_are_kept_picked_accounts_are_not(dash_app, demo_session):
    from data_access.settings import load_settings

    probabilities = load_settings(demo_session).level_probabilities
    codes = queries.rad_accounts(demo_session, Scope.everything(), AS_OF.year, probabilities, AS_OF)["account_code"]
    server = dash_app.server
    with server.app_context():
        rt = runtime()
        root = rt.config.instance_path / FOLDER
        with rt.sessions() as session:
            before = set(_files(root)) if root.exists() else set()
            picked = queries.rad_accounts(
                session, Scope.everything(), AS_OF.year, probabilities, AS_OF, codes=codes.tolist()[:3]
            )
            assert set(_files(root)) == before  # a click's three accounts: nothing written
            whole = queries.rad_accounts(session, Scope.everything(), AS_OF.year - 1, probabilities, AS_OF)
            assert len(set(_files(root)) - before) == 1
    assert picked["account_code"].tolist() == codes.tolist()[:3] and len(whole) == len(codes)


def test_rc006_an_argument_left_at_its_default_or_named_is_one_kept_result(dash_app):
    with dash_app.server.app_context():
        rt = runtime()
        root = rt.config.instance_path / FOLDER
        with rt.sessions() as session:
            before = set(_files(root)) if root.exists() else set()
            first = queries.stalled_deals(session, Scope.everything(), AS_OF - timedelta(days=3), 45)
            made = set(_files(root)) - before
            again = queries.stalled_deals(session, Scope.everything(), AS_OF - timedelta(days=3), 45, limit=50)
            by_name = queries.stalled_deals(session, Scope.everything(), today=AS_OF - timedelta(days=3), days=45)
            assert len(made) == 1 and set(_files(root)) - before == made  # limit=50 is the default
            other = queries.stalled_deals(session, Scope.everything(), AS_OF - timedelta(days=3), 45, limit=5)
            assert len(set(_files(root)) - before) == 2 and len(other[0]) <= 5
    pd.testing.assert_frame_equal(first[0], again[0])
    pd.testing.assert_frame_equal(first[0], by_name[0])
