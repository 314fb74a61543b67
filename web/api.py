"""The read-only JSON API under /api/v1/: the pages' metrics, in the caller's scope.

Authentication is the sign-in guard's (session cookie or bearer token). Every parameter is checked
here: an unknown or malformed one is a 400 with a message; a rep or team outside the caller's scope a 403.
"""

from __future__ import annotations

from typing import NoReturn

import pandas as pd
from flask import Blueprint, Response, jsonify, request
from sqlalchemy.orm import Session

from data_access import queries
from data_access.runtime import read_session, today
from data_access.scope import Scope
from data_access.settings import load_settings
from metrics.commission import commission_payout
from metrics.frames import records
from metrics.params import text, whole
from metrics.period import Period
from metrics.rad import classify
from metrics.sales import weighted_amounts, weighted_pipeline, win_rate
from metrics.views.kpis import overview_kpis
from web.auth import current_viewer
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
    year = _int(params, "year", 2000, 2100, today().year)
    assert year is not None
    return year


def _scope() -> Scope:
    viewer = current_viewer()
    if viewer is None:  # the guard answers 401 before we get here; never serve without a viewer
        raise ApiError(401, "unauthorized", "sign in first")
    return viewer.scope


def _rep_scope(session: Session, scope: Scope, rep_code: str) -> tuple[int, Scope]:
    """The rep's id and the caller's scope narrowed to that rep; 403 outside the scope, 404 unknown. (Any rep
    row counts here, a manager's or a director's too; the pages' pickers offer sales reps only.)"""
    found = queries.rep_by_code(session, rep_code) if text(rep_code, 50) else None
    if found is None or not queries.rep_in_scope(session, scope, found[0]):
        if found is None and scope.is_everything:
            raise ApiError(404, "not_found", f"no rep {rep_code[:50]!r}")
        raise ApiError(403, "forbidden", f"rep {rep_code[:50]!r} is outside what you may see")
    return found[0], scope.narrow(rep_id=found[0])


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.get("/rad")
def rad() -> Response:
    params = _params(("year",))
    year = _year(params)
    with read_session() as session:
        settings = load_settings(session)
        df = classify(queries.account_year(session, _scope(), year), settings.rad_r_min, settings.rad_a_max)
    accounts = [
        {
            "account_code": r["account_code"],
            "name": r["name"],
            "bp": None if r["bp"] is None else float(r["bp"]),
            "bookings": float(r["bookings"]),
            "sow": None if r["sow"] is None else float(r["sow"]),
            "rad_class": r["rad_class"],
            "manual": bool(r["manual"]),
            "flags": list(r["flags"]),
        }
        for r in records(df)
    ]
    return jsonify({"year": year, "accounts": accounts})


@bp.get("/funnel")
def funnel() -> Response:
    params = _params(("rep", "team"))
    team_id = _int(params, "team", 1, 2**31 - 1, None)
    with read_session() as session:
        scope = _scope()
        if team_id is not None:
            if team_id not in {tid for tid, _ in queries.teams(session, scope)}:
                raise ApiError(403, "forbidden", f"team {team_id} is outside what you may see")
            scope = scope.narrow(team_id=team_id)
        if params.get("rep"):
            _rep_id, scope = _rep_scope(session, scope, params["rep"])
        probabilities = load_settings(session).level_probabilities
        frame = queries.open_pipeline_by_level(session, scope)
    found = {int(r["level"]): r for r in records(frame)}
    per_level = pd.DataFrame(
        {
            "level": list(range(1, 6)),
            "count": [int(found[lv]["count"]) if lv in found else 0 for lv in range(1, 6)],
            "amount": [float(found[lv]["amount"]) if lv in found else 0.0 for lv in range(1, 6)],
        }
    )
    per_level["weighted"] = weighted_amounts(per_level["level"], per_level["amount"], probabilities)
    levels = [
        {
            "level": int(r["level"]),
            "count": int(r["count"]),
            "amount": float(r["amount"]),
            "weighted": float(r["weighted"]),
        }
        for r in per_level.to_dict("records")
    ]
    return jsonify(
        {
            "levels": levels,
            "open_amount": float(frame["amount"].sum()),
            "weighted_amount": weighted_pipeline(frame, probabilities),
        }
    )


@bp.get("/scorecard/<rep_code>")
def scorecard(rep_code: str) -> Response:
    params = _params(("year", "quarter"))
    year = _year(params)
    quarter = _int(params, "quarter", 1, 4, None)
    with read_session() as session:
        _rep_id, scope = _rep_scope(session, _scope(), rep_code)
        k = overview_kpis(session, scope, Period(year, quarter), today())
        tiers = load_settings(session).commission_tiers
    payout = None
    if k.target_commission is not None and k.attainment is not None:
        payout = commission_payout(k.target_commission, k.attainment, tiers).total
    return jsonify(
        {
            "rep_code": rep_code,
            "year": year,
            "quarter": quarter,
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
            "commission_payout": payout,
            "overdue_amount": k.overdue.amount,
        }
    )


@bp.get("/winloss")
def winloss() -> Response:
    params = _params(("year",))
    year = _year(params)
    period = Period(year)
    with read_session() as session:
        scope = _scope()
        outcomes = queries.closed_outcomes(session, scope, period.start, period.end)
        reasons = queries.loss_reasons(session, scope, period.start, period.end)
        competitors = queries.competitor_outcomes(session, scope, period.start, period.end)
    return jsonify(
        {
            "year": year,
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
                for r in records(reasons)
            ],
            "competitors": [
                {"competitor": str(c["competitor"]), "won": int(c["won"]), "lost": int(c["lost"])}
                for c in records(competitors)
            ],
        }
    )


@bp.route("/", defaults={"rest": ""})
@bp.route("/<path:rest>")
def not_found(rest: str) -> tuple[Response, int]:
    return jsonify({"error": "not_found", "message": f"no API endpoint /api/v1/{rest}"}), 404
