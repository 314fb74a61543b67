"""A sortable, filterable, paged AG Grid for a list of rows, with links, and money, ratios and dates written as
the rest of the app writes them (``components.formatting``: 万/亿 in Chinese, K/M in English, the full amount
in the cell's tooltip); the grid's own words (paging, filters) in the viewer's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import dash_ag_grid as dag

from components.formatting import cny, day, times

Kind = Literal["text", "money", "pct", "times", "account", "opp", "date", "link"]
#: The d3 formats of the numeric kinds (the grid formats client-side; the values stay numbers to sort). A row's
#: ``<field>_text``, when it has one, is shown instead: money and dates always have one (written here by
#: ``components.formatting``, the one format of the app), a V without a number has "Quota met".
FORMATS = {
    "money": "params.value == null ? '—' : d3.format(',.2f')(params.value)",
    "pct": "params.value == null ? '—' : d3.format('.1%')(params.value)",
    "times": "params.value == null ? '—' : d3.format('.2f')(params.value) + '×'",
    "date": "params.value == null ? '' : params.value",
}
#: A grid given a height shows up to this many rows at their own height, more in a box that scrolls
SCROLL_ROWS = 15
#: The narrowest a column gets (px): a code, a name's first words or a 万 amount stay readable
MIN_WIDTH = 120
#: the column a grid is sorted by at first: room for its sort arrow beside a header word like "Attainment"
SORTED_MIN_WIDTH = 150
#: Ratios above this are shown as "> 10×" (the value in the tooltip): a V of 176.97× reads as noise
TIMES_CAP = 10.0
#: AG Grid's own words in Chinese (its defaults are English): paging, the filter menus, an empty grid
LOCALE_ZH = {
    "page": "第",
    "to": "至",
    "of": "/",
    "more": "更多",
    "firstPage": "首页",
    "lastPage": "末页",
    "nextPage": "下一页",
    "previousPage": "上一页",
    "pageSizeSelectorLabel": "每页行数：",
    "ariaPageSizeSelectorLabel": "每页行数",
    "pageLastRowUnknown": "?",
    "noRowsToShow": "没有数据",
    "loadingOoo": "加载中…",
    "filterOoo": "筛选…",
    "searchOoo": "搜索…",
    "selectAll": "全选",
    "equals": "等于",
    "notEqual": "不等于",
    "blank": "为空",
    "notBlank": "不为空",
    "contains": "包含",
    "notContains": "不包含",
    "startsWith": "开头是",
    "endsWith": "结尾是",
    "lessThan": "小于",
    "greaterThan": "大于",
    "lessThanOrEqual": "小于等于",
    "greaterThanOrEqual": "大于等于",
    "inRange": "介于",
    "inRangeStart": "从",
    "inRangeEnd": "到",
    "before": "早于",
    "after": "晚于",
    "andCondition": "且",
    "orCondition": "或",
    "applyFilter": "应用",
    "resetFilter": "重置",
    "clearFilter": "清除",
    "cancelFilter": "取消",
    "dateFormatOoo": "年-月-日",
    "ariaFilterMenuOpen": "打开筛选菜单",
    "ariaFilterValue": "筛选值",
    "ariaSortableColumn": "按回车键排序",
}
TEXT_FIRST = "(params.data && params.data[params.colDef.field + '_text']) || "
LINKS = {"account": "/accounts/", "opp": "/opportunities/"}


#: The grid's link renderer (``assets/grid_links.js``): the cell's value is the link's text, shown as text
#: (never Markdown or HTML: a code or a name from an import cannot become a link elsewhere); the address is a
#: fixed prefix + the URL-encoded value, or the row's ``<field>_href`` (a local path the page built).
LINK_RENDERER = "SafeLink"


#: A row's ``<field>_status`` (``metrics.scorecard``: behind / on / ahead) colours its cell
STATUSES = ("behind", "on", "ahead")


def _column(field: str, header: str, kind: Kind, statuses: bool = False) -> dict[str, Any]:
    col: dict[str, Any] = {"field": field, "headerName": header, "headerTooltip": header}  # a header cut reads whole
    if statuses:
        col["cellClassRules"] = {
            f"cell-{s}": f"params.data && params.data['{field}_status'] === '{s}'" for s in STATUSES
        }
    if kind in FORMATS:
        col |= {"valueFormatter": {"function": TEXT_FIRST + "(" + FORMATS[kind] + ")"}}
        if kind != "date":
            col |= {"type": "numericColumn"}
    if kind in ("money", "times"):
        col |= {"tooltipField": field + "_full"}
    if kind in LINKS:  # a code: wide enough to read it whole
        col |= {"cellRenderer": LINK_RENDERER, "cellRendererParams": {"prefix": LINKS[kind]}, "minWidth": 140}
    if kind == "link":  # a name with its code: wide enough to read it whole
        col |= {"cellRenderer": LINK_RENDERER, "minWidth": 160}
    return col


def _cell(value: Any) -> Any:
    if isinstance(value, date):  # dates travel as ISO text, whatever the column's kind
        return str(value)
    return value


def _written(value: Any, kind: Kind, lang: str) -> tuple[str | None, str | None]:
    """A cell's text and tooltip in the app's format (None: the grid's own)."""
    if value is None or (isinstance(value, float) and value != value):
        return None, None
    if kind == "money":
        return cny(float(value), lang), cny(float(value), lang, compact=False)
    if kind == "times" and float(value) > TIMES_CAP:
        return f"> {TIMES_CAP:.0f}×", times(float(value), lang)
    if kind == "date" and isinstance(value, date):
        return day(value, lang), None
    return None, None


def _keys(rows: Sequence[dict[str, Any]]) -> set[str]:
    """Every key any of the rows has (a column's ``_text``, ``_href``, ``_status`` travel only if some row has it)."""
    present: set[str] = set()
    for row in rows:
        present.update(row)
    return present


def _rows(
    rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str, Kind]], lang: str, present: set[str]
) -> list[dict[str, Any]]:
    """The rows as the grid gets them: the columns' values (dates as ISO text), the app's text and tooltip of
    money, large ratios and dates, and a row's own ``_text``, ``_href`` and ``_status`` of a column (of those in
    ``present``: ``_keys``). Planned once per grid, not per cell (a director's leaderboard: 8,500 rows)."""
    fields = [f for f, _h, _k in columns]
    written = [(f, k) for f, _h, k in columns if k in ("money", "times", "date")]
    extras = [f + suffix for f in fields for suffix in ("_text", "_href", "_status") if f + suffix in present]
    out = []
    for row in rows:
        line = {f: _cell(row.get(f)) for f in fields}
        for f, kind in written:
            text, full = _written(row.get(f), kind, lang)
            if text is not None:
                line[f + "_text"] = text
            if full is not None:
                line[f + "_full"] = full
        for key in extras:
            value = row.get(key)
            if value is not None:
                line[key] = value
        out.append(line)
    return out


def data_grid(
    grid_id: str,
    rows: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str, Kind]],
    pinned: Sequence[dict[str, Any]] = (),
    *,
    lang: str,
    sort: tuple[str, Literal["asc", "desc"]] | None = None,
    height: str | None = None,
) -> dag.AgGrid:
    """``columns``: (field, header, kind); ``account`` and ``opp`` cells link to their pages, a ``link`` cell
    to its row's ``<field>_href`` (a local path); ``pinned`` rows stay on top (a total line). Money, ratios
    over ``TIMES_CAP`` and dates are written in ``lang`` (a row's own ``<field>_text`` wins); a row's
    ``<field>_status`` colours the cell. ``sort``: the column sorted first, and the way; ``height`` (CSS): every
    row in one grid that scrolls, instead of pages of 20."""
    options: dict[str, Any] = {"tooltipShowDelay": 300}
    if height is None:
        options |= {"pagination": True, "paginationPageSize": 20, "domLayout": "autoHeight"}
    elif len(rows) <= SCROLL_ROWS:  # a few rows: all of them, no empty box below
        options |= {"domLayout": "autoHeight"}
        height = None
    if lang == "zh":
        options["localeText"] = LOCALE_ZH
    if pinned:
        options["pinnedTopRowData"] = _rows(pinned, columns, lang, _keys(pinned))
    present = _keys(rows)
    defs = [_column(f, h, k, f + "_status" in present) for f, h, k in columns]
    if sort is not None:
        for col in defs:
            if col["field"] == sort[0]:  # its arrow takes room: "Attainment" beside it was cut to "Attain…"
                col |= {"sort": sort[1], "minWidth": SORTED_MIN_WIDTH}
    sized: dict[str, Any] = {"style": {"height": height, "width": "100%"}} if height else {}
    return dag.AgGrid(
        id=grid_id,
        columnDefs=defs,
        rowData=_rows(rows, columns, lang, present),
        # a column is never narrower than MIN_WIDTH: on a phone the grid scrolls inside itself instead of
        # cutting every cell to "北…"
        # a header longer than its column wraps onto a second line instead of being cut ("任务完成…")
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "filter": True,
            "minWidth": MIN_WIDTH,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions=options,
        columnSize="responsiveSizeToFit",
        className="ag-theme-alpine",
        **sized,
    )
