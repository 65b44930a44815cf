"""The SOP definitions: the shipped files match the signed SOPs, and broken files are refused
with a message naming the file and the line."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType

import pytest

from sipelayanan.resources import resource_path
from sipelayanan.sop import (
    ROLES,
    SERVICE_ORDER,
    Move,
    ServiceDef,
    SopError,
    load_service_file,
    load_services,
    services,
)
from sipelayanan.sop.checklist import MissingItem

SOP_DIR = resource_path("sop")


@pytest.fixture(scope="module")
def svc() -> dict[str, ServiceDef]:
    return dict(load_services())


# --------------------------------------------------------------------------- the shipped files


def test_seven_services_load_in_fixed_order(svc: dict[str, ServiceDef]) -> None:
    assert tuple(svc) == SERVICE_ORDER
    assert SERVICE_ORDER == (
        "KK",
        "SKPWNI",
        "KTP_EL",
        "KIA",
        "AKTA_LAHIR",
        "AKTA_MATI",
        "PENGADUAN",
    )
    for code, s in svc.items():
        assert s.code == code
        assert (SOP_DIR / f"{code}.toml").is_file()
        assert s.version == "2022.1"
        assert s.standard_working_days == 1
        assert [st.no for st in s.steps] == list(range(1, len(s.steps) + 1))
        assert s.last_step == len(s.steps)


def test_services_is_cached_and_read_only() -> None:
    first = services()
    assert services() is first
    assert isinstance(first, MappingProxyType)
    with pytest.raises(TypeError):
        first["X"] = first["KK"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("code", "total"),
    [
        ("KK", 45),
        ("SKPWNI", 45),
        ("KTP_EL", 25),
        ("KIA", 29),
        ("AKTA_LAHIR", 80),
        ("AKTA_MATI", 80),
        ("PENGADUAN", 60),
    ],
)
def test_total_minutes(svc: dict[str, ServiceDef], code: str, total: int) -> None:
    assert svc[code].total_minutes == total


def test_pengaduan_simple_path_is_twenty_minutes(svc: dict[str, ServiceDef]) -> None:
    s = svc["PENGADUAN"]
    assert sum(s.step(n).minutes for n in (1, 2, 3)) == 20


def test_roles() -> None:
    assert ROLES == {
        "operator_online": "Operator Pelayanan Online",
        "operator": "Petugas/Operator",
        "kasi": "Kasi",
        "kabid": "Kabid",
        "kadis": "Kepala Dinas",
        "petugas_penyerahan": "Petugas Penyerahan Dokumen",
        "petugas_aduan": "Petugas Penerima Aduan",
        "pejabat_aduan": "Pejabat Pengelola Pengaduan",
        "tim_aduan": "Tim Penjawab Aduan",
        "admin": "Administrator",
    }


# Per step: (role, minutes, SOP actor label) — the README table.
_AKTA_FLOW = [
    ("operator_online", 10, "Pemohon"),
    ("operator_online", 10, "Petugas Pelayanan Online"),
    ("kasi", 5, "Kasi"),
    ("kabid", 5, "Kepala Bidang"),
    ("kasi", 5, "Kasi"),
    ("operator", 15, "Operator"),
    ("petugas_penyerahan", 5, "Pemohon dan Saksi"),
    ("petugas_penyerahan", 10, "Petugas Penyerahan Dokumen"),
    ("kadis", 5, "Kepala Dinas"),
    ("petugas_penyerahan", 10, "Petugas Penyerahan Dokumen"),
]
FLOWS: dict[str, list[tuple[str, int, str]]] = {
    "KK": [
        ("operator_online", 5, "Pemohon"),
        ("operator", 10, "Petugas/Operator"),
        ("kasi", 5, "Kasi"),
        ("kabid", 5, "Kabid"),
        ("kadis", 5, "Kadis"),
        ("operator", 10, "Petugas/Operator"),
        ("petugas_penyerahan", 5, "Petugas Pengambilan"),
    ],
    "SKPWNI": [
        ("operator_online", 5, "Pemohon"),
        ("operator", 10, "Petugas/Operator"),
        ("kasi", 5, "Kasi"),
        ("kabid", 5, "Kabid"),
        ("kadis", 5, "Kadis"),
        ("operator", 10, "Petugas/Operator"),
        ("petugas_penyerahan", 5, "Petugas Pengambilan"),
    ],
    "KTP_EL": [
        ("operator_online", 5, "Pemohon"),
        ("operator_online", 10, "Petugas Pelayanan 1"),
        ("operator", 5, "Operator Kartu Tanda Penduduk"),
        ("petugas_penyerahan", 5, "Petugas Pelayanan 2"),
    ],
    "KIA": [
        ("operator_online", 2, "Pemohon"),
        ("operator_online", 5, "Operator Pelayanan Online"),
        ("kasi", 10, "Kasi Identitas Penduduk"),
        ("operator", 10, "Petugas 2"),
        ("petugas_penyerahan", 2, "Petugas 2"),
    ],
    "AKTA_LAHIR": _AKTA_FLOW,
    "AKTA_MATI": _AKTA_FLOW,
    "PENGADUAN": [
        ("petugas_aduan", 5, "Pelapor"),
        ("petugas_aduan", 5, "Petugas Penerima Aduan"),
        ("petugas_aduan", 10, "Petugas Penerima Aduan"),
        ("petugas_aduan", 10, "Petugas Penerima Aduan"),
        ("pejabat_aduan", 10, "Pejabat Pengelola Pengaduan"),
        ("pejabat_aduan", 10, "Pejabat Pengelola Pengaduan"),
        ("petugas_aduan", 10, "Petugas Penerima Aduan"),
    ],
}


@pytest.mark.parametrize("code", list(FLOWS))
def test_roles_minutes_and_actor_labels_per_step(svc: dict[str, ServiceDef], code: str) -> None:
    got = [(s.role, s.minutes, s.actor_label) for s in svc[code].steps]
    assert got == FLOWS[code]


RETURN_PEMOHON = {
    "KK": [1],
    "SKPWNI": [1],
    "KTP_EL": [1],
    "KIA": [1, 2],
    "AKTA_LAHIR": [1, 2],
    "AKTA_MATI": [1, 2],
    "PENGADUAN": [1, 2],
}
BACK = {
    "KK": {3: (2,), 4: (2,), 5: (2,)},
    "SKPWNI": {3: (2,), 4: (2,), 5: (2,)},
    "KTP_EL": {3: (2,)},
    "KIA": {3: (2,)},
    "AKTA_LAHIR": {3: (2,), 4: (3,), 9: (6,)},
    "AKTA_MATI": {3: (2,), 4: (3,), 9: (6,)},
    "PENGADUAN": {},
}


@pytest.mark.parametrize("code", SERVICE_ORDER)
def test_branches(svc: dict[str, ServiceDef], code: str) -> None:
    s = svc[code]
    assert [st.no for st in s.steps if st.allows("return_pemohon")] == RETURN_PEMOHON[code]
    assert {st.no: st.back_targets() for st in s.steps if st.back_targets()} == BACK[code]
    assert all(st.allows("next") for st in s.steps)
    closing = [st.no for st in s.steps if st.allows("close")]
    assert closing == ([3] if code == "PENGADUAN" else [])


def test_pengaduan_close_and_escalation(svc: dict[str, ServiceDef]) -> None:
    s = svc["PENGADUAN"]
    step3 = s.step(3)
    assert step3.moves == (Move("next"), Move("close"))
    assert s.step(5).with_roles == ("tim_aduan",)
    assert s.step(5).output == "Solusi"
    assert all(st.with_roles == () for st in s.steps if st.no != 5)


REGISTER_STEP = {
    "KK": 6,
    "SKPWNI": 6,
    "KTP_EL": 4,
    "KIA": 4,
    "AKTA_LAHIR": 6,
    "AKTA_MATI": 6,
    "PENGADUAN": 2,
}
NOMOR_DOKUMEN_STEP = {"KK": 2, "SKPWNI": 2, "KIA": 4, "AKTA_LAHIR": 6, "AKTA_MATI": 6}
PENYERAHAN_STEP = {"KK": 7, "SKPWNI": 7, "KTP_EL": 4, "KIA": 5, "AKTA_LAHIR": 10, "AKTA_MATI": 10}
DECISION_STEPS = {
    "KK": [3, 4, 5],
    "SKPWNI": [3, 4, 5],
    "KTP_EL": [],
    "KIA": [3],
    "AKTA_LAHIR": [3, 4, 9],
    "AKTA_MATI": [3, 4, 9],
    "PENGADUAN": [],
}


@pytest.mark.parametrize("code", SERVICE_ORDER)
def test_step_flags(svc: dict[str, ServiceDef], code: str) -> None:
    s = svc[code]
    assert [st.no for st in s.steps if st.assigns_register] == [REGISTER_STEP[code]]
    nomor = [st.no for st in s.steps if "nomor_dokumen" in st.records]
    assert nomor == ([NOMOR_DOKUMEN_STEP[code]] if code in NOMOR_DOKUMEN_STEP else [])
    serah = [st.no for st in s.steps if "penyerahan" in st.records]
    assert serah == ([PENYERAHAN_STEP[code]] if code in PENYERAHAN_STEP else [])
    assert [st.no for st in s.steps if st.decision] == DECISION_STEPS[code]
    # Every decision step is a supervisor's and can send the case back.
    for st in s.steps:
        if st.decision:
            assert st.role in {"kasi", "kabid", "kadis"}
            assert st.back_targets()


HEADERS = {
    # code: (short_name, sop_number, wa_number, document_kind, requires_nik, register_name)
    "KK": (
        "KK Baru",
        "800/109/SOP/DISDUKCAPIL/2022",
        "0811-7961-500",
        "Kartu Keluarga",
        True,
        "Buku Agenda KK",
    ),
    "SKPWNI": (
        "SKPWNI",
        "800/109/SOP/DISDUKCAPIL/2022",
        "0811-7961-500",
        "Surat Keterangan Pindah WNI",
        True,
        "Buku Agenda SKPWNI",
    ),
    "KTP_EL": (
        "KTP-el Penggantian",
        "800/19-a/SOP/DISDUKCAPIL/2022",
        "0811-7961-600",
        "KTP-el",
        True,
        "Buku Agenda KTP-el",
    ),
    "KIA": (
        "KIA Baru",
        "800/19-a/SOP/DISDUKCAPIL/2022",
        "0811-7961-600",
        "Kartu Identitas Anak",
        True,
        "Buku Agenda KIA",
    ),
    "AKTA_LAHIR": (
        "Akta Kelahiran",
        "800/19.a/SOP/DISDUKCAPIL/2022",
        "0811-7961-700",
        "Kutipan Akta Kelahiran",
        True,
        "Register Akta Kelahiran",
    ),
    "AKTA_MATI": (
        "Akta Kematian",
        "800/19.a/SOP/DISDUKCAPIL/2022",
        "0811-7961-800",
        "Kutipan Akta Kematian",
        True,
        "Register Akta Kematian",
    ),
    "PENGADUAN": (
        "Pengaduan",
        "800/19.a/SOP/DISDUKCAPIL/2022",
        "",
        None,
        False,
        "Buku Register Pengaduan",
    ),
}


@pytest.mark.parametrize("code", SERVICE_ORDER)
def test_header_fields(svc: dict[str, ServiceDef], code: str) -> None:
    s = svc[code]
    got = (
        s.short_name,
        s.sop_number,
        s.wa_number,
        s.document_kind,
        s.requires_nik,
        s.register_name,
    )
    assert got == HEADERS[code]
    assert s.name and s.sop_title


def test_activity_texts_follow_the_source(svc: dict[str, ServiceDef]) -> None:
    assert svc["KK"].name == "Penerbitan Kartu Keluarga (KK) Baru"
    assert svc["KK"].step(1).activity == (
        "Mengirimkan berkas melalui Nomor WhatsApp Pelayanan Online (08117961500)"
    )
    assert svc["KTP_EL"].step(1).activity.startswith("Mengirimkan berkas")
    assert svc["AKTA_LAHIR"].step(7).activity == (
        "Pemohon dan Saksi menandatangani Register Akta Kelahiran"
    )
    assert "Whatspapp" not in svc["AKTA_MATI"].step(1).activity
    for s in svc.values():
        for st in s.steps:
            assert "Mwngirimkan" not in st.activity
            assert "Diskdukcapil" not in st.activity


def test_step_lookup(svc: dict[str, ServiceDef]) -> None:
    kk = svc["KK"]
    assert kk.step(3).role == "kasi"
    with pytest.raises(KeyError, match="langkah 8"):
        kk.step(8)
    with pytest.raises(KeyError):
        kk.step(0)


def test_requirement_sources_and_saksi(svc: dict[str, ServiceDef]) -> None:
    for s in svc.values():
        for r in s.requirements:
            assert r.source in {"SOP", "Perpres 96/2018"}
            assert r.count >= 1
    for code in ("AKTA_LAHIR", "AKTA_MATI"):
        saksi = [r for r in svc[code].requirements if r.key == "ktp_saksi"]
        assert len(saksi) == 1
        assert saksi[0].count == 2
    assert {r.source for r in svc["SKPWNI"].requirements} == {"SOP"}
    assert {r.source for r in svc["KK"].requirements} == {"Perpres 96/2018"}


# --------------------------------------------------------------------------- missing_requirements


def _keys(reqs: list[MissingItem]) -> list[str]:
    return [r.key for r in reqs]


def test_missing_requirements_kia_condition(svc: dict[str, ServiceDef]) -> None:
    kia = svc["KIA"]
    base = ["fotokopi_kk", "foto_akta_kelahiran", "fotokopi_ktp_orang_tua"]
    assert kia.missing_requirements(base) == []
    assert _keys(kia.missing_requirements(base, ["anak_lebih_5_tahun"])) == ["pas_foto_3x4"]
    assert kia.missing_requirements([*base, "pas_foto_3x4"], ["anak_lebih_5_tahun"]) == []
    assert _keys(kia.missing_requirements([])) == base
    assert _keys(kia.missing_requirements(["fotokopi_kk", "bukan_kunci"])) == base[1:]


def test_missing_requirements_ktp_alternatives(svc: dict[str, ServiceDef]) -> None:
    ktp = svc["KTP_EL"]
    # an alternative group is one item, named by the group
    assert _keys(ktp.missing_requirements(["fotokopi_kk"])) == ["ktp_lama_atau_kehilangan"]
    assert ktp.missing_requirements(["fotokopi_kk", "ktp_el_lama"]) == []
    assert ktp.missing_requirements(["fotokopi_kk", "surat_kehilangan_polisi"]) == []
    assert _keys(ktp.missing_requirements(["ktp_el_lama"])) == ["fotokopi_kk"]


def test_missing_requirements_skpwni_alternatives(svc: dict[str, ServiceDef]) -> None:
    skp = svc["SKPWNI"]
    assert skp.missing_requirements(["formulir_f103", "kk_asli"]) == []
    assert skp.missing_requirements(["formulir_f103", "surat_kehilangan"]) == []
    assert _keys(skp.missing_requirements(["formulir_f103"])) == ["kk_atau_kehilangan"]
    assert _keys(skp.missing_requirements(iter(["kk_asli"]))) == ["formulir_f103"]


def test_missing_requirements_optional_items_never_missing(svc: dict[str, ServiceDef]) -> None:
    kk = svc["KK"]
    assert not next(r for r in kk.requirements if r.key == "kk_lama").required
    assert kk.missing_requirements(["formulir_f102", "buku_nikah"]) == []
    mati = svc["AKTA_MATI"]
    present = ["formulir_f201", "sptjm_kematian", "kk_almarhum", "ktp_saksi"]
    assert mati.missing_requirements(present) == []


def test_missing_requirements_akta_lahir_two_groups(svc: dict[str, ServiceDef]) -> None:
    lahir = svc["AKTA_LAHIR"]
    present = ["formulir_f201", "surat_keterangan_lahir", "kartu_keluarga", "ktp_el_orang_tua"]
    assert _keys(lahir.missing_requirements(present)) == ["bukti_perkawinan", "ktp_saksi"]


# --------------------------------------------------------------------------- snapshots


@pytest.mark.parametrize("code", SERVICE_ORDER)
def test_round_trip_and_fingerprint(svc: dict[str, ServiceDef], code: str) -> None:
    s = svc[code]
    d = s.to_dict()
    assert ServiceDef.from_dict(d) == s
    # Through JSON (as stored in the database) too.
    again = ServiceDef.from_dict(json.loads(json.dumps(d)))
    assert again == s
    assert again.fingerprint() == s.fingerprint()
    assert re.fullmatch(r"[0-9a-f]{64}", s.fingerprint())
    # A fresh load gives the same fingerprint; any change gives another one.
    assert load_service_file(SOP_DIR / f"{code}.toml").fingerprint() == s.fingerprint()
    changed = dataclasses.replace(s.steps[0], minutes=s.steps[0].minutes + 1)
    other = dataclasses.replace(s, steps=(changed, *s.steps[1:]))
    assert other.fingerprint() != s.fingerprint()


def test_fingerprints_differ_between_services(svc: dict[str, ServiceDef]) -> None:
    assert len({s.fingerprint() for s in svc.values()}) == len(svc)


def test_from_dict_rejects_garbage(svc: dict[str, ServiceDef]) -> None:
    d = svc["KK"].to_dict()
    del d["steps"]
    with pytest.raises(SopError):
        ServiceDef.from_dict(d)
    d = svc["KK"].to_dict()
    d["steps"][0]["minutes"] = "5"
    with pytest.raises(SopError):
        ServiceDef.from_dict(d)
    d = svc["KK"].to_dict()
    d["steps"][0]["moves"][0]["kind"] = "lompat"
    with pytest.raises(SopError):
        ServiceDef.from_dict(d)


# --------------------------------------------------------------------------- folder loading


def test_other_files_follow_alphabetically(tmp_path: Path) -> None:
    for p in SOP_DIR.glob("*.toml"):
        shutil.copy(p, tmp_path / p.name)
    text = (SOP_DIR / "PENGADUAN.toml").read_text(encoding="utf-8")
    for code in ("ZZ_UJI", "AA_UJI"):
        (tmp_path / f"{code}.toml").write_text(
            text.replace('code = "PENGADUAN"', f'code = "{code}"'), encoding="utf-8"
        )
    assert tuple(load_services(tmp_path)) == (*SERVICE_ORDER, "AA_UJI", "ZZ_UJI")


def test_missing_or_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(SopError, match="tidak ditemukan"):
        load_services(tmp_path / "tidak_ada")
    with pytest.raises(SopError, match="Tidak ada file SOP"):
        load_services(tmp_path)


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    text = (SOP_DIR / "KIA.toml").read_text(encoding="utf-8")
    (tmp_path / "KIA.toml").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert load_services(tmp_path)["KIA"] == services()["KIA"]


def test_moves_as_array_of_tables_are_accepted(tmp_path: Path) -> None:
    text = (SOP_DIR / "KK.toml").read_text(encoding="utf-8")
    inline = 'moves = [{ kind = "next" }, { kind = "back", to = 2 }]\ndecision = true\n'
    tables = (
        "decision = true\n\n"
        '[[steps.moves]]\nkind = "next"\n\n'
        '[[steps.moves]]\nkind = "back"\nto = 2\n'
    )
    assert text.count(inline) == 3
    (tmp_path / "KK.toml").write_text(text.replace(inline, tables), encoding="utf-8")
    assert load_services(tmp_path)["KK"] == services()["KK"]


# --------------------------------------------------------------------------- validation

Edit = Callable[[str], str]


def _step_block(text: str, no: int) -> tuple[int, int]:
    """Start and end offsets of the ``[[steps]]`` block of step ``no``."""
    starts = [m.start() for m in re.finditer(r"^\[\[steps\]\]", text, flags=re.M)]
    start = starts[no - 1]
    end = starts[no] if no < len(starts) else len(text)
    return start, end


def in_step(no: int, old: str, new: str) -> Edit:
    def edit(text: str) -> str:
        start, end = _step_block(text, no)
        block = text[start:end]
        assert old in block, (no, old)
        return text[:start] + block.replace(old, new, 1) + text[end:]

    return edit


def replace(old: str, new: str, count: int = 1) -> Edit:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, count)

    return edit


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    pos = -1
    for _ in range(occurrence):
        pos = text.index(needle, pos + 1)
    return text.count("\n", 0, pos) + 1


def header_line(text: str, no: int) -> int:
    start, _ = _step_block(text, no)
    return text.count("\n", 0, start) + 1


def broken(
    tmp_path: Path, code: str, edit: Edit, *, file_code: str | None = None
) -> tuple[Path, str]:
    text = edit((SOP_DIR / f"{code}.toml").read_text(encoding="utf-8"))
    path = tmp_path / f"{file_code or code}.toml"
    path.write_text(text, encoding="utf-8")
    return path, text


def assert_refused(path: Path, line: int, *words: str) -> SopError:
    with pytest.raises(SopError) as info:
        load_services(path.parent)
    message = str(info.value)
    assert f"{path.name}:{line}:" in message, message
    assert info.value.path == path
    assert info.value.line == line
    for word in words:
        assert word in message, message
    return info.value


def test_unknown_role(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "KK", in_step(3, 'role = "kasi"', 'role = "lurah"'))
    assert_refused(path, line_of(text, 'role = "lurah"'), "lurah", "role")


def test_unknown_role_in_with_roles(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "PENGADUAN", replace('["tim_aduan"]', '["tim_humas"]'))
    assert_refused(path, line_of(text, "with_roles ="), "tim_humas")


def test_unknown_top_level_key(tmp_path: Path) -> None:
    path, text = broken(
        tmp_path, "KK", replace('version = "2022.1"\n', 'version = "2022.1"\nfoo = 1\n')
    )
    assert_refused(path, line_of(text, "foo = 1"), "foo")


def test_unknown_top_level_table(tmp_path: Path) -> None:
    path, text = broken(
        tmp_path,
        "KK",
        lambda t: t.replace("[[requirements]]", "[lain]\nx = 1\n\n[[requirements]]", 1),
    )
    assert_refused(path, line_of(text, "[lain]"), "lain")


def test_unknown_step_key(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "KK", in_step(2, "minutes = 10\n", "minutes = 10\ndurasi = 10\n"))
    assert_refused(path, line_of(text, "durasi = 10"), "durasi")


def test_unknown_requirement_key(tmp_path: Path) -> None:
    path, text = broken(
        tmp_path, "SKPWNI", replace('source = "SOP"\n', 'source = "SOP"\nwajib = true\n')
    )
    assert_refused(path, line_of(text, "wajib = true"), "wajib")


def test_missing_step_key(tmp_path: Path) -> None:
    path, text = broken(
        tmp_path,
        "KTP_EL",
        in_step(2, 'output = "Operator memastikan hasil perekaman tersimpan dalam server"\n', ""),
    )
    assert_refused(path, header_line(text, 2), "output")


def test_step_numbers_out_of_order(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "KK", in_step(3, "no = 3\n", "no = 4\n"))
    assert_refused(path, line_of(text, "no = 4"), "3", "4")


def test_step_numbers_not_starting_at_one(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "KIA", in_step(1, "no = 1\n", "no = 0\n"))
    assert_refused(path, line_of(text, "no = 0"))


@pytest.mark.parametrize("value", ["0", "-5", "5.5", '"5"', "true"])
def test_bad_minutes(tmp_path: Path, value: str) -> None:
    path, text = broken(tmp_path, "KTP_EL", in_step(3, "minutes = 5\n", f"minutes = {value}\n"))
    assert_refused(path, line_of(text, f"minutes = {value}"), "minutes")


def test_back_to_missing_step(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "KK", in_step(4, '"back", to = 2', '"back", to = 12'))
    err = assert_refused(path, line_of(text, '"back", to = 12'), "12", "tidak ada")
    assert "ke-4" in err.message


def test_back_to_later_step(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "AKTA_LAHIR", in_step(4, '"back", to = 3', '"back", to = 5'))
    assert_refused(path, line_of(text, '"back", to = 5'), "sebelumnya")


def test_back_to_itself(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "KIA", in_step(3, '"back", to = 2', '"back", to = 3'))
    assert_refused(path, line_of(text, '"back", to = 3'), "sebelumnya")


def test_back_without_target(tmp_path: Path) -> None:
    path, text = broken(
        tmp_path, "KIA", in_step(3, '{ kind = "back", to = 2 }', '{ kind = "back" }')
    )
    assert_refused(path, line_of(text, '{ kind = "back" }'), "to")


def test_target_on_next(tmp_path: Path) -> None:
    path, text = broken(
        tmp_path, "KIA", in_step(4, '{ kind = "next" }', '{ kind = "next", to = 5 }')
    )
    assert_refused(path, line_of(text, '"next", to = 5'), "'to'")


def test_unknown_move_kind(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "KIA", in_step(4, '{ kind = "next" }', '{ kind = "lompat" }'))
    assert_refused(path, line_of(text, "lompat"), "lompat")


def test_unreachable_step(tmp_path: Path) -> None:
    # Step 3 only closes: steps 4.. can never be reached.
    path, text = broken(
        tmp_path,
        "KK",
        in_step(
            3,
            'moves = [{ kind = "next" }, { kind = "back", to = 2 }]',
            'moves = [{ kind = "close" }, { kind = "back", to = 2 }]',
        ),
    )
    assert_refused(path, header_line(text, 4), "langkah 4", "tidak dapat dicapai")


def test_last_step_without_way_forward(tmp_path: Path) -> None:
    path, text = broken(
        tmp_path,
        "KTP_EL",
        in_step(4, 'moves = [{ kind = "next" }]', 'moves = [{ kind = "back", to = 3 }]'),
    )
    assert_refused(path, line_of(text, 'moves = [{ kind = "back", to = 3 }]'), "terakhir")


def test_last_step_may_close(tmp_path: Path) -> None:
    path, _ = broken(
        tmp_path,
        "KTP_EL",
        in_step(4, 'moves = [{ kind = "next" }]', 'moves = [{ kind = "close" }]'),
    )
    assert load_services(path.parent)["KTP_EL"].step(4).allows("close")


def test_empty_moves(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "KIA", in_step(5, 'moves = [{ kind = "next" }]', "moves = []"))
    assert_refused(path, line_of(text, "moves = []"), "moves")


def test_undeclared_condition(tmp_path: Path) -> None:
    path, text = broken(
        tmp_path, "KIA", replace('condition = "anak_lebih_5_tahun"', 'condition = "anak_balita"')
    )
    assert_refused(path, line_of(text, 'condition = "anak_balita"'), "anak_balita", "conditions")


def test_duplicate_requirement_key(tmp_path: Path) -> None:
    path, text = broken(
        tmp_path, "KTP_EL", replace('key = "surat_kehilangan_polisi"', 'key = "ktp_el_lama"')
    )
    err = assert_refused(path, line_of(text, 'key = "ktp_el_lama"', 2), "ktp_el_lama", "duplikat")
    first = line_of(text, 'key = "ktp_el_lama"')
    assert f"baris {first}" in err.message


def test_duplicate_condition_key(tmp_path: Path) -> None:
    extra = '[[conditions]]\nkey = "anak_lebih_5_tahun"\nlabel = "Lagi"\n\n[[requirements]]'
    path, text = broken(tmp_path, "KIA", lambda t: t.replace("[[requirements]]", extra, 1))
    assert_refused(path, line_of(text, 'key = "anak_lebih_5_tahun"', 2), "duplikat")


def test_single_member_alternative_group(tmp_path: Path) -> None:
    path, text = broken(
        tmp_path,
        "SKPWNI",
        replace('alternative_group = "kk_atau_kehilangan"', 'alternative_group = "kk_saja"'),
    )
    assert_refused(path, line_of(text, 'alternative_group = "kk_saja"'), "kk_saja")


def test_unknown_record_kind(tmp_path: Path) -> None:
    path, text = broken(
        tmp_path, "KK", replace('records = ["penyerahan"]', 'records = ["tanda_terima"]')
    )
    assert_refused(path, line_of(text, "tanda_terima"), "tanda_terima")


def test_record_kind_twice(tmp_path: Path) -> None:
    path, text = broken(
        tmp_path,
        "KK",
        in_step(
            6, "assigns_register = true\n", 'assigns_register = true\nrecords = ["nomor_dokumen"]\n'
        ),
    )
    assert_refused(path, line_of(text, 'records = ["nomor_dokumen"]', 2), "nomor_dokumen")


def test_register_assigned_twice(tmp_path: Path) -> None:
    path, text = broken(
        tmp_path, "KK", in_step(7, "records = [", "assigns_register = true\nrecords = [")
    )
    assert_refused(path, line_of(text, "assigns_register = true", 2), "register")


def test_code_must_equal_file_stem(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "KK", lambda t: t, file_code="KIA")
    assert_refused(path, line_of(text, 'code = "KK"'), "KK", "KIA")


def test_wrong_type(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "KK", replace("requires_nik = true", 'requires_nik = "ya"'))
    assert_refused(path, line_of(text, 'requires_nik = "ya"'), "requires_nik")


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("minutes = 10\n", "minutes = = 10\n", "minutes = = 10"),
        ('short_name = "KK Baru"', 'short_name = "KK Baru', 'short_name = "KK Baru'),
        ('version = "2022.1"', 'version = "2022.1"\nversion = "2022.2"', 'version = "2022.2"'),
    ],
)
def test_toml_syntax_error(tmp_path: Path, old: str, new: str, needle: str) -> None:
    path, text = broken(tmp_path, "KK", replace(old, new))
    err = assert_refused(path, line_of(text, needle), "TOML")
    assert "at line" not in err.message


def test_error_names_file_for_single_file_loading(tmp_path: Path) -> None:
    path, text = broken(tmp_path, "KK", in_step(3, 'role = "kasi"', 'role = "lurah"'))
    with pytest.raises(SopError, match=re.escape(f"KK.toml:{line_of(text, 'lurah')}:")):
        load_service_file(path)
