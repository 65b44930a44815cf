"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from .audit import AuditEntry, AuditHead
from .base import Base
from .cases import (
    Attachment,
    Case,
    CaseDocument,
    CaseStatus,
    CaseStep,
    ChecklistItem,
    Delivery,
    SopSnapshot,
)
from .collection import AwaitingCollection
from .complaints import ComplaintDetail
from .office import Closure, OfficeSetting
from .outbox import Notice, NoticeConsent
from .register import RegisterCounter, RegisterEntry
from .skm import SkmAnswer
from .stats import FinishDayStat, StepDayStat
from .users import User, UserRole

__all__ = [
    "Attachment",
    "AuditEntry",
    "AuditHead",
    "AwaitingCollection",
    "Base",
    "Case",
    "CaseDocument",
    "CaseStatus",
    "CaseStep",
    "ChecklistItem",
    "Closure",
    "ComplaintDetail",
    "Delivery",
    "FinishDayStat",
    "Notice",
    "NoticeConsent",
    "OfficeSetting",
    "RegisterCounter",
    "RegisterEntry",
    "SkmAnswer",
    "SopSnapshot",
    "StepDayStat",
    "User",
    "UserRole",
]
