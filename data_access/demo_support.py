"""The demo's sales support (issue 20): the price list, quotes, bids and technical support requests. Functions of
the demo's generator (``data_access.demo._Generator``), which holds the reps and the deals (level 2 and up) they
read, and the writer they add rows with; they run last, so the rest of the demo is the same with or without them.

Believable at every size, and each risk flag of the data dictionary has rows to show: a few quote lines below
their margin floor (most approved by the rep's manager, some by nobody, a very few by the deal's owner), a few won
contracts more than 5% below their current quote, one rep per 50 discounting far more than the team.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from data_access.demo_names import (
    APPROVAL_NOTES,
    GIVEN,
    PRODUCTS,
    SELF_APPROVAL_NOTES,
    SUPPORT_MIX,
    SURNAMES,
    TENDERS,
)
from data_access.models import Bid, Product, QuoteLine, SupportRequest
from metrics.settings import DEFAULT_FLOOR_MARGIN

if TYPE_CHECKING:
    from data_access.demo import _Generator

#: share of the deals at level 3 and up with quotes, with a bid; of those at level 2 and up with a support request
QUOTED, BID, SUPPORTED = 0.35, 0.25, 0.30
#: a supported deal is picked by its outcome: won deals more often (so their win rate is visibly higher)
SUPPORT_WEIGHT = {"won": 1.35, "lost": 0.85, "open": 1.0}
#: share of quote lines below their floor; of those: approved by the manager, by the deal's owner (the rest: nobody)
BELOW_FLOOR, BY_MANAGER, BY_SELF = 0.03, 0.55, 0.07
#: share of won quoted deals whose contract is signed well below the current quote
UNDER_QUOTE = 0.03
#: how much more the discount outliers (one rep in 50) give than their team
OUTLIER_GAP = 0.17


class Deal(NamedTuple):
    """An opportunity that reached level 2 or more, as the support functions need it."""

    id: int
    rep_id: int
    account: str
    amount: float
    level: int  # the level reached (5 for a won deal, fully paid or not)
    status: str
    created: date
    closed: date | None
    product_line: str
    history: list[tuple[int, date]]


class _Item(NamedTuple):
    id: int
    list_price: float
    unit_cost: float
    max_discount: float  # the largest discount that keeps the line at its floor
    floor_price: float  # below it, the line is below its floor
    per_day: bool  # a service by the day: quoted by the half day


def _entered(deal: Deal, level: int) -> date:
    """The day the deal entered ``level`` (or its creation, if it started there)."""
    return next((day for lv, day in deal.history if lv >= level), deal.created)


def price_list(g: _Generator) -> dict[str, list[_Item]]:
    """The price list (价格表): every product of the product lines the deals use, prices a little apart from the
    catalogue's; a quarter of them carry their own margin floor (10-25%), the rest the setting's default."""
    rng = g.rng
    rows: list[dict[str, Any]] = []
    for line, products in PRODUCTS.items():
        for name, price, cost_share in products:
            list_price = round(price * rng.uniform(0.92, 1.08), -1 if price < 10_000 else -2)
            cost = round(list_price * min(max(cost_share + rng.uniform(-0.02, 0.02), 0.55), 0.80), 2)
            rows.append(
                dict(
                    id=len(rows) + 1,
                    product_code=f"P{len(rows) + 1:04d}",
                    product_line=line,
                    name=name,
                    list_price=list_price,
                    unit_cost=cost,
                    floor_margin=None,
                )
            )
    for row in rng.sample(rows, len(rows) // 4):
        headroom = math.floor((1 - row["unit_cost"] / row["list_price"] - 0.05) * 100) / 100
        row["floor_margin"] = min(round(rng.uniform(0.10, 0.25), 2), headroom)
    items: dict[str, list[_Item]] = defaultdict(list)
    for row in rows:
        g.w.add(Product, row)
        floor = DEFAULT_FLOOR_MARGIN if row["floor_margin"] is None else row["floor_margin"]
        items[row["product_line"]].append(
            _Item(
                row["id"],
                row["list_price"],
                row["unit_cost"],
                1 - row["unit_cost"] / (row["list_price"] * (1 - floor)),
                row["unit_cost"] / (1 - floor),
                "人天" in row["name"],
            )
        )
    return items


def engineers(g: _Generator) -> dict[int, list[str]]:
    """Each team's solution engineers (售前工程师), 6-12 of them; no name twice in the company."""
    rng = g.rng
    taken = {r["name"] for r in g.reps}
    out: dict[int, list[str]] = {}
    for team_id in sorted({r["team_id"] for r in g.reps}):
        names: list[str] = []
        for _ in range(rng.randint(6, 12)):
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
            while name in taken:
                name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=2))
            taken.add(name)
            names.append(name)
        out[team_id] = names
    return out


def quotes(g: _Generator, items: dict[str, list[_Item]]) -> None:
    """Quotes (报价) for about a third of the deals at level 3 and up: 1-3 versions on distinct days, each a
    little more discounted than the one before; the latest one's revenue meets the deal's amount (a won deal's
    within 5% of its contract, but for a few signed well below it). Discounts are the team's level plus the
    rep's habit; the outlier reps give 17 points more."""
    rng, as_of = g.rng, g.as_of
    rep_of = {r["id"]: r for r in g.reps}
    teams: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in g.reps:
        teams[r["team_id"]].append(r)
    team_level = {t: rng.uniform(0.05, 0.10) for t in sorted(teams)}
    habit = {r["id"]: rng.uniform(-0.03, 0.04) for r in g.reps}
    # one rep in 50 discounts far more than the team, never two in a team (whose level they would lift)
    for t in rng.sample(sorted(teams), min(len(teams), max(1, len(g.reps) // 50))):
        habit[rng.choice(teams[t])["id"]] += OUTLIER_GAP
    quote_no = line_id = 0
    for n, deal in enumerate(g.deals):
        if n % 512 == 0:
            g.w.maybe_flush()
        if deal.level < 3 or rng.random() >= QUOTED:
            continue
        first = _entered(deal, 3)
        end = deal.closed or as_of
        span = (end - first).days
        versions = min(rng.choices((1, 2, 3), weights=(45, 35, 20))[0], span + 1)
        days = sorted(first + timedelta(days=d) for d in rng.sample(range(span + 1), versions))
        rep = rep_of[deal.rep_id]
        discount = max(team_level[rep["team_id"]] + habit[rep["id"]] + rng.gauss(0, 0.02), 0.0)
        if deal.status == "won":
            under = rng.random() < UNDER_QUOTE
            target = deal.amount / rng.uniform(0.80, 0.92) if under else deal.amount * rng.uniform(0.99, 1.02)
        else:
            target = deal.amount * rng.uniform(0.92, 1.08)
        chosen = _products(rng, items[deal.product_line], target, discount)
        steps = sorted((rng.uniform(0.015, 0.035) for _ in range(versions - 1)), reverse=True)
        # earlier versions: less discount; each line below its floor now and then
        priced = [[_line(rng, item, discount - sum(steps[v:])) for item in chosen] for v in range(versions)]
        quantities = _quantities(rng, chosen, [row["unit_price"] for row in priced[-1]], target)
        for day, rows in zip(days, priced, strict=True):
            quote_no += 1
            for item, quantity, row in zip(chosen, quantities, rows, strict=True):
                if not quantity:
                    continue  # too dear for its share of the deal: left out of every version
                if row["unit_price"] < item.floor_price:
                    roll = rng.random()
                    if roll < BY_MANAGER:
                        row.update(approved_by_rep_id=rep["manager_id"], approval_note=rng.choice(APPROVAL_NOTES))
                    elif roll < BY_MANAGER + BY_SELF:
                        row.update(approved_by_rep_id=rep["id"], approval_note=rng.choice(SELF_APPROVAL_NOTES))
                line_id += 1
                g.w.add(
                    QuoteLine,
                    dict(
                        row,
                        id=line_id,
                        quote_code=f"Q{quote_no:07d}",
                        opportunity_id=deal.id,
                        quoted_date=day,
                        product_id=item.id,
                        quantity=quantity,
                    ),
                )


def _price(item: _Item, discount: float) -> float:
    return round(item.list_price * (1 - discount), 2)


def _line(rng: random.Random, item: _Item, discount: float) -> dict[str, Any]:
    """A line's unit price at about the quote's discount, kept at its floor; now and then below it."""
    if rng.random() < BELOW_FLOOR:
        discount = item.max_discount + rng.uniform(0.01, 0.06)
    else:
        discount = min(max(discount + rng.uniform(-0.01, 0.01), 0.0), item.max_discount - 0.003)
    return dict(unit_price=_price(item, discount), approved_by_rep_id=None, approval_note=None)


def _products(rng: random.Random, products: list[_Item], target: float, discount: float) -> list[_Item]:
    """The products of a deal's quotes: one cheap enough to meet ``target`` in whole units, or 1-3 others and the
    line's service by the day (last), which makes up the rest by the half day."""
    service, others = products[0], products[1:]
    k = rng.choices((1, 2, 3, 4), weights=(15, 35, 30, 20))[0]
    if k == 1:
        cheap = [p for p in products if p.list_price * 40 <= target]
        return [rng.choice(cheap) if cheap else service]
    # a big discount only on products that bear it (an outlier rep's quotes mostly keep their floors)
    fits = [p for p in others if p.list_price <= target * 0.4]
    bearing = [p for p in fits if p.max_discount > discount + 0.01] or fits
    return [*rng.sample(bearing, min(k - 1, len(bearing))), service]


def _quantities(rng: random.Random, products: list[_Item], prices: list[float], target: float) -> list[float]:
    """Quantities that bring the latest version (its ``prices``) to about ``target``: 70-92% of it spread over
    the products but the last (one too dear for its share gets 0), the last making up the rest."""
    main = list(zip(products[:-1], prices[:-1], strict=True))
    weights = [rng.random() + 0.2 for _ in main]
    budget = target * rng.uniform(0.70, 0.92) if main else 0.0
    out = [float(math.floor(budget * w / sum(weights) / price)) for (_, price), w in zip(main, weights, strict=True)]
    spent = sum(q * price for q, (_, price) in zip(out, main, strict=True))
    return [*out, _quantity(products[-1], (target - spent) / prices[-1])]


def _quantity(item: _Item, exact: float) -> float:
    if item.per_day:
        return max(round(exact * 2) / 2, 0.5)
    return float(max(round(exact), 1))


def bids(g: _Generator, engineers: dict[int, list[str]]) -> None:
    """One bid (标案) for a quarter of the deals at level 3 and up, as the deal went: a won deal's bid won, a lost
    one's lost (sometimes withdrawn, or not bid), an open one's submitted once its deadline passed, else in
    preparation. Deadlines 2-6 weeks after publication; a tenth of the submissions a few days late."""
    rng, as_of = g.rng, g.as_of
    team_of = {r["id"]: r["team_id"] for r in g.reps}
    bid_no = 0
    for n, deal in enumerate(g.deals):
        if n % 512 == 0:
            g.w.maybe_flush()
        if deal.level < 3 or rng.random() >= BID:
            continue
        window = rng.randint(14, 42)
        submitted: date | None = None
        result: date | None = None
        if deal.closed is not None:
            result = deal.closed - timedelta(days=rng.randint(0, 7))
            room = (result - deal.created).days - 2  # for the window and the wait for the result
            window = min(window, room - 1)
            deadline = result - timedelta(days=rng.randint(1, min(14, room - window)))
            published = deadline - timedelta(days=window)
            if deal.status == "won":
                status = "won"
            else:
                status = rng.choices(("lost", "withdrawn", "no_bid"), weights=(80, 10, 10))[0]
            if status in ("won", "lost"):
                late = rng.random() < 0.1
                submitted = _submitted(rng, published, deadline, result, late)
            else:
                result = None
        else:
            age = (as_of - deal.created).days
            published = as_of - timedelta(days=rng.randint(1, min(75, age - 1)))
            deadline = published + timedelta(days=window)
            status = "submitted" if deadline < as_of else "preparing"
            if status == "submitted":
                submitted = _submitted(rng, published, deadline, as_of, rng.random() < 0.1)
        bid_no += 1
        year = published.year
        g.w.add(
            Bid,
            dict(
                id=bid_no,
                bid_code=f"BD{bid_no:06d}",
                opportunity_id=deal.id,
                tender_name=rng.choice(TENDERS).format(a=deal.account, p=deal.product_line, y=year),
                published_date=published,
                deadline=deadline,
                status=status,
                submitted_date=submitted,
                bid_amount=None if status == "no_bid" else round(deal.amount * rng.uniform(0.97, 1.04), -2),
                support_owner=rng.choice(engineers[team_of[deal.rep_id]]),
                result_date=result,
            ),
        )


def _submitted(rng: random.Random, published: date, deadline: date, latest: date, late: bool) -> date:
    """The day a bid went in: on or a few days before its deadline, or (late) a few days after, never after
    ``latest`` (its result, or today)."""
    if late and deadline < latest:
        return deadline + timedelta(days=rng.randint(1, min(4, (latest - deadline).days)))
    return max(deadline - timedelta(days=rng.randint(0, 5)), published)


def support_requests(g: _Generator, engineers: dict[int, list[str]]) -> None:
    """Technical support requests (技术支持) for about 30% of the deals at level 2 and up, won deals more often:
    one or two each, asked by the deal's owner between level 2 and the close, answered by an engineer of the
    owner's team in a day to three weeks; some recent ones still open."""
    rng, as_of = g.rng, g.as_of
    team_of = {r["id"]: r["team_id"] for r in g.reps}
    kinds = [kind for kind, _, _ in SUPPORT_MIX]
    cumulative = list(itertools.accumulate(weight for _, weight, _ in SUPPORT_MIX))
    hours_of = {kind: hours for kind, _, hours in SUPPORT_MIX}
    request_no = 0
    for n, deal in enumerate(g.deals):
        if n % 512 == 0:
            g.w.maybe_flush()
        if rng.random() >= SUPPORTED * SUPPORT_WEIGHT[deal.status]:
            continue
        first = _entered(deal, 2)
        span = ((deal.closed or as_of) - first).days
        for kind in rng.choices(kinds, cum_weights=cumulative, k=1 if rng.random() < 0.7 else 2):
            requested = first + timedelta(days=rng.randint(0, span))
            took = min(max(round(rng.lognormvariate(1.6, 0.75)), 1), 25)
            resolved: date | None = requested + timedelta(days=took)
            recent = (as_of - requested).days <= 45
            if requested + timedelta(days=took) > as_of or (recent and rng.random() < 0.06):
                resolved = None  # still open
            low, high = hours_of[kind]
            request_no += 1
            g.w.add(
                SupportRequest,
                dict(
                    id=request_no,
                    request_code=f"SR{request_no:07d}",
                    opportunity_id=deal.id,
                    requested_by_rep_id=deal.rep_id,
                    kind=kind,
                    requested_date=requested,
                    engineer=rng.choice(engineers[team_of[deal.rep_id]]),
                    resolved_date=resolved,
                    hours=round(rng.uniform(low, high) * 2) / 2,
                ),
            )
