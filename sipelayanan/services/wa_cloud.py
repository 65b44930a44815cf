"""The office's WhatsApp Business Platform (Cloud API) number: settings, token, one request.

Settings (phone-number id, approved template names per notice kind, base URL, API version) are
office settings shared by every PC; the access token lives in the OS keyring of the PC that
sends (or ``SIPELAYANAN_WA_TOKEN`` for a scheduled run), never in the database or a log.

:func:`post_template` sends one template message with ``POST {base}/{version}/{phone id}/messages``
and tells apart, for the outbox's at-most-once rule, a request that surely never left
(:class:`NotSent`: the connection could not be made) from one that may have reached the API
(:class:`MaybeSent`: the connection broke or timed out after the request was written).
:func:`classify` turns the API's documented errors into a clear Indonesian message for the
admin and what the outbox does with the notice.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from ..errors import InputError
from ..keyring_store import SERVICE, load_secret, store_secret
from .context import Actor
from .office import get_setting, set_setting

log = logging.getLogger("sipelayanan.wa_cloud")

SETTING_KEY = "whatsapp_api"
DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v21.0"
LANGUAGE = "id"
KEYRING_SERVICE = SERVICE  # kept for callers and tests
TOKEN_ENV = "SIPELAYANAN_WA_TOKEN"
TIMEOUT = 20.0  # seconds for one request

#: The notice kinds the outbox sends, and the body parameters ({{1}}, {{2}}, …) of the
#: approved template for each, in order. The admin registers templates with these.
API_PARAMETERS: dict[str, tuple[str, ...]] = {
    "berkas_diterima": ("nama", "layanan", "kode", "perkiraan_selesai"),
    "berkas_kurang": ("nama", "layanan", "kode", "kekurangan"),
    "dokumen_selesai": ("nama", "dokumen", "kode", "alamat_kantor"),
    "dikirim_pos": ("nama", "dokumen", "kode", "resi"),
    "pengaduan_dijawab": ("nama", "kode", "solusi"),
}
NOTICE_KINDS: tuple[str, ...] = tuple(API_PARAMETERS)

_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_VERSION = re.compile(r"^v\d{1,3}\.\d{1,3}$")


@dataclass(frozen=True)
class CloudConfig:
    phone_number_id: str = ""
    base_url: str = DEFAULT_BASE_URL
    version: str = DEFAULT_VERSION
    templates: Mapping[str, str] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return bool(self.phone_number_id)

    def template_for(self, kind: str) -> str | None:
        """The approved template name for ``kind``, or None when this notice goes by hand."""
        if not self.enabled:
            return None
        return self.templates.get(kind) or None

    def endpoint(self) -> str:
        return f"{self.base_url.rstrip('/')}/{self.version}/{self.phone_number_id}/messages"

    def to_dict(self) -> dict[str, Any]:
        return {
            "phone_number_id": self.phone_number_id,
            "base_url": self.base_url,
            "version": self.version,
            "templates": dict(self.templates),
        }


def validate_config(
    *,
    phone_number_id: str,
    base_url: str = DEFAULT_BASE_URL,
    version: str = DEFAULT_VERSION,
    templates: Mapping[str, str] | None = None,
) -> CloudConfig:
    """The settings, checked; InputError names the first bad field. An empty phone-number id
    turns the Cloud API off (every notice goes by click-to-chat)."""
    pid = (phone_number_id or "").strip()
    if pid and (not pid.isdigit() or len(pid) > 32):
        raise InputError(
            "ID nomor telepon (Phone number ID) hanya berisi angka, seperti tertera di "
            "WhatsApp Manager > API Setup.",
            "phone_number_id",
        )
    base = (base_url or DEFAULT_BASE_URL).strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query:
        raise InputError(
            "Alamat dasar API harus berupa alamat https://…, mis. https://graph.facebook.com.",
            "base_url",
        )
    ver = (version or DEFAULT_VERSION).strip()
    if not _VERSION.match(ver):
        raise InputError("Versi API ditulis seperti v21.0.", "version")
    names: dict[str, str] = {}
    for kind, name in (templates or {}).items():
        if kind not in API_PARAMETERS:
            raise InputError(f"Jenis pemberitahuan '{kind}' tidak dikenal.", "templates")
        text = (name or "").strip()
        if not text:
            continue
        if not _TEMPLATE_NAME.match(text):
            raise InputError(
                f"Nama templat '{text}' tidak sah: hanya huruf kecil, angka dan garis bawah, "
                "persis seperti di WhatsApp Manager.",
                "templates",
            )
        names[kind] = text
    return CloudConfig(pid, base, ver, names)


def load_config(session: Session) -> CloudConfig:
    """The office's settings (read once per transaction: a step may write several notices)."""
    cached = session.info.get(SETTING_KEY)
    if isinstance(cached, CloudConfig):
        return cached
    config = _read_config(session)
    session.info[SETTING_KEY] = config
    return config


def _read_config(session: Session) -> CloudConfig:
    stored = get_setting(session, SETTING_KEY, {})
    if not isinstance(stored, Mapping):
        return CloudConfig()
    try:
        return validate_config(
            phone_number_id=str(stored.get("phone_number_id", "")),
            base_url=str(stored.get("base_url", DEFAULT_BASE_URL)),
            version=str(stored.get("version", DEFAULT_VERSION)),
            templates={
                str(k): str(v)
                for k, v in dict(stored.get("templates", {})).items()
                if k in API_PARAMETERS
            },
        )
    except (InputError, TypeError, ValueError):  # edited outside the app: treat as off
        log.warning("stored WhatsApp API settings are invalid; notices go by click-to-chat")
        return CloudConfig()


def save_config(
    session: Session, config: CloudConfig, *, actor: Actor | None, now: datetime | None = None
) -> None:
    set_setting(session, SETTING_KEY, config.to_dict(), actor=actor, now=now)
    session.info.pop(SETTING_KEY, None)


# --------------------------------------------------------------------------- token


def _account(phone_number_id: str) -> str:
    return f"whatsapp-cloud-api:{phone_number_id}"


def load_token(phone_number_id: str) -> str | None:
    """The access token: ``SIPELAYANAN_WA_TOKEN``, else this PC's keyring."""
    env = os.environ.get(TOKEN_ENV, "").strip()
    if env:
        return env
    if not phone_number_id:
        return None
    return load_secret(_account(phone_number_id))


def store_token(phone_number_id: str, token: str) -> bool:
    """Keep the token in this PC's keyring; False when the PC has no usable keyring."""
    return store_secret(_account(phone_number_id), token)


# --------------------------------------------------------------------------- one request


class NotSent(Exception):
    """The request surely did not reach the API (no connection could be made)."""


class MaybeSent(Exception):
    """The connection broke or timed out after the request was written: it may have arrived."""


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    body: Mapping[str, Any]

    @property
    def message_id(self) -> str | None:
        messages = self.body.get("messages")
        if 200 <= self.status < 300 and isinstance(messages, list) and messages:
            first = messages[0]
            if isinstance(first, Mapping) and isinstance(first.get("id"), str):
                return str(first["id"])
        return None


def template_body(
    to_wa: str, template: str, params: list[str], *, reference: str | None = None
) -> dict[str, Any]:
    """The documented JSON body of a template message (``to`` in digits, without '+')."""
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "to": "".join(c for c in to_wa if c.isdigit()),
        "type": "template",
        "template": {
            "name": template,
            "language": {"code": LANGUAGE},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}
            ],
        },
    }
    if reference:  # returned in the webhook's statuses: settles a "mungkin terkirim" notice
        body["biz_opaque_callback_data"] = reference
    return body


def post_json(url: str, token: str, body: Mapping[str, Any], timeout: float = TIMEOUT) -> ApiAnswer:
    """POST ``body`` with the bearer token. Raises NotSent / MaybeSent (see module doc)."""
    parts = urlsplit(url)
    conn_cls = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    host = parts.hostname or ""
    conn = conn_cls(host, parts.port, timeout=timeout)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    try:
        try:
            conn.connect()
        except (OSError, http.client.HTTPException) as exc:
            raise NotSent(type(exc).__name__) from exc
        try:
            conn.request(
                "POST",
                path,
                body=payload,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                },
            )
            response = conn.getresponse()
            raw = response.read()
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            raise MaybeSent(type(exc).__name__) from exc
    finally:
        conn.close()
    try:
        data = json.loads(raw.decode("utf-8")) if raw else {}
    except (UnicodeDecodeError, ValueError):
        data = {}
    return ApiAnswer(response.status, data if isinstance(data, Mapping) else {})


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Outcome:
    """What an API answer means for a notice.

    ``action``: ``sent``; ``retry`` (not sent: try again later with backoff); ``failed`` (not
    sent: back to click-to-chat, listed as "belum terkirim"); ``uncertain`` (may have been sent:
    a clerk or a delivery status decides). ``halt``: stop this round (the others would fail the
    same way: token, rate limit, network)."""

    action: str
    code: str
    message: str
    halt: bool = False


def _error_parts(body: Mapping[str, Any]) -> tuple[int | None, str]:
    err = body.get("error")
    if not isinstance(err, Mapping):
        return None, ""
    code = err.get("code")
    text = " ".join(
        str(err.get(k, ""))
        for k in ("message", "error_user_msg")
        if isinstance(err.get(k), str) and err.get(k)
    )
    details = err.get("error_data")
    if isinstance(details, Mapping) and isinstance(details.get("details"), str):
        text += " " + details["details"]
    return (int(code) if isinstance(code, int) else None), text.strip()


def describe_code(
    code: int | None, http_status: int, template: str = "", text: str = ""
) -> Outcome:
    """The outcome for an error ``code`` (Cloud API / Graph API) with its HTTP status."""
    if http_status == 401 or code == 190:
        return Outcome(
            "failed",
            "token",
            "Token akses WhatsApp Business kedaluwarsa atau tidak sah. Buat token baru "
            "(System User di Meta Business Suite) lalu simpan di Admin > WhatsApp Business. "
            "Pemberitahuan ini dikirim manual (klik untuk kirim).",
            halt=True,
        )
    if http_status == 429 or code in (130429, 131056, 4, 80007):
        return Outcome(
            "retry",
            "rate",
            "Batas kecepatan kirim WhatsApp Business tercapai; pemberitahuan dikirim lagi "
            "otomatis sebentar lagi.",
            halt=True,
        )
    if code == 132001:
        return Outcome(
            "failed",
            "template",
            f"Templat '{template}' belum disetujui atau tidak ada dalam bahasa Indonesia (id). "
            "Periksa nama templat di WhatsApp Manager dan di Admin > WhatsApp Business. "
            "Pemberitahuan ini dikirim manual.",
        )
    if code == 132000:
        return Outcome(
            "failed",
            "template",
            f"Jumlah isian templat '{template}' tidak sama dengan yang disetujui. Sesuaikan "
            "templat di WhatsApp Manager dengan urutan isian di Admin > WhatsApp Business.",
        )
    if code == 131047:
        return Outcome(
            "failed",
            "window",
            "Lewat 24 jam sejak pesan terakhir pemohon, dan pesan ini tidak diterima sebagai "
            "templat yang disetujui. Kirim manual dari WhatsApp kantor.",
        )
    if code == 131026 or (code == 100 and "param" in text.lower()):
        return Outcome(
            "failed",
            "number",
            "Nomor WhatsApp pemohon tidak dapat menerima pesan (bukan nomor WhatsApp, salah "
            "tulis, atau WhatsApp pemohon terlalu lama). Periksa nomornya, lalu kirim manual.",
        )
    if http_status == 503 or code in (2, 131016):
        return Outcome(
            "retry",
            "server",
            "Layanan WhatsApp Business sedang tidak tersedia; dicoba lagi otomatis.",
            halt=True,
        )
    if http_status >= 500:
        return Outcome(
            "uncertain",
            "server",
            "Server WhatsApp mengalami kesalahan setelah menerima permintaan; pesan mungkin "
            "terkirim. Periksa lalu pilih Kirim ulang atau Tandai terkirim.",
        )
    shown = f"kode {code}" if code is not None else f"HTTP {http_status}"
    return Outcome(
        "failed",
        f"api_{code if code is not None else http_status}",
        f"Server WhatsApp menolak pesan ({shown}). Pemberitahuan ini dikirim manual.",
    )


def classify(answer: ApiAnswer, template: str = "") -> Outcome:
    if answer.message_id is not None:
        return Outcome("sent", "", "")
    code, text = _error_parts(answer.body)
    if 200 <= answer.status < 300:  # accepted but no message id: cannot know what happened
        return Outcome(
            "uncertain",
            "no_id",
            "Server WhatsApp menjawab tanpa nomor pesan; pesan mungkin terkirim.",
        )
    return describe_code(code, answer.status, template, text)


NETWORK = Outcome(
    "retry",
    "network",
    "Jaringan ke server WhatsApp tidak terjangkau; dikirim lagi otomatis setelah jaringan pulih.",
    halt=True,
)
MAYBE = Outcome(
    "uncertain",
    "interrupted",
    "Pengiriman terputus setelah permintaan dikirim; pesan mungkin terkirim. Tunggu status "
    "pengiriman, atau pilih Kirim ulang / Tandai terkirim.",
)
