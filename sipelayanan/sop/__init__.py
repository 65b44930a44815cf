"""The office's signed SOPs as data: definitions, loading and validation."""

from __future__ import annotations

from sipelayanan.sop.definitions import (
    HAND_OVER_METHODS,
    MOVE_KINDS,
    RECORD_KINDS,
    ROLES,
    Condition,
    Move,
    MoveKind,
    Requirement,
    ServiceDef,
    SopError,
    Step,
)
from sipelayanan.sop.loader import SERVICE_ORDER, load_service_file, load_services, services

__all__ = [
    "HAND_OVER_METHODS",
    "MOVE_KINDS",
    "RECORD_KINDS",
    "ROLES",
    "SERVICE_ORDER",
    "Condition",
    "Move",
    "MoveKind",
    "Requirement",
    "ServiceDef",
    "SopError",
    "Step",
    "load_service_file",
    "load_services",
    "services",
]
