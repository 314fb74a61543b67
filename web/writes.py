"""The app's few forms that write (My week, events): the CSRF token checked, the write run for the signed-in
viewer in one transaction (``data_access.staff_writes`` checks the viewer's rights), the outcome as a message.

A page's callback hands the form's values over as they came; nothing is trusted here or there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from components.i18n import t
from data_access import staff_writes, support_writes
from data_access.runtime import today
from data_access.users import Viewer
from web.auth import csrf_ok
from web.loading import write_view


@dataclass(frozen=True)
class Outcome:
    ok: bool
    key: str
    detail: str = ""

    def message(self, lang: str) -> str:
        return t(self.key, lang, detail=self.detail, code=self.detail)


def _run(csrf: object, done_key: str, action: Callable[[Session, Viewer, date], Any]) -> Outcome:
    if not csrf_ok(csrf):
        return Outcome(False, "write.csrf")
    try:
        result = write_view(lambda session, viewer: action(session, viewer, today()))
    except staff_writes.Refused as refused:
        return Outcome(False, refused.key, refused.detail)
    return Outcome(True, done_key, result if isinstance(result, str) else "")


F = TypeVar("F", staff_writes.VisitInput, staff_writes.EventInput)


def _form(kind: type[F], form: dict[str, Any]) -> F:
    """The form's values as ``kind`` holds them (a field the form does not have is dropped, never an error)."""
    return kind(**{k: v for k, v in form.items() if k in kind.__dataclass_fields__})


def _visit(form: dict[str, Any]) -> staff_writes.VisitInput:
    return _form(staff_writes.VisitInput, form)


def plan_visit(csrf: object, form: dict[str, Any]) -> Outcome:
    return _run(csrf, "week.planned_ok", lambda s, v, d: staff_writes.plan_visit(s, v, _visit(form), d))


def record_visit(csrf: object, form: dict[str, Any], editing: object = None) -> Outcome:
    if editing not in (None, ""):
        return _run(csrf, "week.saved", lambda s, v, d: staff_writes.edit_record(s, v, editing, _visit(form), d))
    return _run(csrf, "week.saved", lambda s, v, d: staff_writes.record_visit(s, v, _visit(form), d))


def remove_visit(csrf: object, visit_id: object) -> Outcome:
    return _run(csrf, "week.removed", lambda s, v, _d: staff_writes.remove_visit(s, v, visit_id))


def move_visit(csrf: object, visit_id: object, step: object) -> Outcome:
    return _run(csrf, "week.moved", lambda s, v, _d: staff_writes.move_visit(s, v, visit_id, step))


def create_event(csrf: object, form: dict[str, Any]) -> Outcome:
    event = _form(staff_writes.EventInput, form)
    return _run(csrf, "events.created", lambda s, v, d: staff_writes.create_event(s, v, event, d).event_code)


def set_attendance(csrf: object, event_code: object, attended: object, added: object) -> Outcome:
    return _run(csrf, "events.saved", lambda s, v, _d: staff_writes.set_attendance(s, v, event_code, attended, added))


def set_risk_thresholds(csrf: object, form: dict[str, Any]) -> Outcome:
    return _run(csrf, "write.thresholds_ok", lambda s, v, _d: support_writes.set_risk_thresholds(s, v, form))
