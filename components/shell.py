"""The app shell: navbar built from the page registry, page headers, empty states."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from components.i18n import t


class Viewer(Protocol):
    """Who is signed in, as the navbar shows them (``data_access.users.Viewer`` fits)."""

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...


LANG_SWITCH_ID = "lang-switch"
USER_ID = "nav-user"
LOGOUT_ID = "logout"


def nav_pages(registry: Iterable[Mapping[str, Any]], role: str | None = None) -> list[Mapping[str, Any]]:
    """Pages that declare a ``nav_key`` and are open to ``role`` (``roles`` unset: everyone), by ``order``."""
    return sorted(
        (p for p in registry if p.get("nav_key") and (not p.get("roles") or role in p["roles"])),
        key=lambda p: p.get("order") or 0,
    )


def user_menu(viewer: Viewer | None, lang: str, csrf: str) -> html.Div | None:
    """Who is signed in (name, role) and the sign-out button (a POST with the CSRF token)."""
    if viewer is None:
        return None
    return html.Div(
        [
            html.Span(
                [viewer.username, " · ", t(f"role.{viewer.role}", lang)], id=USER_ID, className="text-light small me-2"
            ),
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf", value=csrf, id="logout-csrf"),
                    html.Button(
                        t("nav.logout", lang), type="submit", id=LOGOUT_ID, className="btn btn-sm btn-outline-light"
                    ),
                ],
                method="POST",
                action="/logout",
                className="d-inline",
            ),
        ],
        className="d-flex align-items-center me-2",
    )


NAV_TOGGLER_ID = "nav-toggler"
NAV_COLLAPSE_ID = "nav-collapse"


def navbar(
    registry: Iterable[Mapping[str, Any]], lang: str, viewer: Viewer | None = None, csrf: str = ""
) -> dbc.Navbar:
    other = "en" if lang == "zh" else "zh"
    links = [
        dbc.NavItem(
            dbc.NavLink(
                t(p["nav_key"], lang),
                href=p["relative_path"],
                active="exact",
                id=f"nav-{p['module'].rsplit('.', 1)[-1]}",
            )
        )
        for p in nav_pages(registry, viewer.role if viewer else None)
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand([html.Span("◎ "), t("app.name", lang)], href="/"),
                # below the lg breakpoint (a phone) the links fold behind this button (web/navbar.py)
                dbc.NavbarToggler(id=NAV_TOGGLER_ID),
                dbc.Collapse(
                    [
                        dbc.Nav(links, navbar=True, className="me-auto"),
                        user_menu(viewer, lang, csrf),
                        html.A(
                            t("nav.language", lang),
                            href=f"/lang/{other}",
                            id=LANG_SWITCH_ID,
                            title=t("nav.language_title", lang),
                            className="btn btn-sm btn-outline-light",
                        ),
                    ],
                    id=NAV_COLLAPSE_ID,
                    navbar=True,
                    is_open=False,
                ),
            ],
            fluid=True,
        ),
        dark=True,
        expand="lg",
        className="sr-navbar mb-0",
    )


def page_header(title: str, subtitle: str | None = None) -> html.Div:
    parts: list[Component] = [html.H1(title, className="page-title")]
    if subtitle:
        parts.append(html.Div(subtitle, className="page-subtitle"))
    return html.Div(parts)


def empty_state(message: str) -> html.Div:
    return html.Div(message, className="empty-state")


def panel(title: str, body: Any, *, panel_id: str | None = None) -> dbc.Card:
    kwargs = {"id": panel_id} if panel_id else {}
    return dbc.Card(
        dbc.CardBody([html.Div(title, className="panel-title mb-2"), body]), className="panel-card h-100", **kwargs
    )


def placeholder(nav_key: str, lang: str) -> html.Div:
    """A page whose issue has not landed yet: its title and a notice."""
    return html.Div([page_header(t(nav_key, lang)), dbc.Alert(t("common.coming_soon", lang), color="info")])


def filtered_page(header: html.Div, bar: html.Div, has_data: bool, lang: str, body: list[Any]) -> html.Div:
    """A page with a filter bar: header, bar, then its body, or the empty state when there is no data."""
    if not has_data:
        return html.Div([header, bar, empty_state(t("overview.empty", lang))])
    return html.Div([header, bar, *body])


def opp_link(opp_code: str) -> dcc.Link:
    """An opportunity's code, linking to its page."""
    return dcc.Link(opp_code, href=f"/opportunities/{opp_code}", className="font-monospace small")
