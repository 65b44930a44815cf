"""Reading personal data outside the work lists, recorded (UU 27/2022, Pasal 31).

Listing work needs no record; opening a whole request from the command line, printing a
document that carries a name, or exporting does. Each such read is one function here that checks
the reader is an active staff member and appends an audit entry in the same transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from . import audit
from .context import Actor
from .queries import CaseView, case_view
from .users import actor_user

#: Audit actions that record a read, not a change (other PCs need not refresh for them).
VIEW_ACTIONS = frozenset({"data.view"})


def view_case(session: Session, actor: Actor, code: str, *, channel: str) -> CaseView:
    """The whole request as staff see it, for ``actor``; the read is recorded."""
    user = actor_user(session, actor)
    view = case_view(session, code, roles=user.role_keys)
    audit.record(
        session, actor, "data.view", "case", view.code, {"item": "case", "channel": channel}
    )
    return view
