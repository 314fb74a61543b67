"""The OpenAPI 3.1 document of the read-only JSON API (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from metrics.winloss import SEGMENTS

NUM = {"type": "number"}
NUM_OR_NULL = {"type": ["number", "null"]}
STR_OR_NULL = {"type": ["string", "null"]}
INT = {"type": "integer"}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required or list(props), "additionalProperties": False}


ERROR = _obj({"error": {"type": "string"}, "message": {"type": "string"}})
YEAR = {
    "name": "year",
    "in": "query",
    "required": False,
    "description": "calendar year; default this year when the data holds anything dated in it, else the latest "
    "year that does (the pages' default)",
    "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": ERROR,
    "Rad": _obj(
        {
            "year": INT,
            "accounts": {
                "type": "array",
                "items": _obj(
                    {
                        "account_code": {"type": "string"},
                        "name": {"type": "string"},
                        "bp": NUM_OR_NULL,
                        "bookings": NUM,
                        "sow": NUM_OR_NULL,
                        "rad_class": {"type": ["string", "null"], "enum": ["R", "A", "D", None]},
                        "manual": {"type": "boolean"},
                        "flags": {"type": "array", "items": {"type": "string", "enum": ["no_bp", "bp_too_low"]}},
                    }
                ),
            },
        }
    ),
    "Funnel": _obj(
        {
            "levels": {
                "type": "array",
                "items": _obj(
                    {
                        "level": {"type": "integer", "minimum": 1, "maximum": 5},
                        "count": INT,
                        "amount": NUM,
                        "weighted": NUM,
                    }
                ),
            },
            "open_amount": NUM,
            "weighted_amount": NUM,
            "by_class": {
                "type": "array",
                "items": _obj(
                    {
                        "rad_class": {"type": ["string", "null"], "enum": ["R", "A", "D", None]},
                        "pipeline_due": NUM,
                        "v_value": NUM_OR_NULL,
                        "required_v": NUM_OR_NULL,
                    }
                ),
            },
        }
    ),
    "Scorecard": _obj(
        {
            "rep_code": {"type": "string"},
            "region": STR_OR_NULL,
            "year": INT,
            "quarter": {"type": ["integer", "null"]},
            "bookings": NUM,
            "revenue_target": NUM_OR_NULL,
            "attainment": NUM_OR_NULL,
            "gm_booked": NUM,
            "gm_target": NUM_OR_NULL,
            "gm_attainment": NUM_OR_NULL,
            "remaining_quota": NUM_OR_NULL,
            "v_value": NUM_OR_NULL,
            "quota_met": {"type": "boolean"},
            "weighted_pipeline": NUM,
            "win_rate": NUM_OR_NULL,
            "win_rate_amount": NUM_OR_NULL,
            "commission_payout": NUM_OR_NULL,
            "overdue_amount": NUM,
        }
    ),
    "WinLoss": _obj(
        {
            "year": INT,
            "quarter": {"type": ["integer", "null"]},
            "won": INT,
            "lost": INT,
            "win_rate": NUM_OR_NULL,
            "win_rate_amount": NUM_OR_NULL,
            "loss_reasons": {
                "type": "array",
                "items": _obj({"reason": {"type": ["string", "null"]}, "count": INT, "amount": NUM}),
            },
            "competitors": {
                "type": "array",
                "items": _obj({"competitor": {"type": "string"}, "won": INT, "lost": INT}),
            },
            "segment": {"type": "string"},
            "by_segment": {
                "type": "array",
                "items": _obj(
                    {
                        "key": STR_OR_NULL,
                        "won": INT,
                        "lost": INT,
                        "win_rate": NUM_OR_NULL,
                        "win_rate_amount": NUM_OR_NULL,
                    }
                ),
            },
        }
    ),
    "Visits": _obj(
        {
            "week": {"type": "string", "pattern": "^[0-9]{4}-W[0-9]{2}$"},
            "reps": {
                "type": "array",
                "items": _obj(
                    {
                        "rep_code": {"type": "string"},
                        "planned": INT,
                        "planned_done": INT,
                        "plan_done_rate": NUM_OR_NULL,
                        "unplanned": INT,
                        "records": INT,
                        "records_complete": INT,
                    }
                ),
            },
        }
    ),
    "Events": _obj(
        {
            "year": INT,
            "events": {
                "type": "array",
                "items": _obj(
                    {
                        "event_code": {"type": "string"},
                        "kind": {
                            "type": "string",
                            "enum": [
                                "dinner_6a2r",
                                "vip_event",
                                "exec_roundtable",
                                "seminar",
                                "service_month",
                                "partner_event",
                            ],
                        },
                        "event_date": {"type": "string", "format": "date"},
                        "cost": NUM,
                        "accounts": INT,
                        "by_class": _obj({"R": INT, "A": INT, "D": INT, "unknown": INT}),
                        "check_6a2r": {"type": ["boolean", "null"]},
                        "missing": {
                            "type": "object",
                            "properties": {"A": INT, "R": INT},
                            "additionalProperties": False,
                        },
                        "cost_per_account": NUM_OR_NULL,
                        "pipeline_after_amount": NUM,
                        "pipeline_after_count": INT,
                    }
                ),
            },
        }
    ),
    "Training": _obj(
        {
            "year": INT,
            "required_hours": NUM,
            "reps": {
                "type": "array",
                "items": _obj({"rep_code": {"type": "string"}, "hours": NUM, "under_requirement": {"type": "boolean"}}),
            },
        }
    ),
    "Bids": _obj(
        {
            "year": INT,
            "bids": {
                "type": "array",
                "items": _obj(
                    {
                        "bid_code": {"type": "string"},
                        "opp_code": {"type": "string"},
                        "status": {
                            "type": "string",
                            "enum": ["preparing", "submitted", "won", "lost", "withdrawn", "no_bid"],
                        },
                        "on_time": {"type": ["boolean", "null"]},
                    }
                ),
            },
            "won": INT,
            "lost": INT,
            "win_rate": NUM_OR_NULL,
            "win_rate_amount": NUM_OR_NULL,
            "on_time_rate": NUM_OR_NULL,
            "due_soon": {"type": "array", "items": {"type": "string"}},
        }
    ),
    "Support": _obj(
        {
            "year": INT,
            "requests": INT,
            "open": INT,
            "avg_turnaround_days": NUM_OR_NULL,
            "supported": _obj({"won": INT, "lost": INT, "win_rate": NUM_OR_NULL}),
            "unsupported": _obj({"won": INT, "lost": INT, "win_rate": NUM_OR_NULL}),
        }
    ),
    "Quotes": _obj(
        {
            "quotes": {
                "type": "array",
                "items": _obj(
                    {
                        "quote_code": {"type": "string"},
                        "opp_code": {"type": "string"},
                        "revenue": NUM,
                        "cost": NUM,
                        "gm": NUM_OR_NULL,
                        "discount": NUM_OR_NULL,
                        "below_floor_lines": INT,
                        "current": {"type": "boolean"},
                    }
                ),
            }
        }
    ),
    "Risk": _obj(
        {
            "year": INT,
            "flags": {
                "type": "array",
                "items": _obj(
                    {
                        "kind": {
                            "type": "string",
                            "enum": [
                                "unapproved_below_floor",
                                "self_approved",
                                "contract_below_quote",
                                "discount_outlier",
                                "event_cost_high",
                            ],
                        },
                        "rep_code": STR_OR_NULL,
                        "opp_code": STR_OR_NULL,
                        "quote_code": STR_OR_NULL,
                        "account_code": STR_OR_NULL,
                        "value": NUM_OR_NULL,
                    }
                ),
            },
        }
    ),
    "Actions": _obj(
        {
            "as_of": {"type": "string", "format": "date"},
            "actions": {
                "type": "array",
                "items": _obj(
                    {
                        "kind": {
                            "type": "string",
                            "enum": [
                                "visit_d",
                                "learn_bp",
                                "exec_touch_r",
                                "director_top10_d",
                                "stalled_deal",
                                "collect_overdue",
                                "plan_next_week",
                            ],
                        },
                        "rep_code": {"type": "string"},
                        "account_code": STR_OR_NULL,
                        "opp_code": STR_OR_NULL,
                        "reason": {"type": "string"},
                    }
                ),
            },
        }
    ),
    "Forecast": _obj(
        {
            "year": INT,
            "quarter": {"type": ["integer", "null"]},
            "bookings": NUM,
            "p10": NUM,
            "p50": NUM,
            "p90": NUM,
            "quota": NUM_OR_NULL,
            "probability_of_quota": NUM_OR_NULL,
            "method": {"type": "string"},
        }
    ),
}

REP = {"name": "rep", "in": "query", "required": False, "schema": {"type": "string"}, "description": "a rep code"}
TEAM = {"name": "team", "in": "query", "required": False, "schema": {"type": "integer"}, "description": "a team id"}
QUARTER = {
    "name": "quarter",
    "in": "query",
    "required": False,
    "schema": {"type": "integer", "minimum": 1, "maximum": 4},
    "description": "a quarter of the year",
}
PRODUCT = {
    "name": "product",
    "in": "query",
    "required": False,
    "schema": {"type": "string"},
    "description": "a product line: its deals only (quotas stay whole)",
}
RAD = {
    "name": "rad",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": ["R", "A", "D", "none"]},
    "description": "deals of accounts of this RAD class in the period's year (none: SOW unknown)",
}
#: the filter bar's filters, as every route of a filtered page takes them
FILTERS = [YEAR, QUARTER, TEAM, REP, PRODUCT, RAD]


def _text(name: str, description: str, enum: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"} if enum is None else {"type": "string", "enum": enum}
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _responses(schema: str) -> dict[str, Any]:
    err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "200": {
            "description": "OK",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        },
        "400": {"description": "a parameter is invalid", **err},
        "401": {"description": "not signed in / no valid token", **err},
        "403": {"description": "outside the viewer's scope", **err},
        "404": {"description": "no such rep or team", **err},
    }


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SalesRadar API",
            "version": "1.0.0",
            "description": "Read-only metrics, scoped to the caller: a rep sees their own numbers, a manager "
            "their team's, a director everyone's. Ratios are fractions; money is CNY; null means unknown.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/api/v1/rad": {
                "get": {
                    "operationId": "rad",
                    "summary": "SOW, BP and RAD class per account",
                    "parameters": [
                        YEAR,
                        TEAM,
                        REP,
                        RAD,
                        _text("region", "an account region"),
                        _text("industry", "an account industry"),
                    ],
                    "responses": _responses("Rad"),
                }
            },
            "/api/v1/funnel": {
                "get": {
                    "operationId": "funnel",
                    "summary": "open opportunities by level",
                    "parameters": FILTERS,
                    "responses": _responses("Funnel"),
                }
            },
            "/api/v1/forecast": {
                "get": {
                    "operationId": "forecast",
                    "summary": "P10 / P50 / P90 of the period's bookings (booked + simulated open deals due in it) "
                    "and the probability of making the quota",
                    "parameters": FILTERS,
                    "responses": _responses("Forecast"),
                }
            },
            "/api/v1/actions": {
                "get": {
                    "operationId": "actions",
                    "summary": "next best actions of the RAD playbook as of today, for the caller's scope",
                    "parameters": [TEAM, REP],
                    "responses": _responses("Actions"),
                }
            },
            "/api/v1/scorecard/{rep_code}": {
                "get": {
                    "operationId": "scorecard",
                    "summary": "a rep's quota attainment, pipeline, win rate, commission and collections",
                    "parameters": [
                        {"name": "rep_code", "in": "path", "required": True, "schema": {"type": "string"}},
                        YEAR,
                        QUARTER,
                    ],
                    "responses": _responses("Scorecard"),
                }
            },
            "/api/v1/winloss": {
                "get": {
                    "operationId": "winloss",
                    "summary": "win rate, loss reasons, competitors, win rate by a segment",
                    "parameters": [
                        *FILTERS,
                        _text(
                            "segment",
                            "what by_segment is cut by (default rad_class)",
                            [*SEGMENTS],
                        ),
                    ],
                    "responses": _responses("WinLoss"),
                }
            },
            "/api/v1/visits": {
                "get": {
                    "operationId": "visits",
                    "summary": "the weekly plan against the visits done, per rep (每周工作计划表)",
                    "parameters": [
                        {
                            "name": "week",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "pattern": "^[0-9]{4}-W[0-9]{2}$"},
                            "description": "ISO week like 2026-W49; default the week holding today",
                        },
                        REP,
                        TEAM,
                    ],
                    "responses": _responses("Visits"),
                }
            },
            "/api/v1/events": {
                "get": {
                    "operationId": "events",
                    "summary": "customer events with their reach by RAD class, the 6A+2R check and pipeline after",
                    "parameters": [YEAR, TEAM],
                    "responses": _responses("Events"),
                }
            },
            "/api/v1/training": {
                "get": {
                    "operationId": "training",
                    "summary": "training hours per rep against the yearly requirement",
                    "parameters": [YEAR],
                    "responses": _responses("Training"),
                }
            },
            "/api/v1/bids": {
                "get": {
                    "operationId": "bids",
                    "summary": "bids whose deadline is in the year: on time, win rate by count and amount, due soon",
                    "parameters": [YEAR, TEAM],
                    "responses": _responses("Bids"),
                }
            },
            "/api/v1/support": {
                "get": {
                    "operationId": "support",
                    "summary": "technical support requests of the year, turnaround, win rate of supported deals",
                    "parameters": [YEAR, TEAM],
                    "responses": _responses("Support"),
                }
            },
            "/api/v1/quotes": {
                "get": {
                    "operationId": "quotes",
                    "summary": "quote versions quoted in the year: revenue, cost, GM%, discount, below-floor lines",
                    "parameters": [
                        YEAR,
                        {
                            "name": "opp",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                            "description": "an opportunity code: its quotes only",
                        },
                        TEAM,
                    ],
                    "responses": _responses("Quotes"),
                }
            },
            "/api/v1/risk": {
                "get": {
                    "operationId": "risk",
                    "summary": "the five risk flags of the year (directors and managers; 403 to a rep)",
                    "parameters": [YEAR, TEAM],
                    "responses": _responses("Risk"),
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "salesradar users token USERNAME"},
                "session": {"type": "apiKey", "in": "cookie", "name": "salesradar_session"},
            },
        },
    }
