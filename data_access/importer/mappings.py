"""Remembered column mappings: a file header that means a field of a sheet, for one user or (a director's) for
everyone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from data_access.importer.convert import CONTROL
from data_access.importer.reader import SavedField
from data_access.importer.schema import BY_NAME, column_for, normalise
from data_access.models import ImportMapping


def saved_mappings(session: Session, user_id: int | None) -> dict[str, dict[str, SavedField]]:
    """The remembered mappings an import by ``user_id`` applies: the shared ones (a director's, for
    everyone) overlaid with the user's own. ``None`` (the CLI): the shared ones only."""
    owner: ColumnElement[bool] = ImportMapping.user_id.is_(None)
    if user_id is not None:
        owner = or_(owner, ImportMapping.user_id == user_id)
    out: dict[str, dict[str, SavedField]] = defaultdict(dict)
    rows = session.execute(
        select(ImportMapping.sheet, ImportMapping.header, ImportMapping.field, ImportMapping.user_id)
        .where(owner)
        .order_by(ImportMapping.user_id.is_not(None), ImportMapping.id)
    )
    for sheet, header, field_name, saver in rows:
        out[sheet][header] = SavedField(field_name, "shared" if saver is None else "yours")
    return dict(out)


def save_mapping(session: Session, sheet: str, columns: Mapping[str, str], *, user_id: int | None) -> dict[str, str]:
    """Remember that, in ``sheet``, each file header means its field: for ``user_id`` only, or for everyone
    (``user_id`` None: only a director's form saves those, and the CLI's ``--mapping`` never does).

    Kept: headers that are not a standard column of the sheet (those are always read as themselves) mapped to
    a field of the sheet. Anything else the form sends is left out. Returns {normalised header: field} saved.
    """
    if sheet not in BY_NAME:
        return {}
    spec = BY_NAME[sheet]
    fields = {c.name for c in spec.columns}
    owner = ImportMapping.user_id.is_(None) if user_id is None else ImportMapping.user_id == user_id
    current = {
        m.header: m
        for m in session.scalars(
            select(ImportMapping).where(ImportMapping.sheet == sheet, owner).order_by(ImportMapping.id)
        )
    }
    saved: dict[str, str] = {}
    for header, field_name in columns.items():
        key = normalise(header)
        if not key or len(key) > 200 or CONTROL.search(key) or field_name not in fields:
            continue
        if column_for(spec, header) is not None:
            continue
        if key in current:
            current[key].field = field_name
        else:
            current[key] = ImportMapping(user_id=user_id, sheet=sheet, header=key, field=field_name)
            session.add(current[key])
        saved[key] = field_name
    return saved
