"""/import: upload a workbook, preview what changes, map unknown columns, confirm, watch it run.

Directors and managers only, checked in the layout and again in every callback (they are public
POST endpoints). Uploads are tied to the uploader; a manager's rows must stay inside their team.
A remembered column mapping is the saver's own; only a director may share one with everyone (re-checked
here, whatever the form posts). Uploads larger than the configured limit are refused before they are kept.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components import import_view, tables
from components.i18n import current_lang, t
from components.shell import page_header
from web import imports
from web.auth import current_viewer
from web.loading import page_layout

dash.register_page(
    __name__, path="/import", order=5, nav_key="nav.import", roles=("director", "manager"), title="SalesRadar"
)

IMPORTERS = imports.IMPORTERS
UPLOAD_ID = "import-upload"
AS_OF_ID = "import-as-of"
STORE_ID = "import-store"
PREVIEW_ID = "import-preview"
CONFIRM_ID = "import-confirm"
POLL_ID = "import-poll"
PROGRESS_ID = "import-progress"
RESULT_ID = "import-result"
ERRORS_DOWNLOAD_ID = "import-errors-download"


def _importer() -> Any:
    viewer = current_viewer()
    if viewer is None or viewer.role not in IMPORTERS:
        raise PreventUpdate
    return viewer


@page_layout(keep_page=False)
def layout(**_query: str) -> html.Div:
    lang = current_lang()
    viewer = current_viewer()
    header = page_header(t("import.title", lang), t("import.subtitle", lang))
    if viewer is None or viewer.role not in IMPORTERS:
        return html.Div([header, dbc.Alert(t("import.forbidden", lang), color="warning", id="import-forbidden")])
    links = [
        html.A(t("import.template", lang), href="/download/template.xlsx", className="me-3", id="import-template-link")
    ]
    if viewer.role == "director":
        links.append(html.A(t("import.export", lang), href="/download/export.xlsx", id="import-export-link"))
    history: Any = None
    runs = imports.history(viewer)
    if runs is not None:
        history = html.Div(
            [
                html.H2(t("import.history", lang), className="h6 mt-4"),
                import_view.history_table(runs, lang),
                tables.download_buttons("import_history", lang),
            ]
        )
    return html.Div(
        [
            header,
            import_view.source_card(lang),
            dbc.Row(
                [
                    dbc.Col(
                        dcc.Upload(
                            id=UPLOAD_ID,
                            children=html.Div(t("import.drop", lang)),
                            multiple=False,
                            className="import-drop",
                            max_size=imports.max_upload_bytes(),
                        ),
                        md=7,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(t("import.as_of", lang), html_for=AS_OF_ID, className="small mb-0"),
                            dcc.DatePickerSingle(
                                id=AS_OF_ID, date=imports.as_of(None).isoformat(), display_format="YYYY-MM-DD"
                            ),
                            html.Div(links, className="mt-2 small"),
                        ],
                        md=5,
                    ),
                ],
                className="g-3 mb-3",
            ),
            dcc.Store(id=STORE_ID),
            import_view.mapping_card(lang, viewer.role),
            import_view.errors_button(lang),
            dcc.Loading(html.Div(id=PREVIEW_ID), delay_show=200),
            dbc.Button(t("import.confirm", lang), id=CONFIRM_ID, color="success", disabled=True, className="mb-2"),
            dbc.Progress(id=PROGRESS_ID, value=0, className="mb-2", style={"height": "1.25rem"}),
            html.Div(id=RESULT_ID),
            dcc.Interval(id=POLL_ID, interval=500, disabled=True),
            dcc.Download(id=ERRORS_DOWNLOAD_ID),
            history,
        ]
    )


def _pairs(values: Any, ids: Any, *keys: str) -> list[tuple[str, tuple[str, ...]]]:
    """(value, id parts) of a pattern-matching form, as posted: only text values of well-formed ids."""
    if not isinstance(values, list) or not isinstance(ids, list):
        return []
    out = []
    for value, cid in zip(values, ids, strict=False):
        if isinstance(value, str) and value and isinstance(cid, dict):
            parts = tuple(cid.get(k) for k in keys)
            if all(isinstance(p, str) for p in parts):
                out.append((value, tuple(str(p) for p in parts)))
    return out


def _mapping_from_form(values: Any, ids: Any, sheets: Any, sheet_ids: Any) -> dict[str, dict[str, Any]]:
    mapping: dict[str, dict[str, Any]] = {}
    for value, (tab,) in _pairs(sheets, sheet_ids, "tab"):
        mapping.setdefault(tab, {})["sheet"] = value
    for value, (tab, header) in _pairs(values, ids, "tab", "header"):
        mapping.setdefault(tab, {}).setdefault("columns", {})[header] = value
    return mapping


@callback(
    Output(import_view.STAGES_ID, "value"),
    Output(import_view.STAGES_BOX_ID, "style"),
    Input(import_view.SOURCE_ID, "value"),
)
def choose_source(source: Any) -> tuple[str, dict[str, str]]:
    """A CRM's export: its stage map (the default overlaid with the viewer's remembered one) to read and edit."""
    viewer = _importer()
    stages = imports.stages_for(viewer, source)
    return (stages, import_view.SHOWN_STYLE) if stages else ("", import_view.HIDDEN)


@callback(
    Output(STORE_ID, "data"),
    Output(PREVIEW_ID, "children"),
    Output(CONFIRM_ID, "disabled"),
    Output(import_view.MAPPING_ROWS_ID, "children"),
    Output(import_view.MAPPING_CARD_ID, "style"),
    Output(import_view.ERRORS_BUTTON_ID, "style"),
    Input(UPLOAD_ID, "contents"),
    Input(import_view.APPLY_ID, "n_clicks"),
    Input(import_view.STAGES_APPLY_ID, "n_clicks"),
    State(UPLOAD_ID, "filename"),
    State(AS_OF_ID, "date"),
    State(STORE_ID, "data"),
    State({"type": import_view.MAP_COL, "tab": ALL, "header": ALL}, "value"),
    State({"type": import_view.MAP_COL, "tab": ALL, "header": ALL}, "id"),
    State({"type": import_view.MAP_SHEET, "tab": ALL}, "value"),
    State({"type": import_view.MAP_SHEET, "tab": ALL}, "id"),
    State(import_view.REMEMBER_ID, "value"),
    State(import_view.SOURCE_ID, "value"),
    State(import_view.STAGES_ID, "value"),
    State(import_view.STAGES_REMEMBER_ID, "value"),
    prevent_initial_call=True,
)
def preview(
    contents: str | None,
    _apply: int | None,
    _apply_stages: int | None,
    filename: str | None,
    as_of: str | None,
    store: dict[str, Any] | None,
    col_values: list[Any],
    col_ids: list[dict[str, str]],
    sheet_values: list[Any],
    sheet_ids: list[dict[str, str]],
    remember: Any,
    source: Any,
    stages_text: Any,
    remember_stages: Any,
) -> tuple[Any, ...]:
    """Upload -> save it -> dry run: counts per sheet, or the problems and a mapping form (a CRM export: what
    its conversion derives, with the form's stage map)."""
    viewer = _importer()
    lang = current_lang()
    mapping: dict[str, dict[str, Any]] = {}
    crm, bad_stages = imports.crm_of(source, stages_text)
    if bad_stages:
        return _rejected(lang, t("import.stages_bad", lang, detail="; ".join(bad_stages[:5])))
    imports.remember_stages(viewer, crm, remember_stages)
    if ctx.triggered_id == UPLOAD_ID or (ctx.triggered_id == import_view.STAGES_APPLY_ID and contents and not store):
        if not contents or not isinstance(contents, str) or "," not in contents:
            raise PreventUpdate
        try:
            upload = imports.save(viewer, contents, filename)
        except imports.TooLarge as exc:
            return _rejected(lang, t("import.too_large", lang, file=exc.file, size=exc.size))
        except imports.Refused as exc:
            return _rejected(lang, str(exc))
    else:
        if not store:
            raise PreventUpdate
        found = imports.own_upload(viewer, store)
        if found is None:
            return _rejected(lang, "unknown upload")
        upload = found
        mapping = _mapping_from_form(col_values, col_ids, sheet_values, sheet_ids)
        imports.remember(viewer, mapping, remember)
    result = imports.preview(viewer, upload, as_of, mapping, crm)
    parts: list[Any] = [
        html.H2(t("import.preview", lang, file=result.file_name), className="h6"),
        import_view.applied_list(result.applied, lang),
        import_view.derived_list(result.derived, lang),
    ]
    if result.ok:
        parts += [
            dbc.Alert(t("import.ok", lang), color="success", className="py-2"),
            import_view.counts_table(result.counts, imports.SHEET_NAMES, lang),
        ]
        return result.store, html.Div(parts), False, [], import_view.HIDDEN, import_view.HIDDEN
    if result.failed is not None:
        parts.append(_failed(result.failed, lang))
        return result.store, html.Div(parts), True, [], import_view.HIDDEN, import_view.HIDDEN
    rows = import_view.mapping_rows(result.choices, imports.SHEET_NAMES, imports.SHEET_FIELDS, lang)
    parts.append(import_view.issues_table(result.issues, lang))
    card_style = import_view.SHOWN_STYLE if rows else import_view.HIDDEN
    return result.store, html.Div(parts), True, rows, card_style, import_view.SHOWN_STYLE


def _failed(message: str, lang: str) -> dbc.Alert:
    return dbc.Alert(t("import.failed", lang, message=message), color="danger", id="import-failed")


def _rejected(lang: str, message: str) -> tuple[Any, ...]:
    alert = dbc.Alert(t("import.bad_upload", lang, message=message), color="danger", id="import-bad-upload")
    return None, alert, True, [], import_view.HIDDEN, import_view.HIDDEN


@callback(
    Output(ERRORS_DOWNLOAD_ID, "data"),
    Input(import_view.ERRORS_BUTTON_ID, "n_clicks"),
    State(STORE_ID, "data"),
    State(AS_OF_ID, "date"),
    prevent_initial_call=True,
)
def download_errors(n_clicks: int | None, store: dict[str, Any] | None, as_of: str | None) -> Any:
    """The full error report of the previewed file, as CSV."""
    viewer = _importer()
    if not n_clicks or not store:
        raise PreventUpdate
    found = imports.errors_csv(viewer, store, as_of)
    if found is None:
        raise PreventUpdate
    data, name = found
    return dcc.send_bytes(data, name)


@callback(
    Output(POLL_ID, "disabled"),
    Output(CONFIRM_ID, "disabled", allow_duplicate=True),
    Input(CONFIRM_ID, "n_clicks"),
    State(STORE_ID, "data"),
    State(AS_OF_ID, "date"),
    prevent_initial_call=True,
)
def confirm(n_clicks: int | None, store: dict[str, Any] | None, as_of: str | None) -> tuple[bool, bool]:
    """Start the import (validated again inside: the database may have changed since the preview)."""
    viewer = _importer()
    if not n_clicks or not store:
        raise PreventUpdate
    if not imports.start(viewer, store, as_of):  # not this viewer's upload, or its job already runs
        raise PreventUpdate
    return False, True


@callback(
    Output(PROGRESS_ID, "value"),
    Output(PROGRESS_ID, "label"),
    Output(RESULT_ID, "children"),
    Output(POLL_ID, "disabled", allow_duplicate=True),
    Input(POLL_ID, "n_intervals"),
    State(STORE_ID, "data"),
    prevent_initial_call=True,
)
def poll(_n: int | None, store: dict[str, Any] | None) -> tuple[Any, Any, Any, Any]:
    """The job's progress, then its result (read from its progress file: the upload is gone by then).

    A job whose process is gone is shown failed ("interrupted"), not running forever."""
    viewer = _importer()
    lang = current_lang()
    if not store:
        raise PreventUpdate
    state = imports.progress(viewer, store)
    if state is None:
        return no_update, no_update, no_update, no_update
    pct = round(100 * float(state.get("fraction", 0)))
    if state["state"] == "running":
        return pct, t("import.running", lang, step=state.get("message", "")), no_update, False
    if state["state"] == "done":
        result = html.Div(
            [
                dbc.Alert(t("import.done", lang), color="success", id="import-done"),
                import_view.applied_list(state.get("applied", []), lang),
                import_view.counts_table(state.get("counts", {}), imports.SHEET_NAMES, lang),
            ]
        )
    elif state["state"] == "rejected":
        result = import_view.issues_table(state.get("issues", []), lang)
    else:
        result = dbc.Alert(
            t("import.failed", lang, message=state.get("message", "")), color="danger", id="import-failed"
        )
    return 100, f"{pct}%", result, True
