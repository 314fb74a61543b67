"""The read-only JSON API under /api/v1/: the pages' metrics, in the caller's scope.

Authentication is the sign-in guard's (session cookie or bearer token). Each route reads its page's loader
(``metrics.views``) with the address a page would have, so an answer cannot drift from the page: the same
filters, scope and figures. The API is stricter about the address than a page: an unknown, repeated or
malformed parameter is a 400 with a message (a page ignores it with a notice); a value the loader refuses is
the status its ``filters.Problem`` carries (a rep or team outside the caller's scope a 403); an unknown rep
is a 404 to a director, who sees everything, and a 403 to anyone else.
"""

from __future__ import annotations

from typing import NoReturn

from flask import Blueprint, Response, jsonify, request

from data_access.rad import UNKNOWN
from data_access.runtime import today
from metrics import winloss as metrics_winloss
from metrics.actions import reason
from metrics.frames import records
from metrics.params import whole
from metrics.period import Period
from metrics.sales import win_rate
from metrics.support import on_time
from metrics.views import actions as views_actions
from metrics.views import forecast as views_forecast
from metrics.views import funnel as views_funnel
from metrics.views import rad as views_rad
from metrics.views import scorecards
from metrics.views import staff as views_staff
from metrics.views import support as views_support
from metrics.views import winloss as views_winloss
from metrics.views.filters import FIRST_YEAR, FORBIDDEN, LAST_YEAR, Filters, Problem, default_year, years_of
from web.auth import current_viewer
from web.loading import load_view
from web.openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def _bad(message: str) -> NoReturn:
    raise ApiError(400, "bad_request", message)


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> tuple[Response, int]:
    return jsonify({"error": exc.error, "message": exc.message}), exc.status


def _params(allowed: tuple[str, ...]) -> dict[str, str]:
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        _bad(f"unknown parameter(s): {', '.join(unknown)}; allowed: {', '.join(allowed) or 'none'}")
    for key in request.args:
        if len(request.args.getlist(key)) > 1:
            _bad(f"parameter {key!r} given more than once")
    return {k: request.args[k] for k in request.args}


def _int(params: dict[str, str], key: str, low: int, high: int, default: int | None) -> int | None:
    raw = params.get(key)
    if raw is None or raw == "":
        return default
    if whole(raw, -(10**9), 10**9) is None:  # ASCII digits only: "²" and "٣" are no numbers here
        _bad(f"{key} must be a whole number, got {raw[:40]!r}")
    value = whole(raw, low, high)
    if value is None:
        _bad(f"{key} must be between {low} and {high}, got {raw.strip()}")
    return value


def _year(params: dict[str, str]) -> int:
    """``year``, by default the pages' (this year when it holds data, else the latest that does)."""
    if params.get("year"):
        year = _int(params, "year", FIRST_YEAR, LAST_YEAR, None)
        assert year is not None
        return year
    return default_year(load_view(years_of, {}), today())


def _period(params: dict[str, str]) -> Period:
    """``year`` (default this year) and ``quarter`` as the period a page's address names (``Period.key``)."""
    return Period(_year(params), _int(params, "quarter", 1, 4, None))


#: The filters of the pages' filter bar, as the API names them (``year`` and ``quarter`` make the page's period)
FILTERS = ("year", "quarter", "team", "rep", "product", "rad")


def _view(params: dict[str, str], *own: str) -> dict[str, str]:
    """The page's address for the API's filters (``FILTERS``, and the route's ``own`` parameters as they are):
    the loader checks them with the pages' parser, and the route answers its refusals (``_checked``)."""
    query = {"period": _period(params).key, "team": _team(params)}
    for key in ("rep", "product", "rad", *own):
        if params.get(key):
            query[key] = params[key]
    return query


def _team(params: dict[str, str]) -> str:
    """``team`` as a page's address holds it: a team id, or "" for none."""
    team_id = _int(params, "team", 1, 2**31 - 1, None)
    return "" if team_id is None else str(team_id)


def _checked(filters: Filters) -> None:
    """The loader's refusals as the API's answer: the first value it ignored (a page shows it as a notice)."""
    _refused(filters.problems)


def _refused(problems: tuple[str, ...]) -> None:
    for problem in problems:
        if isinstance(problem, Problem) and problem.status == FORBIDDEN:
            raise ApiError(FORBIDDEN, "forbidden", problem)
        _bad(problem)


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.get("/rad")
def rad() -> Response:
    params = _params(("year", "team", "rep", "rad", "region", "industry"))
    year = _year(params)
    chosen, table = load_view(views_rad.accounts_answer, _view({**params, "year": str(year)}, "region", "industry"))
    _checked(chosen)
    accounts = [
        {
            "account_code": r["account_code"],
            "name": r["name"],
            "bp": None if r["bp"] is None else float(r["bp"]),
            "bookings": float(r["bookings"]),
            "sow": None if r["sow"] is None else float(r["sow"]),
            "rad_class": None if r["rad_class"] == UNKNOWN else r["rad_class"],
            "manual": bool(r["manual"]),
            "flags": list(r["flags"]),
        }
        for r in records(table.sort_values("account_code"))
    ]
    return jsonify({"year": year, "accounts": accounts})


@bp.get("/funnel")
def funnel() -> Response:
    query = _view(_params(FILTERS))
    data = load_view(views_funnel.load_levels, query)
    _checked(data.filters)
    levels = data.open_levels()
    classes = load_view(views_forecast.load_class_v, query)
    return jsonify(
        {
            "levels": [
                {
                    "level": int(r["level"]),
                    "count": int(r["count"]),
                    "amount": float(r["amount"]),
                    "weighted": float(r["weighted"]),
                }
                for r in records(levels)
            ],
            "open_amount": float(levels["amount"].sum()),
            "weighted_amount": float(levels["weighted"].sum()),
            "by_class": [
                {
                    "rad_class": None if c.rad_class == UNKNOWN else c.rad_class,
                    "pipeline_due": _money(c.pipeline_due),
                    "v_value": _rate(c.v.value),
                    "required_v": _rate(c.required_v),
                }
                for c in classes.classes
            ],
        }
    )


@bp.get("/forecast")
def forecast() -> Response:
    params = _params(FILTERS)
    period = _period(params)
    data = load_view(views_forecast.load_forecast, _view(params))
    _checked(data.filters)
    f = data.forecast
    return jsonify(
        {
            "year": period.year,
            "quarter": period.quarter,
            "bookings": _money(f.booked),
            "p10": _money(f.p10),
            "p50": _money(f.p50),
            "p90": _money(f.p90),
            "quota": _money(f.quota),
            "probability_of_quota": _rate(f.probability_of_quota),
            "method": data.method,
        }
    )


@bp.get("/actions")
def actions() -> Response:
    params = _params(("rep", "team"))
    data = load_view(views_actions.load_actions_api, {"rep": params.get("rep", ""), "team": _team(params)})
    _refused(data.problems)
    return jsonify(
        {
            "as_of": data.as_of.isoformat(),
            "actions": [
                {
                    "kind": a.kind,
                    "rep_code": a.rep_code,
                    "account_code": a.account_code,
                    "opp_code": a.opp_code,
                    "reason": reason(a, data.as_of),
                }
                for a in data.actions
            ],
        }
    )


@bp.get("/scorecard/<rep_code>")
def scorecard(rep_code: str) -> Response:
    period = _period(_params(("year", "quarter")))
    card = load_view(scorecards.load_card, {"rep": rep_code, "period": period.key})
    if card is None or card.rep[1] != rep_code:  # a rep's address always shows the rep: only their own code
        viewer = current_viewer()
        if viewer is not None and viewer.scope.is_everything:
            raise ApiError(404, "not_found", f"no rep {rep_code[:50]!r}")
        raise ApiError(403, "forbidden", f"rep {rep_code[:50]!r} is outside what you may see")
    _checked(card.filters)
    k = card.kpis
    return jsonify(
        {
            "rep_code": rep_code,
            "region": card.region,
            "year": period.year,
            "quarter": period.quarter,
            "bookings": k.bookings,
            "revenue_target": k.revenue_target,
            "attainment": k.attainment,
            "gm_booked": k.gm_booked,
            "gm_target": k.gm_target,
            "gm_attainment": k.gm_attainment,
            "remaining_quota": k.v.remaining,
            "v_value": k.v.value,
            "quota_met": k.v.quota_met,
            "weighted_pipeline": k.weighted_amount,
            "win_rate": k.win_rate,
            "win_rate_amount": k.win_rate_amount,
            "commission_payout": None if card.payout is None else card.payout.total,
            "overdue_amount": k.overdue.amount,
        }
    )


@bp.get("/winloss")
def winloss() -> Response:
    params = _params((*FILTERS, "segment"))
    period = _period(params)
    data = load_view(views_winloss.load, _view(params, "segment"))
    _checked(data.filters)
    outcomes = metrics_winloss.outcomes(data.shape)
    return jsonify(
        {
            "year": period.year,
            "quarter": period.quarter,
            "won": outcomes.won_count,
            "lost": outcomes.lost_count,
            "win_rate": win_rate(outcomes.won_count, outcomes.lost_count),
            "win_rate_amount": win_rate(outcomes.won_amount, outcomes.lost_amount),
            "loss_reasons": [
                {
                    "reason": None if r["reason"] is None else str(r["reason"]),
                    "count": int(r["count"]),
                    "amount": float(r["amount"]),
                }
                for r in records(data.lost_reasons)
            ],
            "competitors": [
                {"competitor": str(c["competitor"]), "won": int(c["won"]), "lost": int(c["lost"])}
                for c in records(data.competitors)
            ],
            "segment": data.segment,
            "by_segment": [
                {
                    "key": None if r["key"] == metrics_winloss.MISSING else str(r["key"]),
                    "won": int(r["won"]),
                    "lost": int(r["lost"]),
                    "win_rate": _rate(r["win_rate"]),
                    "win_rate_amount": _rate(r["win_rate_amount"]),
                }
                for r in records(data.segment_rates())
            ],
        }
    )


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


@bp.get("/visits")
def visits() -> Response:
    params = _params(("week", "rep", "team"))
    query = {"week": params.get("week", ""), "team": _team(params)}
    query["rep"] = params.get("rep", "")
    data = load_view(views_staff.load_visits_api, query)
    _refused(data.problems)
    return jsonify(
        {
            "week": data.week,
            "reps": [
                {
                    "rep_code": code,
                    "planned": w.planned,
                    "planned_done": w.planned_done,
                    "plan_done_rate": _rate(w.plan_done_rate),
                    "unplanned": w.unplanned,
                    "records": w.records,
                    "records_complete": w.records_complete,
                }
                for code, w in data.reps
            ],
        }
    )


@bp.get("/events")
def events() -> Response:
    params = _params(("year", "team"))
    year = _year(params)
    answer = load_view(views_staff.load_events_api, {"year": str(year), "team": _team(params)})
    _refused(answer.problems)
    events = answer.events
    return jsonify(
        {
            "year": year,
            "events": [
                {
                    "event_code": e.event.event_code,
                    "kind": e.event.kind,
                    "event_date": e.event.event_date.isoformat(),
                    "cost": e.event.cost,
                    "accounts": e.accounts,
                    "by_class": dict(e.by_class),
                    "check_6a2r": e.check_6a2r,
                    "missing": e.missing,
                    "cost_per_account": None if e.cost_per_account is None else round(e.cost_per_account, 2),
                    "pipeline_after_amount": round(e.pipeline_after_amount, 2),
                    "pipeline_after_count": e.pipeline_after_count,
                }
                for e in events
            ],
        }
    )


@bp.get("/training")
def training() -> Response:
    year = _year(_params(("year",)))
    data = load_view(views_staff.load_training, {"year": str(year)})
    return jsonify(
        {
            "year": year,
            "required_hours": data.required_hours,
            "reps": [
                {"rep_code": r.rep_code, "hours": round(r.hours, 2), "under_requirement": r.under_requirement}
                for r in sorted(data.reps, key=lambda r: r.rep_code)
            ],
        }
    )


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@bp.get("/bids")
def bids() -> Response:
    params = _params(("year", "team"))
    year = _year(params)
    data = load_view(views_support.load_bids_api, {"year": str(year), "team": _team(params)})
    _refused(data.problems)
    s = data.summary
    return jsonify(
        {
            "year": year,
            "bids": [
                {"bid_code": b.bid_code, "opp_code": b.opp_code, "status": b.status, "on_time": on_time(b)}
                for b in data.bids
            ],
            "won": s.won,
            "lost": s.lost,
            "win_rate": _rate(s.win_rate),
            "win_rate_amount": _rate(s.win_rate_amount),
            "on_time_rate": _rate(s.on_time_rate),
            "due_soon": list(s.due_soon),
        }
    )


@bp.get("/support")
def support() -> Response:
    params = _params(("year", "team"))
    year = _year(params)
    data = load_view(views_support.load_support_api, {"year": str(year), "team": _team(params)})
    _refused(data.problems)
    return jsonify(
        {
            "year": year,
            "requests": data.requests.requests,
            "open": data.requests.open,
            "avg_turnaround_days": _rate(data.requests.avg_days),
            "supported": {
                "won": data.supported.won,
                "lost": data.supported.lost,
                "win_rate": _rate(data.supported.win_rate),
            },
            "unsupported": {
                "won": data.unsupported.won,
                "lost": data.unsupported.lost,
                "win_rate": _rate(data.unsupported.win_rate),
            },
        }
    )


@bp.get("/quotes")
def quotes() -> Response:
    params = _params(("year", "opp", "team"))
    year = _year(params)
    opp = params.get("opp", "")
    if opp and (len(opp) > 50 or not opp.strip() or any(ord(ch) < 32 for ch in opp)):
        _bad(f"opp must be an opportunity code of at most 50 characters, got {opp[:40]!r}")
    data = load_view(views_support.load_quotes_api, {"year": str(year), "opp": opp, "team": _team(params)})
    _refused(data.problems)
    return jsonify(
        {
            "quotes": [
                {
                    "quote_code": q.quote_code,
                    "opp_code": q.opp_code,
                    "revenue": _money(q.revenue),
                    "cost": _money(q.cost),
                    "gm": _rate(q.gm),
                    "discount": _rate(q.discount),
                    "below_floor_lines": q.below_floor_lines,
                    "current": q.current,
                }
                for q in data.quotes
            ]
        }
    )


@bp.get("/risk")
def risk() -> Response:
    params = _params(("year", "team"))
    year = _year(params)
    data = load_view(views_support.load_risk_api, {"year": str(year), "team": _team(params)})
    if data is None:
        raise ApiError(FORBIDDEN, "forbidden", "the risk flags are for directors and managers")
    _refused(data.problems)
    return jsonify(
        {
            "year": year,
            "flags": [
                {
                    "kind": f.kind,
                    "rep_code": f.rep_code,
                    "opp_code": f.opp_code,
                    "quote_code": f.quote_code,
                    "account_code": f.account_code,
                    "value": _rate(f.value),
                }
                for f in data.flags
            ],
        }
    )


@bp.route("/", defaults={"rest": ""})
@bp.route("/<path:rest>")
def not_found(rest: str) -> tuple[Response, int]:
    return jsonify({"error": "not_found", "message": f"no API endpoint /api/v1/{rest}"}), 404
