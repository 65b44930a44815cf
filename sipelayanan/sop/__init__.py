"""The office's signed SOPs as data: definitions, loading and validation."""

from __future__ import annotations

from sipelayanan.sop.definitions import (
    HAND_OVER_METHODS,
    MOVE_KINDS,
    OVERSEER_ROLES,
    RECORD_KINDS,
    REVIEW_ROLES,
    ROLES,
    Condition,
    Move,
    MoveKind,
    Requirement,
    ServiceDef,
    SopError,
    Step,
)
from sipelayanan.sop.folder import ENV_SOP_DIR, SopFolder, shipped_folder, sop_folder
from sipelayanan.sop.loader import SERVICE_ORDER, load_service_file, load_services, services

__all__ = [
    "ENV_SOP_DIR",
    "HAND_OVER_METHODS",
    "MOVE_KINDS",
    "OVERSEER_ROLES",
    "RECORD_KINDS",
    "REVIEW_ROLES",
    "ROLES",
    "SERVICE_ORDER",
    "Condition",
    "Move",
    "MoveKind",
    "Requirement",
    "ServiceDef",
    "SopError",
    "SopFolder",
    "Step",
    "load_service_file",
    "load_services",
    "services",
    "shipped_folder",
    "sop_folder",
]
