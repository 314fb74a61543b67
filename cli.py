"""The ``salesradar`` command: run, demo, db upgrade."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from config import Config, ConfigError
from data_access.db import DatabaseUnavailable, connect, safe_url
from data_access.importer.crm import DEFAULT_STAGES, SOURCES, CrmSource, Derived, parse_stage_map, stage_key
from data_access.users import UserError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from exc
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="salesradar", description="SalesRadar sales-management BI")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="serve the app (migrates first; seeds demo data into an empty default DB)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8050)
    run.add_argument("--workers", type=_positive, default=2, help="gunicorn worker processes (default 2)")
    run.add_argument("--dev", action="store_true", help="Flask's single-process development server instead")

    dm = sub.add_parser("demo", help="fill the configured database with deterministic demo data")
    dm.add_argument("--opportunities", type=_positive, default=None, help="how many opportunities (default 4000)")
    dm.add_argument("--as-of", type=_date, default=None, help="anchor date of the three demo years (default today)")
    dm.add_argument("--seed", type=int, default=None)
    dm.add_argument("--replace", action="store_true", help="wipe existing business data first")

    users = sub.add_parser("users", help="manage who can sign in")
    u_sub = users.add_subparsers(dest="users_command", required=True)
    add = u_sub.add_parser("add", help="add a user (password read from a prompt, or one line of stdin)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=("director", "manager", "rep"))
    add.add_argument("--rep", dest="rep_code", help="the rep code this user is (required for manager and rep)")
    u_sub.add_parser("list", help="list users")
    pw = u_sub.add_parser("passwd", help="set a new password (ends the user's sessions, lifts a lock-out)")
    pw.add_argument("username")
    tok = u_sub.add_parser("token", help="print a new API token for the user, alone on stdout")
    tok.add_argument("username")
    tok.add_argument("--label", default=None)
    rev = u_sub.add_parser("revoke", help="revoke the user's API tokens (all, or one by --id)")
    rev.add_argument("username")
    rev.add_argument("--id", dest="token_id", type=int, default=None)

    imp = sub.add_parser("import", help="import a workbook (.xlsx) or CSV files (.zip, folder, .csv)")
    imp.add_argument("path")
    imp.add_argument("--as-of", type=_date, default=None, help="date of level changes (default today)")
    imp.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    imp.add_argument("--mapping", default=None, help="JSON: {tab: {'sheet': name, 'columns': {header: field}}}")
    imp.add_argument("--report", default=None, help="write every problem found to this CSV file")
    imp.add_argument(
        "--from",
        dest="source",
        choices=SOURCES,
        default=None,
        help="the file is one opportunities export of this CRM (docs/import.md: its columns and stage map)",
    )
    imp.add_argument(
        "--stage-map", default=None, help="with --from: 'stage = 1-5, won or lost' lines over the CRM's default"
    )
    exp = sub.add_parser("export", help="write the whole database in the import format (.xlsx, .zip or folder)")
    exp.add_argument("path")
    tpl = sub.add_parser("template", help="write the blank import template workbook (.xlsx)")
    tpl.add_argument("path")

    co = sub.add_parser("company", help="show, or set, the company name printed at the head of every task book")
    co.add_argument("name", nargs="?", default=None, help="the new name (at most 100 characters; '' clears it)")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations")
    db_sub.add_parser(
        "rebuild-summaries",
        help="sum the summary tables (account_years, deal_levels, quote_totals, unpaid_payments) again",
    )
    return parser


def _cmd_run(cfg: Config, args: argparse.Namespace) -> int:
    from app import create_app

    application = create_app(cfg)
    print(f"SalesRadar on http://{args.host}:{args.port}/  (database {safe_url(cfg.database_url)})", flush=True)
    if args.dev or cfg.debug:
        application.run(host=args.host, port=args.port, debug=cfg.debug)
        return 0
    from data_access.runtime import EXTENSION
    from data_access.serve import serve
    from web import warm

    serve(
        application.server,
        host=args.host,
        port=args.port,
        workers=args.workers,
        engine=application.server.extensions[EXTENSION].engine,
        in_each_worker=(lambda: warm.start(application.server)) if cfg.warm_up else None,
    )
    return 0


def _cmd_demo(cfg: Config, args: argparse.Namespace) -> int:
    from data_access import demo
    from data_access.migrate import upgrade

    engine = connect(cfg.database_url)
    upgrade(engine)
    started = time.perf_counter()
    try:
        summary = demo.generate(
            engine,
            opportunities=args.opportunities or demo.DEFAULT_OPPORTUNITIES,
            as_of=args.as_of or cfg.today(),
            seed=demo.DEFAULT_SEED if args.seed is None else args.seed,
            replace=args.replace,
            progress=lambda msg: print(f"  {msg}", file=sys.stderr, flush=True),
        )
    except demo.DatabaseNotEmpty as exc:
        print(f"salesradar demo: {exc}", file=sys.stderr)
        return 1
    took = time.perf_counter() - started
    print(
        f"demo data as of {summary.as_of}: {summary.teams} teams, {summary.reps} people, "
        f"{summary.accounts:,} accounts, "
        f"{summary.opportunities:,} opportunities, {summary.contracts:,} contracts, {summary.payments:,} payments, "
        f"{summary.visits:,} visits in {took:.1f}s"
    )
    return 0


def _cmd_db(cfg: Config, args: argparse.Namespace) -> int:
    from data_access.migrate import current_revision, upgrade

    engine = connect(cfg.database_url)
    upgrade(engine)
    if args.db_command == "rebuild-summaries":
        from data_access.summaries import rebuild

        with engine.begin() as conn:
            counts = rebuild(conn)
        for table, rows in counts.items():
            print(f"{table}: {rows:,} rows summed from their rows")
        return 0
    print(f"database {safe_url(cfg.database_url)} at revision {current_revision(engine)}")
    return 0


def _cmd_company(cfg: Config, args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from data_access.migrate import upgrade
    from data_access.settings import load_settings, save_setting
    from metrics.settings import COMPANY_NAME_MAX

    engine = connect(cfg.database_url)
    upgrade(engine)
    with Session(engine) as session:
        if args.name is None:
            print(load_settings(session).company_name or "(no company name set)")
            return 0
        name = " ".join(str(args.name).split())
        if len(name) > COMPANY_NAME_MAX or any(ord(c) < 32 for c in name):
            print(f"salesradar company: a name of at most {COMPANY_NAME_MAX} printable characters", file=sys.stderr)
            return 1
        save_setting(session, "company_name", name)  # a new data version: kept pages drew the old name
        session.commit()
    print(f"company name: {name or '(cleared)'}")
    return 0


def _read_password(prompt: str) -> str:
    """From the terminal without echo, or one line of stdin when piped; never from an argument."""
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Again: ") != first:
            raise UserError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _cmd_users(cfg: Config, args: argparse.Namespace) -> int:
    from data_access.db import session_factory, session_scope
    from data_access.migrate import upgrade
    from data_access.users import create_token, create_user, list_users, revoke_tokens, set_password

    engine = connect(cfg.database_url)
    upgrade(engine)
    with session_scope(session_factory(engine)) as session:
        if args.users_command == "add":
            user = create_user(session, args.username, _read_password("Password: "), args.role, args.rep_code)
            print(f"added {user.username} ({user.role})", file=sys.stderr)
        elif args.users_command == "list":
            for row in list_users(session):
                flags = " ".join(f for f, on in (("inactive", not row["active"]), ("locked", row["locked"])) if on)
                print(f"{row['username']:<20} {row['role']:<9} {row['rep'] or '-':<8} tokens={row['tokens']} {flags}")
        elif args.users_command == "passwd":
            set_password(session, args.username, _read_password("New password: "))
            print(f"password of {args.username} changed; its sessions are signed out", file=sys.stderr)
        elif args.users_command == "token":
            _row, secret = create_token(session, args.username, args.label)
            print(secret)
        elif args.users_command == "revoke":
            n = revoke_tokens(session, args.username, args.token_id)
            print(f"revoked {n} token(s) of {args.username}", file=sys.stderr)
    return 0


SHOWN_ISSUES = 50


class _OneLine(logging.Formatter):
    """A log record as one line on the terminal: its message, never its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        return f"salesradar: {record.getMessage()}"


def _log_to_file(cfg: Config) -> Path | None:
    """Send the ``salesradar`` logger (an import's failures, with their error ids and tracebacks) to
    ``<instance>/logs/salesradar.log`` instead of the terminal; None (one line each on stderr, no traceback)
    if that folder cannot be written."""
    target = cfg.instance_path / "logs" / "salesradar.log"
    logger = logging.getLogger("salesradar")
    logger.propagate = False  # no traceback on the terminal: the one sentence printed names the error id
    if any(getattr(h, "baseFilename", None) == str(target) for h in logger.handlers):
        return target
    path: Path | None = target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(target, encoding="utf-8", delay=True)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s pid %(process)d: %(message)s"))
    except OSError:
        handler, path = logging.StreamHandler(sys.stderr), None
        handler.setFormatter(_OneLine())
    logger.addHandler(handler)
    return path


def _cmd_import(cfg: Config, args: argparse.Namespace) -> int:
    import json

    from data_access.importer.engine import issues_csv, run_import
    from data_access.migrate import upgrade

    name = Path(args.path).name
    mapping = None
    if args.mapping:
        try:
            mapping = json.loads(Path(args.mapping).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"salesradar import: cannot read the mapping {args.mapping}: {exc}", file=sys.stderr)
            return 2
        if not isinstance(mapping, dict):
            print("salesradar import: the mapping must be a JSON object", file=sys.stderr)
            return 2
    crm = None
    if args.source:
        stages = dict(DEFAULT_STAGES[args.source])
        if args.stage_map:
            try:
                text = Path(args.stage_map).read_text(encoding="utf-8")
            except OSError as exc:
                print(f"salesradar import: cannot read the stage map {args.stage_map}: {exc.strerror}", file=sys.stderr)
                return 2
            own, problems = parse_stage_map(text)
            if problems:
                print(f"salesradar import: {args.stage_map}: " + "; ".join(problems[:5]), file=sys.stderr)
                return 2
            stages = {k: v for k, v in stages.items() if stage_key(k) not in {stage_key(o) for o in own}} | own
        crm = CrmSource(args.source, stages)
    elif args.stage_map:
        print("salesradar import: --stage-map goes with --from", file=sys.stderr)
        return 2
    engine = connect(cfg.database_url)
    upgrade(engine)
    log_file = _log_to_file(cfg)
    report = run_import(
        engine,
        Path(args.path),
        as_of=args.as_of or cfg.today(),
        username="cli",
        mapping=mapping,
        dry_run=args.dry_run,
        progress=lambda msg, frac: print(f"  {frac:4.0%} {msg}", file=sys.stderr, flush=True),
        limits=cfg.limits,  # the CLI reads the shared remembered mappings only (user_id None)
        crm=crm,
    )
    if report.derived is not None:
        for line in Derived(**report.derived).lines():
            print(line, file=sys.stderr)
    if report.failed is not None:
        where = f" (details in {log_file})" if log_file and "error id" in report.failed else ""
        print(f"salesradar import: {name}: failed, nothing written: {report.failed}{where}", file=sys.stderr)
        return 2
    if report.too_large:
        issue = report.issues[0]
        print(f"salesradar import: {issue.sheet}: refused, nothing written: {issue.message}", file=sys.stderr)
        return 2
    for a in report.applied:
        source = {"explicit": "--mapping", "shared": "shared"}.get(a.source, a.source)
        print(f"mapped: {a.tab}: {a.header!r} -> {a.field} ({source})", file=sys.stderr)
    if not report.ok:
        print(
            f"salesradar import: {name}: {len(report.issues)} problem(s), nothing written",
            file=sys.stderr,
        )
        for issue in report.issues[:SHOWN_ISSUES]:
            where = ":".join(str(p) for p in (issue.sheet, issue.row, issue.column) if p is not None)
            value = f" [{issue.value}]" if issue.value is not None else ""
            print(f"{where}{value}: {issue.message}", file=sys.stderr)
        if len(report.issues) > SHOWN_ISSUES:
            print(f"... and {len(report.issues) - SHOWN_ISSUES} more (--report FILE lists them all)", file=sys.stderr)
        if args.report:
            Path(args.report).write_bytes(issues_csv(report.issues))
        return 1
    verb = "would change" if args.dry_run else "imported"
    for sheet, c in report.counts.items():
        print(f"{sheet:<14} created {c.created:>7,}  updated {c.updated:>7,}  unchanged {c.unchanged:>7,}")
    print(f"{verb}: {name} as of {report.as_of}")
    return 0


def _cmd_export(cfg: Config, args: argparse.Namespace) -> int:
    from data_access.db import session_factory
    from data_access.importer.export import export
    from data_access.migrate import upgrade

    engine = connect(cfg.database_url)
    upgrade(engine)
    with session_factory(engine)() as session:
        counts = export(session, Path(args.path))
    print(f"exported to {args.path}: " + ", ".join(f"{n:,} {sheet}" for sheet, n in counts.items()))
    return 0


def _cmd_template(_cfg: Config, args: argparse.Namespace) -> int:
    from data_access.importer.export import template

    template(Path(args.path))
    print(f"template written to {args.path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        cfg = Config.from_env()
        handler = {
            "run": _cmd_run,
            "demo": _cmd_demo,
            "db": _cmd_db,
            "company": _cmd_company,
            "users": _cmd_users,
            "import": _cmd_import,
            "export": _cmd_export,
            "template": _cmd_template,
        }[args.command]
        return handler(cfg, args)
    except (ConfigError, DatabaseUnavailable) as exc:
        print(f"salesradar: {exc}", file=sys.stderr)
        return 2
    except UserError as exc:
        print(f"salesradar users: {exc}", file=sys.stderr)
        return 1
    except MemoryError:  # the last resort: what is read is bounded, but a line beats a traceback
        print(f"salesradar {args.command}: out of memory, stopped", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
