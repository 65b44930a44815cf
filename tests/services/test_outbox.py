"""The WhatsApp notice outbox: notices written with their step, sent at most once to a fake
Cloud API on loopback, the documented errors, kills of a real sender process, statuses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from sipelayanan.db import Database
from sipelayanan.demo import DEMO_USER_FOR_ROLE
from sipelayanan.models import Case, Notice, NoticeConsent
from sipelayanan.services import cases as svc
from sipelayanan.services import outbox, wa_cloud
from sipelayanan.services.outbox import State
from sipelayanan.sop import services
from tests import proc_worker
from tests.fake_cloud_api import FakeCloudApi

T0 = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)  # Tuesday 08:00 WIB
ROLE_USER = DEMO_USER_FOR_ROLE  # who acts for each role
PHONE_ID = "109876543210"
TEMPLATES = {
    "berkas_diterima": "sip_berkas_diterima",
    "berkas_kurang": "sip_berkas_kurang",
    "dokumen_selesai": "sip_dokumen_selesai",
    "dikirim_pos": "sip_dikirim_pos",
    "pengaduan_dijawab": "sip_pengaduan_dijawab",
}
DOC_SERVICE = next(c for c, d in services().items() if d.document_kind)
NO_DOC_SERVICE = next(c for c, d in services().items() if d.document_kind is None)


@pytest.fixture
def api() -> Iterator[FakeCloudApi]:
    fake = FakeCloudApi().start()
    yield fake
    fake.stop()


def configure(db: Database, actors: dict[str, Any], base_url: str) -> None:
    config = wa_cloud.validate_config(
        phone_number_id=PHONE_ID, base_url=base_url, version="v21.0", templates=TEMPLATES
    )
    with db.write() as s:
        wa_cloud.save_config(s, config, actor=actors["admin"])


def new_case(
    db: Database,
    actors: dict[str, Any],
    *,
    service: str = DOC_SERVICE,
    wa: str = "0812-3456-7890",
    consent: bool = True,
    nama: str = "Siti Aminah",
) -> str:
    sdef = services()[service]
    data = svc.IntakeData(
        service=service,
        nama=nama,
        nik="1808015708900003",
        wa=wa,
        setuju_wa=consent,
    )
    with db.write() as s:
        return svc.intake(s, actors[ROLE_USER[sdef.step(1).role]], data, now=T0).code


def notices(db: Database, code: str | None = None) -> list[Notice]:
    with db.read() as s:
        stmt = select(Notice).order_by(Notice.id)
        if code is not None:
            stmt = stmt.join(Case, Case.id == Notice.case_id).where(Case.code == code)
        rows = list(s.execute(stmt).scalars())
        s.expunge_all()
    return rows


# --------------------------------------------------------------------------- enqueue


def test_each_notice_the_sop_calls_for_is_written_with_its_step(
    db: Database, actors: dict[str, Any]
) -> None:
    sdef = services()[DOC_SERVICE]
    code = new_case(db, actors, consent=False)
    with db.write() as s:
        svc.return_to_pemohon(s, actors["online"], code, missing=["Foto KTP-el"], now=T0)
    with db.write() as s:
        svc.resubmit(s, actors["online"], code, now=T0)
    at = T0
    for step in sdef.steps:
        at += timedelta(minutes=5)
        kw: dict[str, str] = {}
        if "nomor_dokumen" in step.records:
            kw["nomor_dokumen"] = "1808-0001234"
        if "penyerahan" in step.records and not step.notifies:
            kw["resi"] = "P2211000123"
        with db.write() as s:
            svc.advance(s, actors[ROLE_USER[step.role]], code, now=at, **kw)
    # the notify step told the resident (dokumen_selesai); the resi is recorded afterwards
    for _ in range(2):  # the same resi recorded again: no second notice
        with db.write() as s:
            svc.record_delivery(s, actors["penyerahan"], code, resi="P2211000123", now=at)
    rows = notices(db, code)
    assert [n.kind for n in rows] == [
        "berkas_diterima",
        "berkas_kurang",
        "dokumen_selesai",
        "dikirim_pos",
    ]
    assert {n.state for n in rows} == {State.MANUAL}  # no consent, no Cloud API
    assert "Foto KTP-el" in rows[1].text and "Foto KTP-el" in json.loads(rows[1].params)[3]
    assert "P2211000123" in rows[3].text and json.loads(rows[3].params)[3] == "P2211000123"
    assert all("\n" not in p for n in rows for p in json.loads(n.params))
    with db.read() as s:
        consent = s.execute(select(NoticeConsent.consent)).scalar_one()
    assert consent is False


def test_returned_at_intake_the_pemohon_gets_the_missing_list_only(
    db: Database, actors: dict[str, Any]
) -> None:
    sdef = services()[DOC_SERVICE]
    actor = actors[ROLE_USER[sdef.step(1).role]]
    with db.write() as s:
        code = svc.intake(
            s,
            actor,
            svc.IntakeData(
                service=DOC_SERVICE,
                nama="Budi",
                wa="081234567891",
                nik="1808015708900003",
                setuju_wa=True,
            ),
        ).code
        svc.return_to_pemohon(s, actor, code, missing=["Foto KTP-el"])
    rows = notices(db, code)
    assert [(n.kind, n.state) for n in rows] == [
        ("berkas_diterima", State.SKIPPED),
        ("berkas_kurang", State.MANUAL),
    ]
    with db.read() as s:  # visible in the list, not offered for sending
        assert {r.kind for r in outbox.pending_manual(s)} == {"berkas_kurang"}
        assert len(outbox.list_notices(s)) == 2


def test_a_complaint_answered_is_a_notice(db: Database, actors: dict[str, Any]) -> None:
    sdef = services()[NO_DOC_SERVICE]
    code = new_case(db, actors, service=NO_DOC_SERVICE)
    close_at = next(s for s in sdef.steps if s.allows("close"))
    for step in sdef.steps:
        if step.no == close_at.no:
            break
        with db.write() as s:
            svc.advance(s, actors[ROLE_USER[step.role]], code, now=T0)
    with db.write() as s:
        svc.close_simple(s, actors[ROLE_USER[close_at.role]], code, solusi="Data sudah dibetulkan.")
    rows = notices(db, code)
    assert [n.kind for n in rows] == ["berkas_diterima", "pengaduan_dijawab"]
    assert json.loads(rows[1].params)[-1] == "Data sudah dibetulkan."


def test_a_step_that_rolls_back_leaves_no_notice(db: Database, actors: dict[str, Any]) -> None:
    code = new_case(db, actors)
    before = len(notices(db))
    with pytest.raises(RuntimeError), db.write() as s:
        svc.return_to_pemohon(s, actors["online"], code, missing=["Foto KTP-el"], now=T0)
        assert s.execute(select(func.count(Notice.id))).scalar_one() == before + 1
        raise RuntimeError("the step fails after the notice was written")
    with pytest.raises(RuntimeError), db.write() as s:
        svc.intake(
            s,
            actors["online"],
            svc.IntakeData(
                service=DOC_SERVICE,
                nama="Budi",
                nik="1808015708900003",
                wa="081234567891",
                setuju_wa=True,
            ),
        )
        raise RuntimeError("intake rolled back")
    assert len(notices(db)) == before
    with db.read() as s:
        assert s.execute(select(func.count(NoticeConsent.case_id))).scalar_one() == 1


# --------------------------------------------------------------------------- the Cloud API


def test_sent_through_the_cloud_api_with_the_documented_request(
    db: Database, actors: dict[str, Any], api: FakeCloudApi
) -> None:
    configure(db, actors, api.base_url)
    code = new_case(db, actors)
    (row,) = notices(db, code)
    assert row.state == State.QUEUED
    report = outbox.run_sender(db, token=api.token)
    assert report.sent == 1
    (req,) = api.requests
    assert req.path == f"/v21.0/{PHONE_ID}/messages"
    assert req.auth == f"Bearer {api.token}"
    assert req.body["messaging_product"] == "whatsapp"
    assert req.body["to"] == "6281234567890"
    assert req.body["type"] == "template"
    template = req.body["template"]
    assert template["name"] == "sip_berkas_diterima"
    assert template["language"] == {"code": "id"}
    (component,) = template["components"]
    assert component["type"] == "body"
    values = [p["text"] for p in component["parameters"]]
    assert values[0] == "Siti Aminah"
    assert values[1] == services()[DOC_SERVICE].name
    assert values[2].replace("-", "") == code.replace("-", "")
    assert all(p["type"] == "text" for p in component["parameters"])
    (row,) = notices(db, code)
    assert row.state == State.SENT and row.wamid == "wamid.FAKE000001" and row.via_api
    assert outbox.run_sender(db, token=api.token).sent == 0  # nothing twice
    assert len(api.requests) == 1
    with db.read() as s:
        month = outbox.monthly_counts(s, row.sent_at.year, row.sent_at.month)  # type: ignore[union-attr]
    assert month == {"berkas_diterima": 1}


def test_without_consent_the_notice_stays_click_to_chat(
    db: Database, actors: dict[str, Any], api: FakeCloudApi
) -> None:
    configure(db, actors, api.base_url)
    code = new_case(db, actors, consent=False)
    outbox.run_sender(db, token=api.token)
    assert api.requests == []
    (row,) = notices(db, code)
    assert row.state == State.MANUAL
    with db.read() as s:
        (walk,) = outbox.pending_manual(s)
    assert walk.wa_link.startswith("https://wa.me/6281234567890?text=")


@pytest.mark.parametrize(
    ("answer", "state", "words", "halted"),
    [
        ("token", State.FAILED, "Token akses", "token"),
        ("template", State.FAILED, "sip_berkas_diterima", None),
        ("window", State.FAILED, "24 jam", None),
        ("rate", State.QUEUED, "Batas kecepatan", "rate"),
        ("number", State.FAILED, "Nomor WhatsApp pemohon", None),
        ("param", State.FAILED, "Nomor WhatsApp pemohon", None),
    ],
)
def test_documented_errors_get_a_clear_message(
    db: Database,
    actors: dict[str, Any],
    api: FakeCloudApi,
    answer: str,
    state: str,
    words: str,
    halted: str | None,
) -> None:
    configure(db, actors, api.base_url)
    api.script["6281234567890"] = answer
    code = new_case(db, actors)
    new_case(db, actors, wa="0812-0000-1111", nama="Budi Santoso")
    report = outbox.run_sender(db, token=api.token)
    row = notices(db, code)[0]
    assert row.state == state
    assert row.error is not None and words in row.error
    assert report.halted == halted
    assert len(api.requests) == (1 if halted else 2)  # a halt spares the others
    with db.read() as s:
        walk = outbox.pending_manual(s)
    if state == State.FAILED:  # back to click-to-chat, on the "belum terkirim" list
        assert [w.id for w in walk] == [row.id]
    else:
        assert row.next_attempt_at is not None and row.next_attempt_at > datetime.now(UTC)
        assert walk == []


def test_network_down_retries_with_backoff(
    db: Database, actors: dict[str, Any], api: FakeCloudApi
) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    configure(db, actors, dead)
    code = new_case(db, actors)
    report = outbox.run_sender(db, token=api.token)
    assert report.halted == "network" and report.retried == 1
    (row,) = notices(db, code)
    assert row.state == State.QUEUED and row.attempts == 1
    assert row.next_attempt_at is not None
    delay = (row.next_attempt_at - datetime.now(UTC)).total_seconds()
    assert 20 < delay <= outbox.BACKOFF_FIRST
    assert outbox.run_sender(db, token=api.token).retried == 0  # not due yet
    assert [outbox.backoff(n) for n in (1, 2, 3)] == [30.0, 60.0, 120.0]
    assert outbox.backoff(20) == outbox.BACKOFF_MAX
    configure(db, actors, api.base_url)  # the network is back
    with db.write() as s:
        s.execute(update(Notice).values(next_attempt_at=datetime.now(UTC)))
    assert outbox.run_sender(db, token=api.token).sent == 1
    assert notices(db, code)[0].state == State.SENT


def test_an_answer_lost_on_the_way_is_uncertain_until_a_status_settles_it(
    db: Database, actors: dict[str, Any], api: FakeCloudApi
) -> None:
    configure(db, actors, api.base_url)

    def drop(url: str, token: str, body: Any) -> wa_cloud.ApiAnswer:
        wa_cloud.post_json(url, token, body)  # it arrives …
        raise wa_cloud.MaybeSent("timeout")  # … but the answer never comes back

    code = new_case(db, actors)
    report = outbox.run_sender(db, token=api.token, transport=drop)
    assert report.uncertain == 1
    (row,) = notices(db, code)
    assert row.state == State.UNCERTAIN and "mungkin terkirim" in (row.error or "")
    outbox.run_sender(db, token=api.token)
    assert sum(api.per_notice.values()) == 1  # never re-sent automatically
    with db.write() as s:
        applied, seen = outbox.import_statuses(
            s,
            {
                "entry": [
                    {
                        "changes": [
                            {
                                "value": {
                                    "statuses": [
                                        {
                                            "id": "wamid.FAKE000001",
                                            "status": "delivered",
                                            "timestamp": "1795000000",
                                            "biz_opaque_callback_data": outbox.reference(row.id),
                                        }
                                    ]
                                }
                            }
                        ]
                    }
                ]
            },
        )
    assert (applied, seen) == (1, 1)
    (row,) = notices(db, code)
    assert row.state == State.DELIVERED and row.wamid == "wamid.FAKE000001"
    with db.write() as s:  # statuses only move forward
        assert not outbox.apply_status(s, {"id": "wamid.FAKE000001", "status": "sent"})
        assert outbox.apply_status(s, {"id": "wamid.FAKE000001", "status": "read"})
    assert notices(db, code)[0].state == State.READ


def test_clerk_decides_uncertain_and_failed_notices(
    db: Database, actors: dict[str, Any], api: FakeCloudApi
) -> None:
    configure(db, actors, api.base_url)
    first = new_case(db, actors)
    second = new_case(db, actors, wa="0812-0000-1111")
    a, b = notices(db, first)[0].id, notices(db, second)[0].id
    with db.write() as s:
        s.execute(update(Notice).where(Notice.id == a).values(state=State.UNCERTAIN))
        s.execute(update(Notice).where(Notice.id == b).values(state=State.UNCERTAIN))
    with db.write() as s:
        assert outbox.resend(s, actors["admin"], a) == State.QUEUED
        assert outbox.mark_sent(s, actors["admin"], b) == State.SENT
    outbox.run_sender(db, token=api.token)
    assert [r.body["to"] for r in api.requests] == ["6281234567890"]
    with db.write() as s, pytest.raises(Exception, match="tercatat"):
        outbox.mark_sent(s, actors["admin"], b)


def test_sent_by_hand_from_the_action_window_is_not_sent_again(
    db: Database, actors: dict[str, Any], api: FakeCloudApi
) -> None:
    configure(db, actors, api.base_url)
    queued = new_case(db, actors)
    manual = new_case(db, actors, consent=False, wa="0812-0000-1111")
    with db.write() as s:
        assert outbox.mark_sent_for_case(s, actors["online"], queued, "berkas_diterima") == 1
        assert outbox.mark_sent_for_case(s, actors["online"], manual, "berkas_diterima") == 1
        assert outbox.mark_sent_for_case(s, actors["online"], manual, "berkas_kurang") == 0
    outbox.run_sender(db, token=api.token)
    assert api.requests == []
    assert [n.state for n in notices(db)] == [State.MANUAL_SENT, State.MANUAL_SENT]
    with db.read() as s:
        assert outbox.pending_manual(s) == []


# --------------------------------------------------------------------------- kills


@pytest.mark.parametrize("stage", ["before_request", "after_request", "after_record"])
def test_killed_sender_sends_nothing_twice_and_loses_nothing(
    db: Database, db_url: str, actors: dict[str, Any], api: FakeCloudApi, stage: str
) -> None:
    configure(db, actors, api.base_url)
    codes = [new_case(db, actors, wa=f"0812-3456-78{i:02d}") for i in range(3)]
    worker = _start_sender(db_url, api.token, hang=stage)
    first = int(proc_worker.expect_line(worker, "MID ", 120))
    proc_worker.kill(worker)  # SIGKILL: nothing runs after this
    expected_requests = 0 if stage == "before_request" else 1
    assert len(api.requests) == expected_requests
    states = {n.id: n.state for n in notices(db)}
    assert states[first] == (State.SENT if stage == "after_record" else State.SENDING)

    restarted = _start_sender(db_url, api.token)  # the app starts again
    result = json.loads(proc_worker.expect_line(restarted, "RESULT ", 120))
    restarted.wait(30)
    assert result["recovered"] == (0 if stage == "after_record" else 1)
    outbox.run_sender(db, token=api.token)  # and again, later: still nothing twice
    assert max(api.per_notice.values()) == 1
    rows = notices(db)
    assert len(rows) == len(codes)
    final = {n.id: n.state for n in rows}
    assert final[first] == (State.SENT if stage == "after_record" else State.UNCERTAIN)
    others = [s for i, s in final.items() if i != first]
    assert others == [State.SENT, State.SENT]
    assert set(final.values()) <= {State.SENT, State.UNCERTAIN, State.FAILED, State.MANUAL}
    with db.read() as s:
        listed = outbox.list_notices(s)
    assert {r.id for r in listed} == set(final)  # every notice visible in the Admin list


def _start_sender(url: str, token: str, hang: str | None = None) -> Any:
    import os
    import subprocess
    import sys

    env = dict(os.environ)
    env.pop("SIPELAYANAN_DB", None)
    env.pop(wa_cloud.TOKEN_ENV, None)
    payload = json.dumps({"url": url, "token": token, "hang": hang})
    return subprocess.Popen(
        [sys.executable, "-m", "tests.outbox_worker", payload],
        cwd=proc_worker.ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


# --------------------------------------------------------------------------- command line


def test_cli_consent_scheduled_send_and_statuses(
    db: Database,
    db_url: str,
    actors: dict[str, Any],
    api: FakeCloudApi,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Any,
) -> None:
    import io
    import sys

    from sipelayanan.cli import main
    from sipelayanan.demo import DEMO_PASSWORD

    configure(db, actors, api.base_url)
    sdef = services()[DOC_SERVICE]

    def run(*args: str) -> tuple[int, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(DEMO_PASSWORD + "\n"))
        rc = main(["--db", db_url, *args])
        out, err = capsys.readouterr()
        return rc, out + err

    user = ROLE_USER[sdef.step(1).role]
    new = ["case", "new", "--layanan", DOC_SERVICE, "--nama", "Siti Aminah"]
    new += ["--nik", "1808015708900003", "--pengguna", user]
    rc, out = run(*new, "--wa", "081234567890", "--setuju-wa")
    assert rc == 0
    rc, _ = run(*new, "--wa", "081200001111")
    assert rc == 0
    assert [n.state for n in notices(db)] == [State.QUEUED, State.MANUAL]

    monkeypatch.delenv(wa_cloud.TOKEN_ENV, raising=False)
    monkeypatch.setattr(wa_cloud, "load_token", lambda _pid: None)
    rc, out = run("notifikasi", "kirim")
    assert rc == 2 and "Token WhatsApp Business belum disimpan" in out
    monkeypatch.setenv(wa_cloud.TOKEN_ENV, api.token)
    monkeypatch.undo()  # load_token back, with the token from the environment
    monkeypatch.setenv(wa_cloud.TOKEN_ENV, api.token)
    rc, out = run("notifikasi", "kirim")
    assert rc == 0, out
    assert "Terkirim 1" in out and "Belum terkirim (kirim manual): 1" in out
    first = notices(db)[0]
    webhook = tmp_path / "status.json"
    webhook.write_text(json.dumps([{"id": first.wamid, "status": "read", "timestamp": "1"}]))
    rc, out = run("notifikasi", "status", str(webhook))
    assert rc == 0 and "1 pemberitahuan diperbarui" in out
    assert notices(db)[0].state == State.READ
    rc, out = run("notifikasi", "daftar")
    assert rc == 0 and "Dibaca" in out and "Belum terkirim" in out
    assert "Siti" not in out and "81234567890" not in out  # no name, no number
    (tmp_path / "bad.json").write_text("{not json")
    rc, out = run("notifikasi", "status", str(tmp_path / "bad.json"))
    assert rc == 2 and "Traceback" not in out


def test_the_tanda_terima_says_whether_the_pemohon_consented(
    db: Database, actors: dict[str, Any]
) -> None:
    import io

    from pypdf import PdfReader

    from sipelayanan.reports import receipt

    def text(code: str) -> str:
        with db.write() as s:
            pdf = receipt(s, code, "pdf", actor=actors["online"], now=T0)
        pages = PdfReader(io.BytesIO(pdf)).pages
        return " ".join(" ".join(p.extract_text() for p in pages).split())

    yes = text(new_case(db, actors, consent=True))
    no = text(new_case(db, actors, consent=False))
    assert "Pemohon setuju menerima pemberitahuan WhatsApp otomatis" in yes
    assert "tanpa pemberitahuan otomatis" in no and "Pemohon setuju" not in no
