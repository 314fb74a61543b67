"""Drawing the Import page's results: counts per sheet, problems, the mapping form, the history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.i18n import t

SHOWN = 50
MAP_COL = "import-map-col"
MAP_SHEET = "import-map-sheet"
REMEMBER_ID = "import-remember"
APPLY_ID = "import-apply-mapping"
ERRORS_BUTTON_ID = "import-errors-button"
MAPPING_ROWS_ID = "import-mapping-rows"
MAPPING_CARD_ID = "import-mapping"
APPLIED_ID = "import-applied"
SOURCE_ID = "import-source"
STAGES_ID = "import-stages"
STAGES_BOX_ID = "import-stages-box"
STAGES_REMEMBER_ID = "import-stages-remember"
STAGES_APPLY_ID = "import-stages-apply"
DERIVED_ID = "import-derived"
#: the file's kind: the import format ("") or one CRM's opportunities export (``data_access.importer.crm``)
SOURCE_CHOICES = ("", "salesforce", "hubspot", "odoo", "generic")
#: what a CRM export's preview says it derived (``crm.Derived``'s counts), in this order
DERIVED_COUNTS = ("reps", "accounts", "contracts", "won_steps", "won_as_of", "close_dates", "no_amount", "no_account")
#: the remember control's values; only a director is offered SHARED (and only a director's is kept as such)
REMEMBER_NO, REMEMBER_MINE, REMEMBER_SHARED = "no", "mine", "shared"
HIDDEN = {"display": "none"}
SHOWN_STYLE: dict[str, str] = {}


@dataclass(frozen=True)
class MappingChoice:
    """What the mapping form asks of one tab: a sheet for an unknown tab (``sheet`` None, ``suggested`` the
    likeliest), or a field for each unknown header (header, suggested field) of a known sheet."""

    tab: str
    sheet: str | None
    suggested: str | None = None
    headers: list[tuple[str, str | None]] = field(default_factory=list)


def errors_button(lang: str) -> dbc.Button:
    """Download of the full error report, in the layout from the start (hidden until there are problems)."""
    return dbc.Button(
        t("import.errors_download", lang),
        id=ERRORS_BUTTON_ID,
        color="secondary",
        size="sm",
        className="mb-2",
        style=HIDDEN,
    )


def counts_table(counts: Mapping[str, Mapping[str, int]], sheet_names: Mapping[str, str], lang: str) -> dbc.Table:
    head = html.Thead(
        html.Tr(
            [html.Th(t("import.sheet", lang))]
            + [html.Th(t(f"import.{k}", lang), className="text-end") for k in ("created", "updated", "unchanged")]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [html.Td(f"{sheet} · {sheet_names.get(sheet, sheet)}")]
                + [html.Td(f"{c[k]:,}", className="text-end") for k in ("created", "updated", "unchanged")]
            )
            for sheet, c in counts.items()
        ]
    )
    return dbc.Table([head, body], size="sm", striped=True, id="import-counts", className="mb-2")


def issues_table(issues: Sequence[Mapping[str, Any]], lang: str) -> html.Div:
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(k, lang))
                for k in ("import.sheet", "import.row", "import.column", "import.value", "import.problem")
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(i["sheet"]),
                    html.Td("" if i["row"] is None else i["row"]),
                    html.Td(i["column"] or ""),
                    html.Td(i["value"] or "", className="text-break"),
                    html.Td(i["message"]),
                ]
            )
            for i in issues[:SHOWN]
        ]
    )
    parts: list[Any] = [
        dbc.Alert(t("import.problems", lang, n=len(issues)), color="danger", className="py-2"),
        dbc.Button(
            t("import.errors_download", lang), id=ERRORS_BUTTON_ID, color="secondary", size="sm", className="mb-2"
        ),
        dbc.Table([head, body], size="sm", striped=True, id="import-issues"),
    ]
    if len(issues) > SHOWN:
        parts.append(html.Div(t("import.more", lang, n=len(issues) - SHOWN), className="text-muted small"))
    return html.Div(parts)


def mapping_rows(
    plans: Sequence[MappingChoice],
    sheet_names: Mapping[str, str],
    sheet_fields: Mapping[str, Sequence[tuple[str, str]]],
    lang: str,
) -> list[Any]:
    """Dropdowns for every tab without a sheet and every header without a field (empty: nothing to map);
    ``sheet_names``: sheet -> its Chinese name, ``sheet_fields``: sheet -> (field, Chinese name)."""
    rows: list[Any] = []
    sheet_options = [{"label": f"{name} · {zh}", "value": name} for name, zh in sheet_names.items()]
    for p in plans:
        if p.sheet is None:
            rows.append(
                dbc.Row(
                    [
                        dbc.Col(html.Div(t("import.map_tab", lang, tab=p.tab)), md=4),
                        dbc.Col(
                            dcc.Dropdown(
                                id={"type": MAP_SHEET, "tab": p.tab},
                                options=sheet_options,
                                value=p.suggested,
                                placeholder=t("import.ignore", lang),
                            ),
                            md=6,
                        ),
                    ],
                    className="mb-2 align-items-center",
                )
            )
            continue
        fields = [{"label": f"{name} · {zh}", "value": name} for name, zh in sheet_fields.get(p.sheet, [])]
        for header, suggestion in p.headers:
            rows.append(
                dbc.Row(
                    [
                        dbc.Col(html.Div([html.Code(p.tab), " · ", html.Strong(header)]), md=4),
                        dbc.Col(
                            dcc.Dropdown(
                                id={"type": MAP_COL, "tab": p.tab, "header": header},
                                options=fields,
                                value=suggestion,
                                placeholder=t("import.ignore", lang),
                            ),
                            md=6,
                        ),
                    ],
                    className="mb-2 align-items-center",
                )
            )
    return rows


def remember_options(role: str, lang: str) -> list[dict[str, str]]:
    """Forget, remember for me, and (a director only) share with everyone."""
    options = [
        {"label": t("import.remember_no", lang), "value": REMEMBER_NO},
        {"label": t("import.remember_mine", lang), "value": REMEMBER_MINE},
    ]
    if role == "director":
        options.append({"label": t("import.remember_shared", lang), "value": REMEMBER_SHARED})
    return options


def applied_list(applied: Sequence[Mapping[str, str]], lang: str) -> html.Div | None:
    """The column mappings that decided how the file was read: tab, file header -> field, and whose."""
    if not applied:
        return None
    return html.Div(
        [
            html.Div(t("import.applied", lang), className="small fw-bold"),
            html.Ul(
                [
                    html.Li(
                        [
                            html.Code(a["tab"]),
                            " · ",
                            html.Strong(a["header"]),
                            f" → {a['field']} ",
                            html.Span(f"({t('import.source.' + a['source'], lang)})", className="text-muted"),
                        ]
                    )
                    for a in applied
                ],
                className="small mb-2",
            ),
        ],
        id=APPLIED_ID,
    )


def mapping_card(lang: str, role: str = "manager") -> dbc.Card:
    """The mapping form's frame, in the layout from the start (hidden until a file needs it)."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(t("import.mapping", lang), className="panel-title"),
                html.P(t("import.mapping_help", lang), className="text-muted small"),
                html.Div(id=MAPPING_ROWS_ID),
                html.Div(t("import.remember", lang), className="small mt-2"),
                dbc.RadioItems(
                    id=REMEMBER_ID,
                    options=remember_options(role, lang),
                    value=REMEMBER_MINE,
                    inline=True,
                    className="mb-2",
                ),
                dbc.Button(t("import.apply_mapping", lang), id=APPLY_ID, color="primary", size="sm"),
            ]
        ),
        className="panel-card mb-3",
        id=MAPPING_CARD_ID,
        style=HIDDEN,
    )


def history_table(runs: Sequence[Mapping[str, Any]], lang: str) -> Any:
    """The import log, newest first; each run's status in the viewer's language, never its code."""
    if not runs:
        return html.Div(t("import.no_history", lang), className="empty-state", id="import-history")
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(k, lang))
                for k in (
                    "import.when",
                    "import.who",
                    "import.file",
                    "import.status",
                    "import.created",
                    "import.updated",
                )
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(r["when"]),
                    html.Td(r["who"]),
                    html.Td(r["file"]),
                    html.Td(t(f"import.state.{r['status']}", lang)),
                    html.Td(f"{r['created']:,}", className="text-end"),
                    html.Td(f"{r['updated']:,}", className="text-end"),
                ]
            )
            for r in runs
        ]
    )
    return dbc.Table([head, body], size="sm", striped=True, id="import-history")


def source_card(lang: str) -> dbc.Card:
    """What the file is: the import format, or one CRM's opportunities export with its stage map (shown when a
    CRM is picked; filled with the viewer's stage map by the page's callback)."""
    return dbc.Card(
        dbc.CardBody(
            [
                dbc.Label(t("import.source", lang), html_for=SOURCE_ID, className="small mb-1"),
                dcc.Dropdown(
                    id=SOURCE_ID,
                    options=[{"label": t(f"import.source.{s or 'format'}", lang), "value": s} for s in SOURCE_CHOICES],
                    value="",
                    clearable=False,
                    searchable=False,
                    className="mb-2",
                ),
                html.Div(
                    [
                        html.P(t("import.stages_help", lang), className="text-muted small mb-1"),
                        dbc.Textarea(id=STAGES_ID, rows=8, className="mb-2 font-monospace small", maxLength=20_000),
                        dbc.Checklist(
                            id=STAGES_REMEMBER_ID,
                            options=[{"label": t("import.stages_remember", lang), "value": "mine"}],
                            value=["mine"],
                            className="small mb-2",
                        ),
                        dbc.Button(t("import.stages_apply", lang), id=STAGES_APPLY_ID, color="primary", size="sm"),
                    ],
                    id=STAGES_BOX_ID,
                    style=HIDDEN,
                ),
            ]
        ),
        className="panel-card mb-3",
    )


def derived_list(derived: Mapping[str, Any] | None, lang: str) -> Any:
    """What a CRM export's import derives and what it cannot know, before anything is written."""
    if not derived:
        return None
    items = [html.Li(t("import.derived.rows", lang, n=f"{int(derived.get('rows', 0)):,}"))]
    items += [
        html.Li(t(f"import.derived.{key}", lang, n=f"{int(derived.get(key, 0)):,}"))
        for key in DERIVED_COUNTS
        if int(derived.get(key, 0) or 0)
    ]
    items.append(html.Li(t("import.derived.unknown", lang)))
    return dbc.Alert(
        [html.Div(t("import.derived.title", lang), className="fw-semibold mb-1"), html.Ul(items, className="mb-0")],
        color="info",
        className="py-2",
        id=DERIVED_ID,
    )
