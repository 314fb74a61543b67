"""/risk: risk control (风险控制: 控制腐败) for managers and directors — the five flags of the data dictionary, each
a list of the rows behind it (the quote and its lines with the approver, the contract and its quote, the rep's
and the team's discounts, the events and the bookings), never a score without its evidence; a director sets the
thresholds here."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from components import support as drawn
from components.i18n import current_lang, t
from components.shell import page_header, panel
from components.staff import write_message
from metrics.support import RISK_KINDS
from metrics.views import support as view
from web import writes
from web.loading import current_day, load_view, page_layout

dash.register_page(
    __name__, path="/risk", order=4.8, nav_key="nav.risk", roles=("director", "manager"), title="SalesRadar"
)


@page_layout(keep_page=False)  # the thresholds form is a director's
def layout(**query: str) -> html.Div:
    return render(load_view(view.load_risk, query), current_lang())


def render(data: view.RiskData, lang: str) -> html.Div:
    header = page_header(t("risk.title", lang), t("risk.subtitle", lang, year=data.year))
    if not data.allowed:
        return html.Div([header, dbc.Alert(t("risk.forbidden", lang), color="warning")])
    kinds = [data.kind] if data.kind else list(RISK_KINDS)
    sections: list[Any] = [
        html.Div(
            panel(
                f"{t(f'risk.kind.{kind}', lang)} ({data.counts[kind]:,})",
                drawn.flag_list(
                    [f for f in data.flags if f.kind == kind],
                    lang,
                    data.names,
                    drawn.ROWS if data.kind else view.FLAGS_NAMED,
                ),
            ),
            className="mb-3",
            id=f"risk-{kind}",
        )
        for kind in kinds
    ]
    return html.Div(
        [
            header,
            *[dbc.Alert(str(p), color="warning", className="py-2") for p in data.problems],
            drawn.year_links("/risk", data.year, data.years, current_day(), lang, team=data.team_id, kind=data.kind),
            drawn.team_links("/risk", data.teams, data.team_id, lang, year=data.year, kind=data.kind),
            drawn.risk_counts(data.counts, data.year, lang, team=data.team_id),
            html.Div(
                dcc.Link(f"‹ {t('risk.all', lang)}", href=f"/risk?year={data.year}", className="small"),
                className="mb-2",
            )
            if data.kind
            else html.Div(),
            drawn.thresholds_form(data.settings, lang) if data.role == "director" else html.Div(),
            *sections,
        ]
    )


@dash.callback(
    Output(drawn.RISK_MESSAGE, "children"),
    Input(drawn.RISK_SAVE, "n_clicks"),
    *[State(drawn.threshold_id(name), "value") for name in drawn.RISK_FIELDS],
    State("logout-csrf", "value"),
    prevent_initial_call=True,
)
def save_thresholds(clicks: Any, *values: Any) -> Any:
    """A director's thresholds, re-checked on the server (``support_writes``) whoever posts them."""
    if not clicks:
        raise PreventUpdate
    *fields, csrf = values
    outcome = writes.set_risk_thresholds(csrf, dict(zip(drawn.RISK_FIELDS, fields, strict=True)))
    lang = current_lang()
    if outcome.key == "write.bad_threshold" and outcome.detail in drawn.RISK_FIELDS:  # the field by its label
        return write_message(False, t(outcome.key, lang, detail=t(f"risk.setting.{outcome.detail}", lang)))
    return write_message(outcome.ok, outcome.message(lang))
