"""The SKM part of the status site: what ``config.json`` carries under ``"skm"`` for the page's
``skm.js`` — the questionnaire (the nine elements with the regulation's wording, the profile
categories), the WhatsApp number of each surveyed service (by the service name the request
files carry), and the published summary of the last full quarter (IKM, mutu, respondents,
minimum sample, the nine NRR, per service). Nothing personal: no answer, code or suggestion."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from . import PEKERJAAN, PENDIDIKAN, PREFIX, UNSUR, period_label
from .store import Figures, last_full_quarter, survey, surveyed_services, today_wib


def _figures(f: Figures) -> dict[str, Any]:
    idx = f.index
    return {
        "ikm": None if idx.ikm is None else f"{idx.ikm:.2f}".replace(".", ","),
        "mutu": idx.mutu.code if idx.mutu else None,
        "kinerja": idx.mutu.kinerja if idx.mutu else None,
        "responden": idx.responden,
        "sampel_minimum": f.sampel_minimum,
        "tercapai": f.tercapai,
    }


def summary(session: Session, now: datetime | None = None) -> dict[str, Any]:
    """The published summary: the last quarter that has ended."""
    date_from, date_to = last_full_quarter(today_wib(now))
    data = survey(session, date_from, date_to)
    names = surveyed_services()
    out = _figures(data.office)
    out["periode"] = period_label(date_from, date_to)
    out["nrr"] = [f"{v:.3f}".replace(".", ",") for v in data.office.index.nrr_rounded()]
    out["layanan"] = [{"nama": names[code], **_figures(f)} for code, f in data.per_layanan.items()]
    return out


def config_part(session: Session, now: datetime | None = None) -> dict[str, Any]:
    """``{"skm": {...}}`` for the site's ``config.json``."""
    from ..services.office import get_profile

    profile = get_profile(session)
    wa = {}
    for code, name in surveyed_services().items():
        number = "".join(ch for ch in profile.wa_number(code) if ch.isdigit())
        if number.startswith("0"):
            number = "62" + number[1:]
        if number:
            wa[name] = number
    return {
        "skm": {
            "awalan": PREFIX,
            "unsur": [
                {"nama": u.name, "tanya": u.question, "pilihan": list(u.options)} for u in UNSUR
            ],
            "pendidikan": [[k, v] for k, v in PENDIDIKAN.items()],
            "pekerjaan": [[k, v] for k, v in PEKERJAAN.items()],
            "wa": wa,
            "ringkasan": summary(session, now),
        }
    }
