"""The states a request can be in. A module of its own so that code which answers a status
question without the ORM (the command line's fast path) reads the same constants."""

from __future__ import annotations


class CaseStatus:
    PROSES = "proses"  # being worked on at current_step
    MENUNGGU_PEMOHON = "menunggu_pemohon"  # returned to the pemohon; SLA clock stopped
    SELESAI = "selesai"  # finished (document handed over / complaint answered)
    BATAL = "batal"  # cancelled with a reason

    ALL = (PROSES, MENUNGGU_PEMOHON, SELESAI, BATAL)
    OPEN = (PROSES, MENUNGGU_PEMOHON)
    LABELS = {
        PROSES: "Diproses",
        MENUNGGU_PEMOHON: "Menunggu kelengkapan dari pemohon",
        SELESAI: "Selesai",
        BATAL: "Dibatalkan",
    }
