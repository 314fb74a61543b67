"""Sales support (销售支持): bids, technical support, price calculation, and the risk flags of corruption control.

Pure functions over rows the queries return; each definition is the data dictionary's ("Definitions added for
staff management and sales support"), named in the docstring.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from metrics.sales import win_rate

#: a preparing bid whose deadline is within this many days of today is due soon (the deadline day included)
DUE_SOON_DAYS = 14
BID_DECIDED = ("won", "lost")
#: the order of a bid's life on the status funnel; withdrawn and no-bid leave it
BID_FUNNEL = ("all", "submitted", "decided", "won")
RISK_KINDS = (
    "unapproved_below_floor",
    "self_approved",
    "contract_below_quote",
    "discount_outlier",
    "event_cost_high",
)


def rate(part: float, whole: float) -> float | None:
    """part / whole, None when the whole is nothing (a rate is unknown, never 0)."""
    return part / whole if whole else None


# --- bids (标案支持) -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BidRow:
    bid_code: str
    opp_code: str
    status: str
    published_date: date
    deadline: date
    submitted_date: date | None = None
    bid_amount: float | None = None
    tender_name: str = ""
    opp_name: str = ""
    team: str = ""
    product_line: str | None = None
    rep_code: str = ""


def on_time(bid: BidRow) -> bool | None:
    """On time = submitted_date <= deadline; None when the bid was not submitted."""
    return None if bid.submitted_date is None else bid.submitted_date <= bid.deadline


def due_soon(bid: BidRow, today: date) -> bool:
    """Due soon = status ``preparing`` and the deadline within the next 14 days of today (today included)."""
    return bid.status == "preparing" and today <= bid.deadline <= today + timedelta(days=DUE_SOON_DAYS)


@dataclass(frozen=True)
class BidSummary:
    bids: int
    won: int
    lost: int
    won_amount: float
    lost_amount: float
    submitted: int
    on_time: int
    due_soon: tuple[str, ...]
    by_status: Mapping[str, int]
    #: bids that went in: a submitted_date, or won / lost (the funnel's second step; a won bid may lack the date)
    went_in: int = 0

    @property
    def win_rate(self) -> float | None:
        """Bid win rate = won / (won + lost) among bids with that status, by count."""
        return win_rate(self.won, self.lost)

    @property
    def win_rate_amount(self) -> float | None:
        """Bid win rate by bid_amount = won amount / (won + lost amount)."""
        return win_rate(self.won_amount, self.lost_amount)

    @property
    def on_time_rate(self) -> float | None:
        """On-time rate among the bids with a submitted_date."""
        return rate(self.on_time, self.submitted)

    @property
    def funnel(self) -> dict[str, int]:
        """The status funnel: every bid, submitted (a submitted_date, or won/lost), decided, won."""
        return {"all": self.bids, "submitted": self.went_in, "decided": self.won + self.lost, "won": self.won}


def bid_summary(bids: Iterable[BidRow], today: date) -> BidSummary:
    rows = list(bids)
    by_status: dict[str, int] = defaultdict(int)
    for b in rows:
        by_status[b.status] += 1
    return BidSummary(
        bids=len(rows),
        won=by_status.get("won", 0),
        lost=by_status.get("lost", 0),
        won_amount=sum(b.bid_amount or 0.0 for b in rows if b.status == "won"),
        lost_amount=sum(b.bid_amount or 0.0 for b in rows if b.status == "lost"),
        submitted=sum(1 for b in rows if b.submitted_date is not None),
        on_time=sum(1 for b in rows if on_time(b)),
        due_soon=tuple(b.bid_code for b in sorted(rows, key=lambda b: (b.deadline, b.bid_code)) if due_soon(b, today)),
        by_status=dict(by_status),
        went_in=sum(1 for b in rows if b.submitted_date is not None or b.status in BID_DECIDED),
    )


def bid_groups(
    bids: Iterable[BidRow], key: Callable[[BidRow], str | None], today: date
) -> list[tuple[str, BidSummary]]:
    """The summary per group (a team, a product line), largest group first; no key groups under ""."""
    groups: dict[str, list[BidRow]] = defaultdict(list)
    for b in bids:
        groups[key(b) or ""].append(b)
    out = [(name, bid_summary(rows, today)) for name, rows in groups.items()]
    return sorted(out, key=lambda item: (-item[1].bids, item[0]))


# --- technical support (技术支持) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    request_code: str
    opp_code: str
    kind: str
    requested_date: date
    engineer: str | None = None
    resolved_date: date | None = None
    hours: float | None = None
    rep_code: str = ""


def turnaround(request: RequestRow, today: date) -> int:
    """Turnaround = resolved_date - requested_date in days; an open request counts its age to today."""
    return ((request.resolved_date or today) - request.requested_date).days


@dataclass(frozen=True)
class Turnaround:
    """Requests of a group: how many, how many open, the average turnaround of the resolved ones."""

    requests: int
    open: int
    avg_days: float | None
    hours: float

    @property
    def resolved(self) -> int:
        return self.requests - self.open


def turnaround_of(requests: Iterable[RequestRow], today: date) -> Turnaround:
    rows = list(requests)
    resolved = [turnaround(r, today) for r in rows if r.resolved_date is not None]
    return Turnaround(
        requests=len(rows),
        open=len(rows) - len(resolved),
        avg_days=sum(resolved) / len(resolved) if resolved else None,
        hours=sum(r.hours or 0.0 for r in rows),
    )


def turnaround_by(
    requests: Iterable[RequestRow], key: Callable[[RequestRow], str | None], today: date
) -> list[tuple[str, Turnaround]]:
    """Turnaround per group (a kind, an engineer), most requests first; no engineer groups under ""."""
    groups: dict[str, list[RequestRow]] = defaultdict(list)
    for r in requests:
        groups[key(r) or ""].append(r)
    out = [(name, turnaround_of(rows, today)) for name, rows in groups.items()]
    return sorted(out, key=lambda item: (-item[1].requests, item[0]))


def engineer_load(requests: Iterable[RequestRow], mondays: list[date], today: date) -> dict[str, list[int]]:
    """Per engineer, the requests in hand in each week: requested on or before its Sunday and not resolved before
    its Monday (open ones until today)."""
    load: dict[str, list[int]] = {}
    for r in requests:
        if not r.engineer:
            continue
        row = load.setdefault(r.engineer, [0] * len(mondays))
        end = r.resolved_date or today
        for i, monday in enumerate(mondays):
            if r.requested_date <= monday + timedelta(days=6) and end >= monday:
                row[i] += 1
    return dict(sorted(load.items(), key=lambda item: (-sum(item[1]), item[0])))


@dataclass(frozen=True)
class WinSplit:
    won: int = 0
    lost: int = 0
    won_amount: float = 0.0
    lost_amount: float = 0.0

    @property
    def n(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> float | None:
        """The usual win rate (``metrics.sales.win_rate``), by count."""
        return win_rate(self.won, self.lost)


@dataclass(frozen=True)
class ClosedDeal:
    opp_code: str
    status: str
    amount: float = 0.0


def supported_split(deals: Iterable[ClosedDeal], supported: set[str]) -> tuple[WinSplit, WinSplit]:
    """Win rate of supported deals (an opportunity with at least one request) against unsupported ones: the usual
    win rate, won / (won + lost), among the deals closed in the period."""
    tallies = {True: [0, 0, 0.0, 0.0], False: [0, 0, 0.0, 0.0]}
    for d in deals:
        if d.status not in BID_DECIDED:
            continue
        t = tallies[d.opp_code in supported]
        won = d.status == "won"
        t[0 if won else 1] += 1
        t[2 if won else 3] += d.amount
    return (
        WinSplit(int(tallies[True][0]), int(tallies[True][1]), tallies[True][2], tallies[True][3]),
        WinSplit(int(tallies[False][0]), int(tallies[False][1]), tallies[False][2], tallies[False][3]),
    )


# --- price calculation (价格核算) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineRow:
    """One line of a quote (or of the calculator) with its product's list price, cost and floor."""

    product_code: str
    quantity: float
    unit_price: float
    list_price: float
    unit_cost: float
    #: the product's floor_margin, or the setting's default where the price list names none
    floor: float
    quote_code: str = ""
    opp_code: str = ""
    quoted_date: date | None = None
    product_name: str = ""
    approved_by: str | None = None
    approval_note: str | None = None

    @property
    def revenue(self) -> float:
        return self.quantity * self.unit_price

    @property
    def cost(self) -> float:
        return self.quantity * self.unit_cost

    @property
    def list_amount(self) -> float:
        return self.quantity * self.list_price

    @property
    def margin(self) -> float | None:
        """The line's margin (unit_price - unit_cost) / unit_price; None for a line given away (price 0)."""
        return (self.unit_price - self.unit_cost) / self.unit_price if self.unit_price else None

    @property
    def discount(self) -> float | None:
        return 1 - self.unit_price / self.list_price if self.list_price else None

    @property
    def below_floor(self) -> bool:
        """Below floor = (unit_price - unit_cost) / unit_price < the product's floor_margin; a line given away
        at a cost is below any floor."""
        margin = self.margin
        return self.unit_cost > 0 if margin is None else margin < self.floor - 1e-12


@dataclass(frozen=True)
class Quote:
    """One quote version: revenue = sum(quantity x unit_price), cost = sum(quantity x unit_cost), list amount =
    sum(quantity x list_price)."""

    quote_code: str
    opp_code: str
    quoted_date: date | None
    revenue: float
    cost: float
    list_amount: float
    below_floor_lines: int
    lines: tuple[LineRow, ...] = ()
    current: bool = False
    rep_code: str = ""

    @property
    def gm(self) -> float | None:
        """Quote GM% = (revenue - cost) / revenue; None when the revenue is 0."""
        return (self.revenue - self.cost) / self.revenue if self.revenue else None

    @property
    def discount(self) -> float | None:
        """Discount = 1 - revenue / sum(quantity x list_price); None when the list amount is 0."""
        return 1 - self.revenue / self.list_amount if self.list_amount else None


def quote_of(lines: Iterable[LineRow], quote_code: str = "", opp_code: str = "") -> Quote:
    """A quote's totals from its lines (the calculator's too)."""
    rows = tuple(lines)
    first = rows[0] if rows else None
    return Quote(
        quote_code=quote_code or (first.quote_code if first else ""),
        opp_code=opp_code or (first.opp_code if first else ""),
        quoted_date=first.quoted_date if first else None,
        revenue=sum(r.revenue for r in rows),
        cost=sum(r.cost for r in rows),
        list_amount=sum(r.list_amount for r in rows),
        below_floor_lines=sum(1 for r in rows if r.below_floor),
        lines=rows,
    )


def mark_current(quotes: Iterable[Quote]) -> list[Quote]:
    """Each quote with ``current`` set: an opportunity's current quote is its latest quoted_date (ties: the greater
    quote_code). Sorted by deal, then newest first."""
    rows = list(quotes)
    latest: dict[str, tuple[date, str]] = {}
    for q in rows:
        mark = (q.quoted_date or date.min, q.quote_code)
        if q.opp_code not in latest or mark > latest[q.opp_code]:
            latest[q.opp_code] = mark
    out = [replace(q, current=latest[q.opp_code] == (q.quoted_date or date.min, q.quote_code)) for q in rows]
    return sorted(out, key=lambda q: (q.opp_code, q.quoted_date or date.min, q.quote_code), reverse=True)


def quotes_of(lines: Iterable[LineRow]) -> list[Quote]:
    """Every quote of the lines, totals summed and the current version marked."""
    groups: dict[str, list[LineRow]] = defaultdict(list)
    for line in lines:
        groups[line.quote_code].append(line)
    return mark_current(quote_of(rows) for rows in groups.values())


def weighted_discount(revenue: float, list_amount: float) -> float | None:
    """Amount-weighted discount over quotes = 1 - sum(revenue) / sum(list amount)."""
    return 1 - revenue / list_amount if list_amount else None


# --- risk flags (控制腐败) -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One row behind a flag: a quote line, a quote, a contract, an event, a rep's or a team's discount."""

    what: str  # line / quote / contract / event / rep / team
    code: str
    name: str = ""
    day: date | None = None
    amount: float | None = None
    share: float | None = None  # the margin, discount or cost share the row carries
    who: str | None = None  # the approver, the owner
    note: str | None = None


@dataclass(frozen=True)
class Flag:
    kind: str
    rep_code: str | None
    value: float | None
    opp_code: str | None = None
    quote_code: str | None = None
    account_code: str | None = None
    evidence: tuple[Evidence, ...] = field(default=())


def _line_evidence(line: LineRow) -> Evidence:
    return Evidence(
        "line",
        line.product_code,
        line.product_name,
        line.quoted_date,
        line.revenue,
        line.margin,
        line.approved_by,
        line.approval_note,
    )


def _worst(lines: list[LineRow]) -> float | None:
    margins = [line.margin for line in lines if line.margin is not None]
    return min(margins) if margins else None


@dataclass(frozen=True)
class QuoteOwner:
    """Who a quote's deal belongs to: its owner rep and account."""

    rep_code: str
    account_code: str


def unapproved_below_floor(lines: Iterable[LineRow], owners: Mapping[str, QuoteOwner]) -> list[Flag]:
    """Flag (1): a quote with a below-floor line that has no ``approved_by``; one flag per quote, its value the
    lowest margin among those lines, its evidence the lines."""
    by_quote: dict[str, list[LineRow]] = defaultdict(list)
    for line in lines:
        if line.below_floor and not line.approved_by:
            by_quote[line.quote_code].append(line)
    return [_quote_flag("unapproved_below_floor", rows, owners) for _, rows in sorted(by_quote.items())]


def self_approved(lines: Iterable[LineRow], owners: Mapping[str, QuoteOwner]) -> list[Flag]:
    """Flag (2): an approver approving their own quote (approved_by = the opportunity's owner); one flag per quote,
    its value the lowest margin among the self-approved lines."""
    by_quote: dict[str, list[LineRow]] = defaultdict(list)
    for line in lines:
        owner = owners.get(line.opp_code)
        if line.approved_by and owner is not None and line.approved_by == owner.rep_code:
            by_quote[line.quote_code].append(line)
    return [_quote_flag("self_approved", rows, owners) for _, rows in sorted(by_quote.items())]


def _quote_flag(kind: str, rows: list[LineRow], owners: Mapping[str, QuoteOwner]) -> Flag:
    owner = owners.get(rows[0].opp_code)
    return Flag(
        kind,
        owner.rep_code if owner else None,
        _worst(rows),
        opp_code=rows[0].opp_code,
        quote_code=rows[0].quote_code,
        account_code=owner.account_code if owner else None,
        evidence=tuple(_line_evidence(line) for line in rows),
    )


@dataclass(frozen=True)
class ContractRow:
    contract_code: str
    opp_code: str
    signed_date: date
    amount: float
    rep_code: str
    account_code: str


def contract_below_quote(
    contracts: Iterable[ContractRow], current: Mapping[str, Quote], threshold: float
) -> list[Flag]:
    """Flag (3): a won contract whose amount is more than ``threshold`` (5%) below its deal's current quote's
    revenue: amount < revenue x (1 - threshold). Value: the shortfall 1 - amount / revenue."""
    out = []
    for c in contracts:
        quote = current.get(c.opp_code)
        if quote is None or quote.revenue <= 0:
            continue
        shortfall = 1 - c.amount / quote.revenue
        if shortfall > threshold + 1e-12:
            out.append(
                Flag(
                    "contract_below_quote",
                    c.rep_code,
                    shortfall,
                    opp_code=c.opp_code,
                    quote_code=quote.quote_code,
                    account_code=c.account_code,
                    evidence=(
                        Evidence("quote", quote.quote_code, "", quote.quoted_date, quote.revenue, quote.gm),
                        Evidence("contract", c.contract_code, "", c.signed_date, c.amount),
                    ),
                )
            )
    return sorted(out, key=lambda f: -(f.value or 0))


@dataclass(frozen=True)
class RepDiscount:
    """A rep's quotes of the period: their revenue and list amount summed."""

    rep_code: str
    team: str
    revenue: float
    list_amount: float
    quotes: int = 0
    name: str = ""

    @property
    def discount(self) -> float | None:
        return weighted_discount(self.revenue, self.list_amount)


def team_discounts(reps: Iterable[RepDiscount]) -> list[RepDiscount]:
    """Each team's quotes summed over its reps (the team's amount-weighted discount), largest discount first."""
    teams: dict[str, list[RepDiscount]] = defaultdict(list)
    for r in reps:
        teams[r.team].append(r)
    out = [
        RepDiscount(
            team,
            team,
            sum(m.revenue for m in members),
            sum(m.list_amount for m in members),
            sum(m.quotes for m in members),
        )
        for team, members in teams.items()
    ]
    return sorted(out, key=lambda r: (-(r.discount or 0), r.team))


def discount_outliers(reps: Iterable[RepDiscount], gap: float, min_reps: int) -> list[Flag]:
    """Flag (4): a rep whose amount-weighted discount over the period exceeds their team's (every quoting rep of
    the team, the rep included) by more than ``gap`` (10 points); teams of at least ``min_reps`` (3) quoting reps.
    Value: the gap."""
    teams: dict[str, list[RepDiscount]] = defaultdict(list)
    for r in reps:
        if r.list_amount > 0:
            teams[r.team].append(r)
    out = []
    for team, members in teams.items():
        if len(members) < min_reps:
            continue
        team_discount = weighted_discount(sum(m.revenue for m in members), sum(m.list_amount for m in members))
        for m in members:
            if m.discount is None or team_discount is None:
                continue
            difference = m.discount - team_discount
            if difference > gap + 1e-12:
                out.append(
                    Flag(
                        "discount_outlier",
                        m.rep_code,
                        difference,
                        evidence=(
                            Evidence("rep", m.rep_code, m.name, None, m.revenue, m.discount, note=str(m.quotes)),
                            Evidence("team", team, team, None, sum(x.revenue for x in members), team_discount),
                        ),
                    )
                )
    return sorted(out, key=lambda f: -(f.value or 0))


@dataclass(frozen=True)
class EventCost:
    """An event, the accounts in question that attended it, and how many accounts attended it in all (its cost is
    split equally over them)."""

    event_code: str
    name: str
    event_date: date
    cost: float
    accounts: tuple[str, ...]
    seats: int


def event_cost_high(
    events: Iterable[EventCost],
    bookings: Mapping[str, float],
    owners: Mapping[str, str],
    threshold: float,
) -> list[Flag]:
    """Flag (5): event cost at one account in a year above ``threshold`` (10%) of the account's bookings in the
    year. An event's cost is split equally over its attended accounts and summed per account; accounts without
    bookings in the year are not flagged (that spend is acquisition). Value: the cost share. The events behind a
    flag are listed for the flagged accounts only (a year of the whole company at a million deals: 70,000 seats,
    a few hundred flagged)."""
    events = [e for e in events if e.seats]
    spent: dict[str, float] = defaultdict(float)
    for e in events:
        share = e.cost / e.seats
        for account in e.accounts:
            spent[account] += share
    ratios: dict[str, float] = {}
    for account, cost in spent.items():
        booked = bookings.get(account, 0.0)
        if booked > 0 and (ratio := cost / booked) > threshold + 1e-12:
            ratios[account] = ratio
    behind: dict[str, list[Evidence]] = defaultdict(list)
    for e in events:
        share = e.cost / e.seats
        for account in e.accounts:
            if account in ratios:
                behind[account].append(Evidence("event", e.event_code, e.name, e.event_date, share))
    out = [
        Flag(
            "event_cost_high",
            owners.get(account),
            ratio,
            account_code=account,
            evidence=(*behind[account], Evidence("bookings", account, "", None, bookings[account], ratio)),
        )
        for account, ratio in ratios.items()
    ]
    return sorted(out, key=lambda f: -(f.value or 0))


def flag_counts(flags: Iterable[Flag]) -> dict[str, int]:
    """Flags per kind, every kind named (0 where none)."""
    counts = dict.fromkeys(RISK_KINDS, 0)
    for f in flags:
        counts[f.kind] += 1
    return counts
