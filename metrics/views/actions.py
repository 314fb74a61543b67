"""The loaders of next best actions: ``/actions`` (a rep's own list; a manager's per rep; a director's own TOP 10 D
list and the count per kind per team), the lists on the scorecard and on My week (``action_list``), and the API's
answer. Each reads the rules of ``data_access.queries.actions`` for the viewer's scope.

Address: ``team`` (a director's team), ``rep`` (a rep in the viewer's scope): the filter bar's rules
(``resolve_filters``), so a manager's forged ``?team=`` or another team's ``?rep=`` widens nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from data_access import queries
from data_access.queries import actions as rules
from data_access.result_cache import kept
from data_access.scope import Scope
from data_access.users import Viewer
from metrics.actions import KINDS, Action, Windows, action_of
from metrics.frames import records
from metrics.views.filters import resolve_filters

#: how many lines of each kind a page lists (the kind's title counts them all)
ROWS = 50


@dataclass(frozen=True)
class ActionList:
    """A scope's actions: at most ``ROWS`` lines of each kind (``actions``), and how many each kind has (``totals``)."""

    actions: list[Action] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def action_list(session: Session, scope: Scope, today: date, kinds: tuple[str, ...] = KINDS) -> ActionList:
    """The actions of ``scope`` as of ``today``: each kind counted in SQL, its first ``ROWS`` lines read when it
    has any (``queries.actions``)."""
    w = Windows(today)
    totals = {kind: sum(rules.action_counts(session, scope, w, kind).values()) for kind in kinds}
    actions = [
        action_of(r)
        for kind in kinds
        if totals[kind]
        for r in records(rules.action_rows(session, scope, w, kind, limit=ROWS))
    ]
    return ActionList(actions, totals)


@dataclass(frozen=True)
class CountLine:
    """One line of a count table: a team (``key`` its id) or a rep (``key`` the rep code), its actions per kind."""

    key: str
    name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class ActionsData:
    role: str
    today: date
    problems: tuple[str, ...] = ()
    team_id: int | None = None
    #: (code, name) of the rep whose list is open (``?rep=``, or the viewer when a rep)
    rep: tuple[str, str] | None = None
    #: the open list: the rep's, the chosen team's, or a manager's team's
    listed: ActionList = field(default_factory=ActionList)
    #: a director's own list: the TOP 10 D accounts without a director's visit this quarter
    own: ActionList | None = None
    #: a director's count per kind per team (no team chosen), or per rep of the team (a manager, a chosen team)
    lines: list[CountLine] = field(default_factory=list)
    by: str = "rep"


def _per_team(session: Session, scope: Scope, w: Windows) -> list[CountLine]:
    counts = {kind: rules.action_counts(session, scope, w, kind, "team") for kind in KINDS}
    return [
        CountLine(str(tid), name, {k: counts[k].get(tid, 0) for k in KINDS})
        for tid, name in queries.teams(session, scope)
    ]


def _per_rep(session: Session, scope: Scope, w: Windows) -> list[CountLine]:
    counts = {kind: rules.action_counts(session, scope, w, kind, "rep") for kind in KINDS}
    lines = [
        CountLine(code, name, {k: counts[k].get(rid, 0) for k in KINDS})
        for rid, code, name in queries.reps_in_scope(session, scope)
    ]
    return sorted(lines, key=lambda line: (-line.total, line.key))


@kept
def load_actions(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> ActionsData:
    """``/actions`` for the viewer: a rep's own list; a manager's team per rep and the team's (or a rep's) list; a
    director's own TOP 10 D list, the count per kind per team, and a team's or a rep's list when chosen."""
    wanted = {k: query[k] for k in ("team", "rep") if query.get(k)}
    chosen, choices, scope = resolve_filters(session, viewer.scope, wanted, today)
    problems = tuple(str(p) for p in chosen.problems)
    w = Windows(today)
    rep_names = {code: name for _i, code, name in choices.reps}
    if viewer.role == "rep":
        me = (viewer.rep_code or "", rep_names.get(viewer.rep_code or "", viewer.rep_code or ""))
        return ActionsData(viewer.role, today, problems, rep=me, listed=action_list(session, viewer.scope, today))
    rep = (chosen.rep_code, rep_names.get(chosen.rep_code, chosen.rep_code)) if chosen.rep_code else None
    own = action_list(session, viewer.scope, today, ("director_top10_d",)) if viewer.role == "director" else None
    if rep is not None:
        return ActionsData(
            viewer.role, today, problems, chosen.team_id, rep, action_list(session, scope, today), own=own
        )
    if viewer.role == "director" and chosen.team_id is None:
        return ActionsData(viewer.role, today, problems, own=own, lines=_per_team(session, scope, w), by="team")
    return ActionsData(
        viewer.role,
        today,
        problems,
        chosen.team_id,
        listed=action_list(session, scope, today),
        own=own,
        lines=_per_rep(session, scope, w),
    )


@dataclass(frozen=True)
class ActionsAnswer:
    as_of: date
    #: the address's refusals (a rep outside the scope: ``filters.Problem``, a 403)
    problems: tuple[str, ...]
    actions: list[Action]


def load_actions_api(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> ActionsAnswer:
    """Every action of the viewer's scope (of ``?team=`` and ``?rep=`` alone when given), each kind in its list's
    order."""
    wanted = {k: query[k] for k in ("team", "rep") if query.get(k)}
    chosen, _choices, scope = resolve_filters(session, viewer.scope, wanted, today)
    w = Windows(today)
    rows = [action_of(r) for kind in KINDS for r in records(rules.action_rows(session, scope, w, kind))]
    return ActionsAnswer(today, chosen.problems, rows)
