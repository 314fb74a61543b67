"""The `salesradar` command, run for real in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from data_access.migrate import head_revision

ROOT = Path(__file__).resolve().parents[2]


def run_cli(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``salesradar ARGS`` in a subprocess, with this environment less DATABASE_URL and SALESRADAR_AS_OF."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SALESRADAR_AS_OF")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql+psycopg://nobody@127.0.0.1:1/nowhere",
            "Cannot connect to database postgresql+psycopg://nobody@127.0.0.1:1/nowhere",
        ),
        ("not a url", "is not a valid SQLAlchemy URL"),
        ("oracle+nosuchdriver://x@y/z", "no driver for it is installed"),
        ("sqlite:////proc/no/such/dir/x.sqlite3", "Cannot connect to database sqlite:////proc/no/such/dir/x.sqlite3"),
    ],
)
def test_cli001_bad_database_url_is_one_clear_sentence(url, expected):
    result = run_cli("db", "upgrade", env={"DATABASE_URL": url})
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_cli002_password_is_masked_in_errors():
    result = run_cli("db", "upgrade", env={"DATABASE_URL": "postgresql+psycopg://u:s3cret@127.0.0.1:1/x"})
    assert result.returncode == 2
    assert "s3cret" not in result.stderr and "***" in result.stderr


def test_cli003_db_upgrade_and_demo(databases):
    url = databases.new_url()
    up = run_cli("db", "upgrade", env={"DATABASE_URL": url})
    assert up.returncode == 0, up.stderr
    assert f"at revision {head_revision()}" in up.stdout
    first = run_cli("demo", "--opportunities", "120", "--as-of", "2026-11-27", env={"DATABASE_URL": url})
    assert first.returncode == 0, first.stderr
    assert "120 opportunities" in first.stdout and "as of 2026-11-27" in first.stdout
    again = run_cli("demo", "--opportunities", "120", env={"DATABASE_URL": url})
    assert again.returncode == 1 and "--replace" in again.stderr
    replaced = run_cli("demo", "--opportunities", "90", "--replace", env={"DATABASE_URL": url})
    assert replaced.returncode == 0 and "90 opportunities" in replaced.stdout


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("demo", "--opportunities", "0"), {}, "must be at least 1"),
        (("demo", "--opportunities", "lots"), {}, "is not a whole number"),
        (("demo", "--as-of", "27/11/2026"), {}, "is not a date"),
        (("db", "upgrade"), {"SALESRADAR_AS_OF": "tomorrow"}, "SALESRADAR_AS_OF='tomorrow' is not an ISO date"),
        (("db", "upgrade"), {"SALESRADAR_LANG": "fr"}, "must be 'zh' or 'en'"),
    ],
)
def test_cli004_bad_arguments(args, env, message, tmp_path):
    result = run_cli(*args, env={"SALESRADAR_INSTANCE": str(tmp_path), **env})
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_cli005_users_add_list_passwd_token_revoke(databases):
    env = {"DATABASE_URL": databases.new_url()}
    assert run_cli("demo", "--opportunities", "60", "--as-of", "2026-11-27", env=env).returncode == 0
    added = run_cli("users", "add", "wang", "--role", "rep", "--rep", "R0002", stdin="a-long-password\n", env=env)
    assert added.returncode == 0, added.stderr
    assert "a-long-password" not in added.stdout + added.stderr
    listing = run_cli("users", "list", env=env)
    assert listing.returncode == 0
    assert any(line.split()[:3] == ["wang", "rep", "R0002"] for line in listing.stdout.splitlines())
    assert {"director", "manager", "rep"} <= {line.split()[0] for line in listing.stdout.splitlines()}
    token = run_cli("users", "token", "wang", env=env)
    assert token.returncode == 0
    assert token.stdout.count("\n") == 1 and token.stdout.startswith("sr_")  # alone on stdout
    assert "tokens=1" in run_cli("users", "list", env=env).stdout
    revoked = run_cli("users", "revoke", "wang", env=env)
    assert revoked.returncode == 0 and "revoked 1" in revoked.stderr
    passwd = run_cli("users", "passwd", "wang", stdin="another-password\n", env=env)
    assert passwd.returncode == 0, passwd.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("users", "add", "x1", "--role", "rep"), "long-password\n", "must be tied to a rep code"),
        (("users", "add", "x2", "--role", "rep", "--rep", "NOPE"), "long-password\n", "no rep with code 'NOPE'"),
        (("users", "add", "x3", "--role", "director"), "short\n", "at least 8 characters"),
        (("users", "add", "director", "--role", "director"), "long-password\n", "already exists"),
        (("users", "passwd", "nobody"), "long-password\n", "no user 'nobody'"),
        (("users", "token", "nobody"), "", "no user 'nobody'"),
    ],
)
def test_cli006_users_errors(databases, args, stdin, message):
    env = {"DATABASE_URL": databases.new_url()}
    assert run_cli("demo", "--opportunities", "30", env=env).returncode == 0
    result = run_cli(*args, stdin=stdin, env=env)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_cli007_no_password_argument_exists():
    result = run_cli("users", "add", "x", "--role", "director", "--password", "secret123")
    assert result.returncode == 2 and "unrecognized arguments" in result.stderr


def test_cli020_company_name_shown_set_cleared_and_checked(databases):
    env = {"DATABASE_URL": databases.new_url()}
    assert run_cli("company", env=env).stdout.strip() == "(no company name set)"
    set_it = run_cli("company", "  远东  通信 有限公司 ", env=env)
    assert set_it.returncode == 0 and set_it.stdout.strip() == "company name: 远东 通信 有限公司"
    assert run_cli("company", env=env).stdout.strip() == "远东 通信 有限公司"
    for bad in ("x" * 101, "a\x07b"):
        refused = run_cli("company", bad, env=env)
        assert refused.returncode == 1 and "at most 100 printable characters" in refused.stderr
    assert run_cli("company", env=env).stdout.strip() == "远东 通信 有限公司"  # nothing lost
    assert run_cli("company", "", env=env).returncode == 0
    assert run_cli("company", env=env).stdout.strip() == "(no company name set)"
