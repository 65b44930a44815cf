"""What every page of the main window is given: the database door, who is logged in, settings,
and how to open a request. Pages never import each other; they go through this."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..services.users import UserInfo
from .ops import Ops
from .settings import Settings


@dataclass
class UiContext:
    ops: Ops
    user: UserInfo
    settings: Settings
    open_case: Callable[[str], None]  # open the request window for a tracking code
    show_status: Callable[[str], None]  # a short message in the status bar

    @property
    def actor(self):  # type: ignore[no-untyped-def]
        return self.user.actor()

    def has_role(self, *roles: str) -> bool:
        return any(r in self.user.roles for r in roles)
