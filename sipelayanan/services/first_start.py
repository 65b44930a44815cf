"""The first start of an office: allowed only while the database has no user at all; it saves
the office's name and creates the first admin in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..errors import DomainError
from .office import get_profile, save_profile
from .users import UserInfo, count_users, create_user

__all__ = ["OfficeIdentity", "first_start_needed", "set_up_office"]


@dataclass(frozen=True)
class OfficeIdentity:
    name: str
    parent: str = ""
    address: str = ""
    kepala_dinas: str = ""
    kepala_dinas_nip: str = ""


def first_start_needed(session: Session) -> bool:
    """Whether this database still waits for its first start (it has no user yet)."""
    return count_users(session) == 0


def set_up_office(
    session: Session, office: OfficeIdentity, *, username: str, full_name: str, password: str
) -> UserInfo:
    """Save the office's identity and create its first admin. Refused when the database has
    users already (another PC finished the setup first)."""
    if not first_start_needed(session):
        raise DomainError(
            "Basis data ini sudah memiliki pengguna; penyiapan awal tidak diperlukan. "
            "Silakan masuk."
        )
    stored = get_profile(session)
    stored.name = office.name
    stored.parent = office.parent
    stored.address = office.address
    stored.kepala_dinas = office.kepala_dinas
    stored.kepala_dinas_nip = office.kepala_dinas_nip
    save_profile(session, stored, actor=None)
    return create_user(
        session, username=username, full_name=full_name, password=password, roles=["admin"]
    )
