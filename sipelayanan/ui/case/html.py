"""The request window's read-only panes as HTML: the koreksi/notes thread, the checklist and
the koreksi the current step was returned with (shown first)."""

from __future__ import annotations

import html

from ...i18n import tr
from ...models.cases import CaseStatus
from ...services.queries import CaseView, StepHistoryView
from ..widgets.common import fmt_dt, fmt_minutes


def history_html(view: CaseView) -> str:
    """The koreksi/notes thread, newest last."""
    if not view.history:
        return "<p style='color:#5f6368'>" + html.escape(tr("Belum ada riwayat.")) + "</p>"
    parts = []
    for h in view.history:
        colour = {"kembali": "#a50e0e", "kembali_pemohon": "#8a5a00", "batal": "#a50e0e"}.get(
            h.action, "#137333"
        )
        head = tr("Langkah {n}. {kegiatan}", n=h.step_no, kegiatan=h.activity)
        action = h.action_label
        if h.to_step is not None:
            action = tr("Dikembalikan ke langkah {n}", n=h.to_step)
        minutes = tr(
            "{lama} kerja (mutu baku {baku} mnt)",
            lama=fmt_minutes(h.working_minutes),
            baku=h.standard_minutes,
        )
        note = ""
        if h.note:  # QTextBrowser renders tables reliably, CSS borders not
            note = (
                "<table cellspacing='0' cellpadding='0' style='margin-top:4px'><tr>"
                f"<td width='4' bgcolor='{colour}'></td>"
                "<td bgcolor='#f1f3f4' style='padding:4px 10px'>"
                + html.escape(h.note).replace("\n", "<br>")
                + "</td></tr></table>"
            )
        parts.append(
            "<p style='margin-top:0; margin-bottom:2px'>"
            f"<span style='color:{colour}; font-weight:600'>{html.escape(action)}</span> · "
            f"{html.escape(head)}<br>"
            f"<span style='color:#5f6368'>{html.escape(h.full_name)} ({html.escape(h.username)})"
            f" · {html.escape(fmt_dt(h.ended_at))} · {html.escape(minutes)}</span></p>"
            f"{note}<p style='margin:0; font-size:4px'>&nbsp;</p>"
        )
    return "".join(parts)


def checklist_html(view: CaseView) -> str:
    rows = []
    for item in view.checklist:
        if not item.applies:
            mark, colour = "–", "#9aa0a6"
        elif item.present:
            mark, colour = "✓", "#137333"
        elif item.required:
            mark, colour = "✗", "#a50e0e"
        else:
            mark, colour = "○", "#5f6368"
        extra = []
        if item.alternative_group:
            extra.append(tr("alternatif"))
        if not item.required:
            extra.append(tr("tidak wajib"))
        if not item.applies:
            extra.append(tr("tidak berlaku"))
        suffix = f" <span style='color:#5f6368'>({', '.join(extra)})</span>" if extra else ""
        rows.append(
            f"<tr><td style='color:{colour}; font-weight:700; padding-right:8px'>{mark}"
            f"</td><td>{html.escape(item.label)}{suffix}</td></tr>"
        )
    missing = ""
    if view.missing_items:
        missing = (
            "<p style='color:#8a5a00'><b>"
            + html.escape(tr("Kekurangan yang diminta:"))
            + "</b><br>"
            + "<br>".join(html.escape(m) for m in view.missing_items)
            + "</p>"
        )
    return f"<table>{''.join(rows)}</table>{missing}"


def pending_koreksi(view: CaseView) -> StepHistoryView | None:
    """The koreksi the request came back to its current step with, while it is still there
    (the clerk must read it before anything else), else None."""
    if view.status != CaseStatus.PROSES or not view.history:
        return None
    last = view.history[-1]
    if last.action == "kembali" and last.to_step == view.current_step:
        return last
    return None


def koreksi_html(entry: StepHistoryView) -> str:
    """The koreksi box at the top of the actions: who sent it back from which step, and why."""
    head = tr(
        "Dikembalikan dari langkah {n} oleh {nama} · {waktu}",
        n=entry.step_no,
        nama=entry.full_name,
        waktu=fmt_dt(entry.ended_at),
    )
    note = html.escape(entry.note or "").replace("\n", "<br>")
    return (
        "<b style='color:#a50e0e'>"
        + html.escape(tr("Koreksi yang harus diperbaiki"))
        + "</b><br>"
        + f"<span style='color:#5f6368'>{html.escape(head)}</span><br>"
        + f"<span style='font-size:14px'>{note}</span>"
    )
