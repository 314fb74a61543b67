"""Deterministic demo data: the same seed and as-of date always give the same database.

Three calendar years up to the as-of date (the current one alive), about 300 accounts and 30 reps at
the default size, every rule of the data dictionary kept (see tests/unit/test_demo.py). Rows are
written with bulk executemany in one transaction; ids are assigned here so no row needs a round trip.
Accounts, reps and visits scale with the number of opportunities asked for.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, text
from sqlalchemy.orm import Session

from data_access import demo_staff, demo_support, summaries
from data_access.demo_names import (
    BRANDS,
    CITIES,
    COMPETITORS,
    DEPARTMENTS,
    GIVEN,
    INDUSTRIES,
    LOSS_REASONS,
    PRODUCT_LINES,
    REGIONS,
    SURNAMES,
    TITLES,
    WIN_REASONS,
)
from data_access.demo_support import Deal
from data_access.demo_writer import _Writer
from data_access.models import (
    Account,
    Base,
    BuyingPower,
    Contact,
    Contract,
    Opportunity,
    Payment,
    Quota,
    Rep,
    Setting,
    StageHistory,
    Team,
)
from data_access.settings import bump_data_version
from data_access.stats import analyze
from data_access.users import create_user, mark_demo_sign_ins

DEFAULT_OPPORTUNITIES = 4000
DEFAULT_SEED = 20111

#: Chance that a deal at level k moves on (k=5: the contract is signed), by the account's RAD class.
ADVANCE = {1: 0.62, 2: 0.66, 3: 0.70, 4: 0.76, 5: 0.86}
CLASS_FACTOR = {"R": 1.10, "D": 1.0, "A": 0.85}
DWELL = {1: (10, 60), 2: (15, 75), 3: (15, 90), 4: (10, 60), 5: (7, 45)}
#: One user per role, for trying the app (README). username, role, rep code, password.
#: The demo's company, printed at the head of its task books
DEMO_COMPANY = "华信通信技术有限公司（演示）"
DEMO_USERS = (
    ("director", "director", "D001", "demo-director"),
    ("manager", "manager", "M001", "demo-manager"),
    ("rep", "rep", "R0001", "demo-rep"),
)
#: milestone, share of the contract, days after signing it falls due
MILESTONE_PLAN = (("advance", 0.3, 15), ("progress", 0.4, 75), ("acceptance", 0.2, 150), ("retention", 0.1, 365))


@dataclass(frozen=True)
class DemoSummary:
    teams: int
    reps: int
    accounts: int
    opportunities: int
    contracts: int
    payments: int
    visits: int
    as_of: date


class DatabaseNotEmpty(RuntimeError):
    pass


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def clear_business_data(conn: Connection) -> None:
    """Delete every business row (settings stay)."""
    for table in reversed(Base.metadata.sorted_tables):
        if table.name != "settings":
            conn.execute(delete(table))


def generate(
    engine: Engine,
    *,
    opportunities: int = DEFAULT_OPPORTUNITIES,
    as_of: date | None = None,
    seed: int = DEFAULT_SEED,
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Fill the (migrated) database with demo data in one transaction.

    Refuses a database that already holds business data unless ``replace`` is set.
    """
    if opportunities < 1:
        raise ValueError("--opportunities must be at least 1")
    as_of = as_of or date.today()
    say = progress or (lambda _msg: None)
    with engine.begin() as conn:
        has_data = (
            conn.execute(select(func.count()).select_from(Opportunity)).scalar_one()
            or conn.execute(select(func.count()).select_from(Rep)).scalar_one()
        )
        if has_data:
            if not replace:
                raise DatabaseNotEmpty("the database already holds data; use --replace to wipe it first")
            say("clearing existing data")
            clear_business_data(conn)
        summary = _Generator(conn, random.Random(seed), as_of, opportunities, say).run()
        say("summaries")
        summaries.rebuild(conn)  # bulk-inserted rows: the summary is summed once, in the same transaction
        with Session(bind=conn) as session:
            for username, role, rep_code, password in DEMO_USERS:
                create_user(session, username, password, role, rep_code)
            mark_demo_sign_ins(session, [u[0] for u in DEMO_USERS])  # the sign-in page names them
            session.merge(Setting(key="company_name", value=DEMO_COMPANY))  # the task book's header
            bump_data_version(session)
            session.flush()
        if conn.dialect.name == "postgresql":
            for table in Base.metadata.sorted_tables:
                if "id" in table.c:
                    next_id = select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()
                    conn.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), next_id, False)))
    if engine.dialect.name == "postgresql":  # fresh statistics and visibility map: index-only scans at once
        say("vacuum analyze")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:  # SQLite keeps no statistics of a bulk load by itself: without them it plans 5-100x slower
        say("analyze")
        analyze(engine)
    return summary


class _Generator:
    def __init__(
        self, conn: Connection, rng: random.Random, as_of: date, n_opps: int, say: Callable[[str], None]
    ) -> None:
        self.w = _Writer(conn)
        self.rng = rng
        self.as_of = as_of
        self.n_opps = n_opps
        self.say = say
        self.scale = max(1.0, n_opps / DEFAULT_OPPORTUNITIES)
        self.years = (as_of.year - 2, as_of.year - 1, as_of.year)
        self.start = date(self.years[0], 1, 1)
        # filled as we go
        self.team_of_region: dict[str, int] = {}
        self.reps: list[dict[str, Any]] = []  # sales reps (role rep) with team/region
        self.accounts: list[dict[str, Any]] = []
        self.bookings: dict[tuple[int, int], float] = defaultdict(float)  # (account_id, year) -> amount
        self.rep_bookings: dict[tuple[int, int], float] = defaultdict(float)  # (rep_id, year) -> amount
        self.opps_by_account: dict[int, list[int]] = defaultdict(list)
        self.contacts_of: dict[int, list[str]] = defaultdict(list)
        self.bp_of: dict[tuple[int, int], float] = {}  # (account_id, year) -> BP
        self.deals: list[Deal] = []  # the deals that reached level 2, for the sales support rows

    # --- people -----------------------------------------------------------------------------------
    def _people(self) -> None:
        rng = self.rng
        n_teams = max(4, round(4 * self.scale))
        reps_per_team = 7
        rep_id = 1
        hq = n_teams + 1  # the director's own team: every rep row has a team and a region (data dictionary)
        self.w.add(Team, dict(id=hq, name="总部", region="全国"))
        self.w.add(
            Rep,
            dict(
                id=rep_id,
                rep_code="D001",
                name=_person(rng),
                team_id=hq,
                region="全国",
                role="director",
                manager_id=None,
                email="director@hualuo.example",
                hire_date=date(2008, 3, 1),
            ),
        )
        director_id = rep_id
        for t in range(n_teams):
            region = REGIONS[t % len(REGIONS)]
            team_id = t + 1
            suffix = "" if t < len(REGIONS) else f"{t // len(REGIONS) + 1}组"
            self.w.add(Team, dict(id=team_id, name=f"{region}大客户部{suffix}", region=region))
            rep_id += 1
            manager_id = rep_id
            self.w.add(
                Rep,
                dict(
                    id=manager_id,
                    rep_code=f"M{team_id:03d}",
                    name=_person(rng),
                    team_id=team_id,
                    region=region,
                    role="manager",
                    manager_id=director_id,
                    email=f"m{team_id:03d}@hualuo.example",
                    hire_date=self.start - timedelta(days=rng.randint(400, 3000)),
                ),
            )
            n = reps_per_team + (1 if t % 2 == 0 else 0)
            for _ in range(n):
                rep_id += 1
                code = f"R{len(self.reps) + 1:04d}"
                row = dict(
                    id=rep_id,
                    rep_code=code,
                    name=_person(rng),
                    team_id=team_id,
                    region=region,
                    role="rep",
                    manager_id=manager_id,
                    email=f"{code.lower()}@hualuo.example",
                    hire_date=self.start - timedelta(days=rng.randint(-200, 2500)),
                )
                self.w.add(Rep, row)
                self.reps.append(row)

    # --- accounts ---------------------------------------------------------------------------------
    def _accounts(self) -> None:
        rng = self.rng
        n_accounts = max(300, round(300 * self.scale))
        reps_by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.reps:
            reps_by_region[r["region"]].append(r)
        seen: set[str] = set()
        for i in range(1, n_accounts + 1):
            region = REGIONS[i % len(REGIONS)]
            city = rng.choice(CITIES[region])
            industry = rng.choice(list(INDUSTRIES))
            name = f"{city}{rng.choice(BRANDS)}{rng.choice(INDUSTRIES[industry])}"
            if name in seen:
                name = f"{name}（{i}）"
            seen.add(name)
            owner = rng.choice(reps_by_region[region])
            cls = rng.choices(("R", "D", "A"), weights=(22, 38, 40))[0]
            size = rng.lognormvariate(0, 0.8)  # relative buying power
            row = dict(
                id=i,
                account_code=f"A{i:05d}",
                name=name,
                industry=industry,
                region=region,
                city=city,
                owner_rep_id=owner["id"],
                key_account=False,
                rad_override=None,
            )
            # a few manual RAD overrides, as a director would set them
            if rng.random() < 0.02:
                row["rad_override"] = rng.choice(("R", "A", "D"))
            self.accounts.append({**row, "_class": cls, "_size": size})
        # TOP accounts: the biggest ones by size, ~7% of them
        for a in sorted(self.accounts, key=lambda a: -a["_size"])[: max(20, n_accounts // 15)]:
            a["key_account"] = True
        for a in self.accounts:
            self.w.add(Account, {k: v for k, v in a.items() if not k.startswith("_")})
            names: set[str] = set()
            for c in range(rng.randint(2, 5)):
                name = _person(rng)
                while name in names:  # (account, name) is the contacts sheet's key
                    name = _person(rng)
                names.add(name)
                self.contacts_of[a["id"]].append(name)
                self.w.add(
                    Contact,
                    dict(
                        account_id=a["id"],
                        name=name,
                        decision_role=("decision_maker", "policy_maker", "influencer", "end_user")[c % 4],
                        title=rng.choice(TITLES),
                        department=rng.choice(DEPARTMENTS),
                        phone=f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}",
                        email=None,
                    ),
                )

    # --- opportunities ----------------------------------------------------------------------------
    def _opportunities(self) -> None:
        rng, as_of = self.rng, self.as_of
        weights = [a["_size"] * {"R": 3.0, "D": 2.0, "A": 0.7}[a["_class"]] for a in self.accounts]
        picks = rng.choices(range(len(self.accounts)), weights=weights, k=self.n_opps)
        span = (as_of - self.start).days
        contract_id = payment_id = history_id = 0
        for opp_id, idx in enumerate(picks, start=1):
            acc = self.accounts[idx]
            factor = CLASS_FACTOR[acc["_class"]]
            # business grows: more deals are created in recent months than three years ago
            created = self.start + timedelta(days=int(span * rng.random() ** 0.7))
            amount = round(min(max(rng.lognormvariate(12.4, 0.9) * acc["_size"] ** 0.3, 20_000), 20_000_000), -2)
            gm_rate = rng.uniform(0.15, 0.40)
            product = rng.choice(PRODUCT_LINES)
            level = 1 if rng.random() < 0.8 else 2
            day = created
            history = [(level, day)]
            status, closed, signed = "open", None, None
            while True:
                lo, hi = DWELL[level]
                nxt = day + timedelta(days=rng.randint(lo, hi))
                if nxt > as_of:
                    break
                day = nxt
                if rng.random() < min(ADVANCE[level] * factor, 0.97):
                    if level < 5:
                        level += 1
                        history.append((level, day))
                        continue
                    status, closed, signed = "won", day, day
                else:
                    status, closed = "lost", day
                break
            cycle = rng.randint(60, 240)
            expected = created + timedelta(days=cycle)
            if status == "open" and expected < as_of and rng.random() < 0.7:
                expected = as_of + timedelta(days=rng.randint(7, 200))
            elif closed is not None:
                expected = max(expected, created)
            row: dict[str, Any] = dict(
                id=opp_id,
                opp_code=f"OP{opp_id:07d}",
                account_id=acc["id"],
                owner_rep_id=acc["owner_rep_id"],
                name=f"{acc['name']}{product}项目",
                amount=amount,
                level=level,
                status=status,
                created_date=created,
                expected_close_date=expected,
                product_line=product,
                gross_margin=round(amount * gm_rate, 2),
                closed_date=closed,
                loss_reason=None,
                win_reason=None,
                competitor=None,
            )
            if status == "lost":
                row["loss_reason"] = None if rng.random() < 0.06 else rng.choice(LOSS_REASONS)
                row["competitor"] = rng.choice(COMPETITORS) if rng.random() < 0.75 else None
            elif status == "won":
                row["win_reason"] = rng.choice(WIN_REASONS)
                row["competitor"] = rng.choice(COMPETITORS) if rng.random() < 0.5 else None
                assert signed is not None
                contract_id += 1
                self.w.add(
                    Contract,
                    dict(
                        id=contract_id,
                        contract_code=f"HT{contract_id:07d}",
                        opportunity_id=opp_id,
                        signed_date=signed,
                        amount=amount,
                        gross_margin=row["gross_margin"],
                    ),
                )
                self.bookings[(acc["id"], signed.year)] += amount
                self.rep_bookings[(acc["owner_rep_id"], signed.year)] += amount
                cents, left, last_paid, fully_paid = round(amount * 100), round(amount * 100), signed, True
                for i, (milestone, share, after) in enumerate(MILESTONE_PLAN):
                    part = left if i == len(MILESTONE_PLAN) - 1 else round(cents * share)
                    left -= part
                    due = signed + timedelta(days=after)
                    paid_date, paid_amount = None, None
                    # most pay around the due date; the rest pay late, some not yet (overdue today)
                    if rng.random() < 0.75 - 0.05 * i:
                        paid_date = due + timedelta(days=rng.randint(-10, 20))
                    else:
                        paid_date = due + timedelta(days=rng.randint(15, 400))
                    paid_date = max(paid_date, signed)
                    if paid_date <= as_of:
                        paid_amount = part / 100 if rng.random() > 0.04 else round(part / 200, 2)
                    else:
                        paid_date = None
                    if paid_amount is None or paid_amount < part / 100:
                        fully_paid = False
                    elif paid_date is not None:
                        last_paid = max(last_paid, paid_date)
                    payment_id += 1
                    self.w.add(
                        Payment,
                        dict(
                            id=payment_id,
                            contract_id=contract_id,
                            milestone=milestone,
                            due_date=due,
                            amount=part / 100,
                            paid_date=paid_date,
                            paid_amount=paid_amount,
                        ),
                    )
                if fully_paid:
                    row["level"] = 6
                    history.append((6, last_paid))
            self.w.add(Opportunity, row)
            self.opps_by_account[acc["id"]].append(opp_id)
            for lv, entered in history:
                history_id += 1
                self.w.add(StageHistory, dict(id=history_id, opportunity_id=opp_id, level=lv, entered_date=entered))
            if level >= 2:  # for the sales support rows
                owner = acc["owner_rep_id"]
                self.deals.append(
                    Deal(opp_id, owner, acc["name"], amount, level, status, created, closed, product, history)
                )
            self.w.maybe_flush()
            if opp_id % 100_000 == 0:
                self.say(f"{opp_id:,} opportunities")

    # --- buying power, quotas, visits ---------------------------------------------------------------
    def _buying_power(self) -> None:
        rng = self.rng
        full_years = self.years[:2]
        target_sow = {"R": (0.55, 0.95), "D": (0.12, 0.45), "A": (0.01, 0.08)}
        for a in self.accounts:
            past = [self.bookings.get((a["id"], y), 0.0) for y in full_years]
            mean = sum(past) / len(past)
            lo, hi = target_sow[a["_class"]]
            base = mean / rng.uniform(lo, hi) if mean > 0 else rng.uniform(1.5e6, 3e7) * a["_size"]
            for y in self.years:
                roll = rng.random()
                if roll < 0.04:
                    continue  # BP never learned for that year: SOW unknown
                bp = base * rng.uniform(0.9, 1.15)
                booked = self.bookings.get((a["id"], y), 0.0)
                if roll > 0.99 and booked > 0:
                    bp = booked * 0.8  # a BP estimate that is too low: SOW > 100%
                self.bp_of[(a["id"], y)] = round(bp, -3)
                self.w.add(
                    BuyingPower,
                    dict(
                        account_id=a["id"],
                        year=y,
                        bp=round(bp, -3),
                        source=rng.choice(("电话调研", "客户访谈", "招标公告", "行业报告")),
                    ),
                )
            self.w.maybe_flush()

    def _quotas(self) -> None:
        rng = self.rng
        elapsed = (self.as_of - date(self.as_of.year, 1, 1)).days / 365.0
        accounts_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for a in self.accounts:
            accounts_of[a["owner_rep_id"]].append(a)
        for r in self.reps:
            targets = sorted(accounts_of[r["id"]], key=lambda a: -a["_size"])[:5]
            base_salary = rng.randrange(150_000, 300_000, 10_000)
            for y in self.years:
                booked = self.rep_bookings.get((r["id"], y), 0.0)
                if y == self.as_of.year:
                    booked = booked / max(elapsed, 0.1)
                revenue = round(max(booked, 1_000_000) * rng.uniform(0.85, 1.25), -4)
                gm = round(revenue * rng.uniform(0.22, 0.30), -3)
                common = dict(rep_id=r["id"], year=y, base_salary=base_salary, target_commission=base_salary)
                self.w.add(
                    Quota,
                    dict(
                        common,
                        quarter=None,
                        revenue_target=revenue,
                        gm_target=gm,
                        target_account_codes=",".join(a["account_code"] for a in targets),
                        working_conditions="负责区域内目标客户的开拓与维护；每周提交工作计划与拜访记录；"
                        "差旅及招待费用按公司标准报销。",
                    ),
                )
                for q, share in enumerate((0.2, 0.25, 0.25, 0.3), start=1):
                    self.w.add(
                        Quota,
                        dict(
                            common,
                            quarter=q,
                            revenue_target=round(revenue * share, -2),
                            gm_target=round(gm * share, -2),
                            target_account_codes=None,
                            working_conditions=None,
                        ),
                    )

    def run(self) -> DemoSummary:
        self.say("reps and teams")
        self._people()
        self.say("accounts and contacts")
        self._accounts()
        self.w.flush()
        self.say("opportunities, stage history, contracts, payments")
        self._opportunities()
        self.say("buying power, quotas, visits")
        self._buying_power()
        self._quotas()
        demo_staff.visits(self)
        self.say("events and training")
        demo_staff.events(self)
        demo_staff.training(self)
        self.say("price list, quotes, bids, support requests")
        items = demo_support.price_list(self)
        demo_support.quotes(self, items)
        engineers = demo_support.engineers(self)
        demo_support.bids(self, engineers)
        demo_support.support_requests(self, engineers)
        self.w.flush()
        c = self.w.counts
        return DemoSummary(
            teams=c["teams"],
            reps=c["reps"],
            accounts=c["accounts"],
            opportunities=c["opportunities"],
            contracts=c["contracts"],
            payments=c["payments"],
            visits=c["visits"],
            as_of=self.as_of,
        )
