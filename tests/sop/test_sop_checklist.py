"""The missing list, decided once in sop/checklist.py for every shipped service: an alternative
group is one item, a conditional item only while its condition holds, an optional item never."""

from __future__ import annotations

from datetime import date

import pytest

from sipelayanan.sop import ServiceDef, load_services
from sipelayanan.sop import checklist as ck


@pytest.fixture(scope="module")
def svc() -> dict[str, ServiceDef]:
    return dict(load_services())


def _keys(items: list[ck.MissingItem]) -> list[str]:
    return [m.key for m in items]


def test_kk_baru_with_only_the_form_misses_one_alternative_item(svc: dict[str, ServiceDef]) -> None:
    kk = svc["KK"]
    missing = ck.missing_items(kk, ["formulir_f102"])
    assert _keys(missing) == ["dasar_penerbitan"]  # one item, not four; kk_lama is optional
    (item,) = missing
    assert item.is_group and len(item.members) == 4
    assert item.label.startswith("Salah satu dari: Buku nikah")
    assert "Surat Keterangan Pindah" in item.label
    # any one member satisfies it
    assert ck.missing_items(kk, ["formulir_f102", "surat_keterangan_pindah"]) == []
    # nothing ticked: the form and the one group
    assert _keys(ck.missing_items(kk, [])) == ["formulir_f102", "dasar_penerbitan"]


@pytest.mark.parametrize(
    ("code", "present", "expected"),
    [
        ("SKPWNI", [], ["formulir_f103", "kk_atau_kehilangan"]),
        ("SKPWNI", ["formulir_f103", "surat_kehilangan"], []),
        ("KTP_EL", ["fotokopi_kk"], ["ktp_lama_atau_kehilangan"]),
        ("KTP_EL", ["fotokopi_kk", "ktp_el_lama"], []),
        (
            "AKTA_LAHIR",
            ["formulir_f201", "kartu_keluarga", "ktp_el_orang_tua", "ktp_saksi"],
            ["bukti_kelahiran", "bukti_perkawinan"],
        ),
        (
            "AKTA_LAHIR",
            ["formulir_f201", "sptjm_kelahiran", "sptjm_suami_istri", "kartu_keluarga"],
            ["ktp_el_orang_tua", "ktp_saksi"],
        ),
        (
            "AKTA_MATI",
            ["formulir_f201", "kk_almarhum", "ktp_el_almarhum", "ktp_saksi"],
            ["bukti_kematian"],
        ),
        ("PENGADUAN", [], ["berkas_permasalahan"]),
        ("PENGADUAN", ["berkas_permasalahan"], []),
    ],
)
def test_missing_list_of_each_service(
    svc: dict[str, ServiceDef], code: str, present: list[str], expected: list[str]
) -> None:
    assert _keys(ck.missing_items(svc[code], present)) == expected


def test_every_alternative_group_is_one_item_and_optional_items_never_missing(
    svc: dict[str, ServiceDef],
) -> None:
    for sdef in svc.values():
        conds = [c.key for c in sdef.conditions]
        missing = ck.missing_items(sdef, [], conds)
        groups = {r.alternative_group for r in sdef.requirements if r.alternative_group}
        required = {r.key for r in sdef.requirements if r.required and not r.alternative_group}
        assert set(_keys(missing)) == groups | required, sdef.code
        optional = {r.key for r in sdef.requirements if not r.required}
        assert not optional & set(_keys(missing)), sdef.code
        everything = [r.key for r in sdef.requirements]
        assert ck.missing_items(sdef, everything, conds) == []


def test_kia_photo_only_while_the_condition_holds(svc: dict[str, ServiceDef]) -> None:
    kia = svc["KIA"]
    base = ["fotokopi_kk", "foto_akta_kelahiran", "fotokopi_ktp_orang_tua"]
    assert ck.missing_items(kia, base) == []
    assert _keys(ck.missing_items(kia, base, ["anak_lebih_5_tahun"])) == ["pas_foto_3x4"]
    assert [r.key for r in ck.applicable(kia)] == base
    assert "pas_foto_3x4" in [r.key for r in ck.applicable(kia, ["anak_lebih_5_tahun"])]


def test_kia_condition_from_the_nik_birth_date(svc: dict[str, ServiceDef]) -> None:
    kia = svc["KIA"]
    today = date(2026, 11, 26)
    assert ck.nik_conditions(kia, date(2021, 11, 26), today) == ({"anak_lebih_5_tahun"}, set())
    assert ck.nik_conditions(kia, date(2021, 11, 27), today) == (set(), {"anak_lebih_5_tahun"})
    assert ck.nik_conditions(kia, None, today) == (set(), set())
    # a service without NIK-decided conditions decides nothing
    assert ck.nik_conditions(svc["KK"], date(1990, 1, 1), today) == (set(), set())


def test_printed_rows_never_show_an_optional_item_as_required(svc: dict[str, ServiceDef]) -> None:
    kk = svc["KK"]
    rows = ck.rows(kk, ["formulir_f102", "buku_nikah"])
    labels = [r.label for r in rows]
    assert len(rows) == 3  # the form, the member brought, the optional old KK
    assert any(lab.startswith("Buku nikah") for lab in labels)
    assert not any(lab.startswith("Surat Keterangan Pindah") for lab in labels)
    old = next(r for r in rows if r.label.startswith("Kartu Keluarga lama"))
    assert old.present is False and old.required is False
    none_brought = ck.rows(kk, ["formulir_f102"])
    group = [r for r in none_brought if r.label.startswith(ck.GROUP_PREFIX)]
    assert len(group) == 1 and group[0].required and not group[0].present


def test_resolve_missing_turns_a_group_into_one_entry(svc: dict[str, ServiceDef]) -> None:
    kk = svc["KK"]
    label = ck.missing_items(kk, [])[1].label
    out = ck.resolve_missing(kk, ["formulir_f102", "dasar_penerbitan", label, "KTP a.n. Budi"])
    assert [entry[0] for entry in out] == [
        kk.requirements[0].label,
        label,  # the group named by key or by label: one entry
        "KTP a.n. Budi",
    ]
    assert out[1][1] == (
        "buku_nikah",
        "sptjm_perkawinan",
        "akta_kematian_kepala_keluarga",
        "surat_keterangan_pindah",
    )
    assert out[2][1] == ()
    assert label.casefold() in ck.known_labels(kk)
