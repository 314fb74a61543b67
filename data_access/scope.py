"""Row-level scope: which reps' rows a query may read.

Every query in ``data_access.queries`` takes a ``Scope`` and filters by the owning rep of the row
(opportunity owner, account owner, visit rep, quota rep). Filters chosen in the UI narrow the viewer's
scope with ``narrow``; restrictions are AND-ed, so narrowing can never widen what a viewer sees.

A scope may also carry deal filters (product line, RAD class of the account): they restrict which
opportunities count (``opportunities()``), not whose rows are seen; quotas and accounts ignore them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, false, select, true

from data_access.models import DealLevel, Opportunity, Rep
from data_access.rad import class_accounts, in_class

Restriction = tuple[Literal["rep", "team", "none"], int]


@dataclass(frozen=True)
class ProductLine:
    name: str


@dataclass(frozen=True)
class RadClass:
    """Deals on accounts of one RAD class in ``year`` (``cls`` R, A, D, or ``none``: SOW unknown), by the saved
    thresholds ``r_min`` and ``a_max`` (the ``account_years`` summary's classes; they key kept results too)."""

    year: int
    cls: str
    r_min: float
    a_max: float


DealFilter = ProductLine | RadClass


@dataclass(frozen=True)
class Scope:
    restrictions: tuple[Restriction, ...] = ()
    deals: tuple[DealFilter, ...] = ()

    @classmethod
    def everything(cls) -> Scope:
        """A director's scope: all rows."""
        return cls()

    @classmethod
    def nothing(cls) -> Scope:
        """No rows at all (a user whose role needs a rep that is not set)."""
        return cls((("none", 0),))

    @classmethod
    def rep(cls, rep_id: int) -> Scope:
        return cls((("rep", rep_id),))

    @classmethod
    def team(cls, team_id: int) -> Scope:
        return cls((("team", team_id),))

    def narrow(
        self, *, rep_id: int | None = None, team_id: int | None = None, deals: tuple[DealFilter, ...] = ()
    ) -> Scope:
        """This scope further limited to a rep, a team and/or deal filters (never wider than before)."""
        extra: list[Restriction] = []
        if team_id is not None:
            extra.append(("team", team_id))
        if rep_id is not None:
            extra.append(("rep", rep_id))
        return Scope(self.restrictions + tuple(extra), self.deals + deals)

    def without_classes(self) -> Scope:
        """The same scope without RAD-class deal filters (a page that classes accounts itself, e.g. with
        previewed thresholds, filters by class on its own)."""
        return Scope(self.restrictions, tuple(f for f in self.deals if not isinstance(f, RadClass)))

    def owners(self) -> Scope:
        """The same reps without the deal filters (for quotas: a task book is per rep, not per product)."""
        return Scope(self.restrictions)

    @property
    def is_everything(self) -> bool:
        return not self.restrictions

    @property
    def narrows_deals(self) -> bool:
        """False when ``opportunities()`` keeps every deal (a director, no deal filter): a query on rows
        below a deal (contracts, payments) can then skip the join to ``opportunities``."""
        return bool(self.restrictions or self.deals)

    @property
    def reads_class_list(self) -> bool:
        """True when ``deals_on`` reads a RAD class's list of accounts: the whole company's deals of a class (two
        thirds of them for class A), each account probed through its index. Such a read costs the class's deals
        whatever else it asks, so a query reads them once, grouped, where it asks a part (a level, a count and a
        page of rows) per statement for other scopes, whose indexes find each part on its own."""
        return not self.restrictions and any(isinstance(f, RadClass) for f in self.deals)

    def condition(self, rep_column: Any) -> ColumnElement[bool]:
        """SQL condition on a column holding a rep id; bound parameters only."""
        parts: list[ColumnElement[bool]] = []
        for kind, value in self.restrictions:
            if kind == "rep":
                parts.append(rep_column == value)
            elif kind == "none":
                parts.append(false())
            else:
                parts.append(rep_column.in_(select(Rep.id).where(Rep.team_id == value)))
        return and_(true(), *parts) if parts else true()

    def opportunities(self) -> ColumnElement[bool]:
        """SQL condition on ``opportunities`` rows: owner in scope and every deal filter met."""
        return self.deals_on(Opportunity.owner_rep_id, Opportunity.product_line, Opportunity.account_id)

    def named_opportunities(self) -> ColumnElement[bool]:
        """``opportunities()`` for a read of deals named by code or id (a few hundred): the same rows, on columns
        no index is taken for, so the planner starts from the names. With the scope's columns indexable, SQLite
        read every deal of a RAD class through the account index to keep 700 named ones (0.3 s at a million)."""
        account = Opportunity.account_id + 0
        return self.deals_on(Opportunity.owner_rep_id + 0, Opportunity.product_line.concat(""), account)

    def deal_levels(self) -> ColumnElement[bool]:
        """The same condition on the ``deal_levels`` summary, which carries each deal's owner, line and account."""
        return self.deals_on(DealLevel.owner_rep_id, DealLevel.product_line, DealLevel.account_id)

    def deals_on(self, owner: Any, product_line: Any, account: Any) -> ColumnElement[bool]:
        """The deal condition on the columns of any table holding a deal's owner, product line and account."""
        parts: list[ColumnElement[bool]] = [self.condition(owner)]
        for f in self.deals:
            if isinstance(f, ProductLine):
                parts.append(product_line == f.name)
            elif self.restrictions:
                # a team's or a rep's deals of a class: the owner's index reads the few deals and each is asked
                # its account's class (a lookup), so neither is the class's list of thousands built, nor every
                # deal of the class read through the account index (SQLite guessed both lists the same size)
                parts.append(in_class(account, f.year, f.cls))
            else:  # the summary's classes (by the saved thresholds, which r_min and a_max are)
                parts.append(account.in_(class_accounts(f.year, f.cls)))
        return and_(*parts)

    def cache_key(self) -> str:
        owners = ";".join(f"{k}={v}" for k, v in sorted(self.restrictions)) or "*"
        return owners + "".join(f"|{f!r}" for f in self.deals)
