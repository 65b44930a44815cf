"""The words of the national complaint system (SP4N-LAPOR!, Perpres 76/2013) the app records
with a complaint: its channel, its classification and the settlement limit. Standard library
only, so the command line can offer them without loading the database layer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

#: How a complaint reached the office (SP4N-LAPOR!'s channels as the office meets them).
CHANNELS: Final[Mapping[str, str]] = {
    "whatsapp": "WhatsApp",
    "lapor": "SP4N-LAPOR!",
    "langsung": "Datang langsung",
    "surat": "Surat",
    "medsos": "Media sosial",
}
#: The SOP's own channel ("melalui Nomor pelayanan pengaduan"): a complaint without details.
DEFAULT_CHANNEL: Final = "whatsapp"

#: SP4N-LAPOR!'s classification of a report.
CLASSES: Final[Mapping[str, str]] = {
    "pengaduan": "Pengaduan",
    "aspirasi": "Aspirasi",
    "informasi": "Permintaan informasi",
}
DEFAULT_CLASS: Final = "pengaduan"

#: UU 25/2009 Pasal 50 ayat (5) and Perpres 76/2013: a complaint is settled at the latest 60
#: days after it was received (calendar days, counted in WIB from the day of receipt).
SETTLEMENT_DAYS: Final = 60
