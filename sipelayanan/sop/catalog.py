"""Questions about the loaded set of services, answered from their declared properties
(never from a service code): which are complaints, who works on complaints, the default
service of a form."""

from __future__ import annotations

from collections.abc import Mapping

from sipelayanan.sop.definitions import ServiceDef
from sipelayanan.sop.loader import services

__all__ = [
    "complaint_codes",
    "complaint_roles",
    "default_service",
    "party_word",
    "request_codes",
]


def _defs(defs: Mapping[str, ServiceDef] | None) -> Mapping[str, ServiceDef]:
    return services() if defs is None else defs


def complaint_codes(defs: Mapping[str, ServiceDef] | None = None) -> tuple[str, ...]:
    """The services that are complaints (``ServiceDef.is_complaint``), in listing order."""
    return tuple(code for code, s in _defs(defs).items() if s.is_complaint)


def request_codes(defs: Mapping[str, ServiceDef] | None = None) -> tuple[str, ...]:
    """The services that issue a document (everything but complaints), in listing order."""
    return tuple(code for code, s in _defs(defs).items() if not s.is_complaint)


def complaint_roles(defs: Mapping[str, ServiceDef] | None = None) -> frozenset[str]:
    """Every role that holds or joins a step of a complaint service."""
    roles: set[str] = set()
    for code in complaint_codes(defs):
        for step in _defs(defs)[code].steps:
            roles.add(step.role)
            roles.update(step.with_roles)
    return frozenset(roles)


def default_service(defs: Mapping[str, ServiceDef] | None = None) -> str:
    """The service a form starts on: the first document service listed (else the first)."""
    codes = request_codes(defs) or tuple(_defs(defs))
    return codes[0] if codes else ""


def party_word(service: str, defs: Mapping[str, ServiceDef] | None = None) -> str:
    """Who brought the request, as the clerk's screens name them: "pelapor" for a complaint,
    "pemohon" for everything else (an unknown code too)."""
    sdef = _defs(defs).get(service)
    return "pelapor" if sdef is not None and sdef.is_complaint else "pemohon"
