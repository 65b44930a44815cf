"""Write the licences and notices of every third-party component the bundle ships.

    python installer/licenses.py OUT_DIR [DISTRIBUTION ...]

Run by installer/sipelayanan.spec with the interpreter that builds the bundle, after PyInstaller's
analysis, naming the distributions whose modules and files it collected. Listed: those, the
app's runtime dependencies (followed through their own requirements in the installed
metadata), PyInstaller (its bootloader is in the .exe), Python itself and the data in
resources/ that has its own licence. The texts come from each package's own licence and
notice files (every PEP 639 License-File, else what pip-licenses finds); a wheel that ships
none (PySide6-Essentials and shiboken6 name their licences in the metadata only) gets the
verbatim texts kept in installer/licenses/. A package without any licence text stops the
build: nothing ships without its licence.

Writes OUT_DIR/third_party.json (read by Bantuan ▸ Tentang, sipelayanan/ui/about.py) and
OUT_DIR/THIRD-PARTY-LICENSES.txt (the same, as one text; the installer shows and installs it).
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

HERE = Path(__file__).resolve().parent
TEXTS = HERE / "licenses"

# Wheels whose dist-info carries no licence file: the texts their License field names (the
# LGPL-3.0 option is the one SiPelayanan uses; LGPL-3.0 is a set of additions to GPL-3.0, so
# both texts go with it).
TEXTS_FOR = {
    "pyside6-essentials": ("LGPL-3.0.txt", "GPL-3.0.txt"),
    "shiboken6": ("LGPL-3.0.txt", "GPL-3.0.txt"),
}
# Ship the GPL-3.0 text beside every LGPL-3.0 component, as LGPL-3.0 section 4(b) asks.
LGPL_ALSO = ("GPL-3.0.txt",)
NOTES = {
    "pyside6-essentials": (
        "Qt and PySide6 are used under LGPL-3.0. Their Python files lie as separate files in "
        "the program folder (_internal/PySide6, _internal/shiboken6) and the Qt libraries as "
        "separate DLLs, so they can be replaced by a compatible build. Qt itself contains "
        "third-party components; their licences are listed at "
        "https://doc.qt.io/qt-6/licenses-used-in-qt.html. Source: https://download.qt.io/ "
        "and https://code.qt.io/."
    ),
    "shiboken6": "Part of Qt for Python (PySide6); see PySide6-Essentials.",
    "psycopg": (
        "Used under LGPL-3.0; its Python files lie as separate files in the program folder "
        "(_internal/psycopg) and can be replaced. Source: https://github.com/psycopg/psycopg."
    ),
    "psycopg-binary": (
        "Used under LGPL-3.0, with the libpq and OpenSSL libraries it bundles (their licences "
        "are in its source distribution: https://github.com/psycopg/psycopg)."
    ),
    "paramiko": (
        "Used under LGPL-2.1 to publish the status page over SFTP; its Python files lie as "
        "separate files in the program folder (_internal/paramiko) and can be replaced. "
        "Source: https://github.com/paramiko/paramiko."
    ),
    "pyinstaller": (
        "Only PyInstaller's bootloader is in the program (the .exe files); the GPL-2.0 licence "
        "has an exception that allows distributing it with any program."
    ),
}
# Not dependencies of the app, but inside the bundle all the same.
ALSO_SHIPPED = ("pyinstaller",)
# Data the app ships in resources/ under their own licences: (name, licence, licence file).
RESOURCES = (
    ("Liberation Fonts", "OFL-1.1", "resources/fonts/OFL.txt"),
    (
        "Kode wilayah Kemendagri (cahyadsn/wilayah)",
        "MIT",
        "resources/wilayah/LICENSE.cahyadsn-wilayah",
    ),
)


def runtime_closure(root: str = "sipelayanan") -> list[str]:
    """Canonical names of every distribution ``root`` needs at run time (extras followed)."""
    seen: set[tuple[str, str]] = set()
    names: set[str] = set()
    todo: list[tuple[str, str]] = [(root, "")]
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        dist = metadata.distribution(name)
        names.add(canonicalize_name(dist.metadata["Name"]))
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate({"extra": extra}):
                continue
            todo.append((req.name, ""))
            todo.extend((req.name, e) for e in req.extras)
    names.discard(canonicalize_name(root))
    return sorted(names)


def declared_licence_files(name: str) -> list[dict[str, str]]:
    dist = metadata.distribution(name)
    files = [str(f).replace("\\", "/") for f in dist.files or []]
    out = []
    for path in dist.metadata.get_all("License-File") or []:
        for suffix in (f".dist-info/licenses/{path}", f".dist-info/{path}"):
            match = next((f for f in files if f.endswith(suffix)), None)
            if match is not None:
                data = Path(str(dist.locate_file(match))).read_bytes()
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:  # a few old licence files are Latin-1
                    text = data.decode("latin-1")
                out.append({"title": path, "text": text})
                break
    return out


def python_licence() -> dict[str, object]:
    candidates = [
        Path(sys.base_prefix) / "LICENSE.txt",  # Windows (python.org installer)
        Path(sysconfig.get_path("stdlib")) / "LICENSE.txt",  # Unix builds
        Path(f"/usr/share/doc/python{sys.version_info[0]}.{sys.version_info[1]}/copyright"),
    ]
    for path in candidates:
        if path.is_file():
            text = path.read_text("utf-8", errors="replace")
            break
    else:
        raise SystemExit(f"Lisensi Python tidak ditemukan (dicari: {candidates}).")
    return {
        "name": "Python",
        "version": platform.python_version(),
        "license": "PSF-2.0",
        "url": "https://www.python.org/",
        "texts": [{"title": "LICENSE", "text": text}],
        "note": "The Python runtime (interpreter and standard library) inside the program folder.",
    }


def collect(shipped: list[str]) -> list[dict[str, object]]:
    names = sorted(
        set(runtime_closure()) | {canonicalize_name(n) for n in (*ALSO_SHIPPED, *shipped)}
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "piplicenses",
            "--from=mixed",
            "--format=json",
            "--with-urls",
            "--with-system",  # setuptools/pip too, should a hook collect them
            "--with-license-file",
            "--no-license-path",
            "--with-notice-file",
            "--packages",
            *names,
        ],
        check=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
    ).stdout
    found = {canonicalize_name(row["Name"]): row for row in json.loads(out)}
    missing = sorted(set(names) - set(found))
    if missing:
        raise SystemExit(
            f"Lisensi tidak ditemukan untuk: {', '.join(missing)} (bukan paket terpasang; "
            "mungkin salinan di dalam paket lain). Keluarkan dari paket (excludes di "
            "installer/sipelayanan.spec) atau sertakan lisensinya di installer/licenses.py."
        )
    entries: list[dict[str, object]] = []
    for key in sorted(found):
        row = found[key]
        # Every licence file the wheel declares (PEP 639 License-File, which may sit in
        # sub-folders pip-licenses does not read: pypdfium2 lists each library it bundles);
        # pip-licenses' own find otherwise.
        texts = declared_licence_files(row["Name"])
        if not texts and row.get("LicenseText", "UNKNOWN") != "UNKNOWN":
            texts.append({"title": "LICENSE", "text": row["LicenseText"]})
        files = list(TEXTS_FOR.get(key, ()))
        if "LGPL" in row["License"]:
            files += [f for f in LGPL_ALSO if f not in files]
        for name in files:
            texts.append({"title": name, "text": (TEXTS / name).read_text("utf-8")})
        if not texts:
            raise SystemExit(f"{row['Name']} {row['Version']}: tidak ada teks lisensi.")
        if row.get("NoticeText", "UNKNOWN") != "UNKNOWN":
            texts.append({"title": "NOTICE", "text": row["NoticeText"]})
        entries.append(
            {
                "name": row["Name"],
                "version": row["Version"],
                "license": row["License"],
                "url": row.get("URL", ""),
                "texts": texts,
                "note": NOTES.get(key, ""),
            }
        )
    entries.append(python_licence())
    for name, licence, path in RESOURCES:
        entries.append(
            {
                "name": name,
                "version": "",
                "license": licence,
                "url": "",
                "texts": [
                    {"title": Path(path).name, "text": (HERE.parent / path).read_text("utf-8")}
                ],
                "note": f"Data in the program folder: _internal/{Path(path).parent.as_posix()}.",
            }
        )
    return entries


def as_text(entries: list[dict[str, object]]) -> str:
    head = (
        "SiPelayanan - third-party components and their licences\n"
        "SiPelayanan - komponen pihak ketiga dan lisensinya\n\n"
        + "\n".join(f"  {e['name']} {e['version']}: {e['license']}" for e in entries)
        + "\n"
    )
    parts = [head]
    for e in entries:
        parts.append("=" * 78)
        parts.append(f"{e['name']} {e['version']}  -  {e['license']}")
        if e["url"]:
            parts.append(str(e["url"]))
        if e["note"]:
            parts.append(str(e["note"]))
        for t in e["texts"]:  # type: ignore[attr-defined]
            parts.append(f"--- {t['title']} ---")
            parts.append(t["text"].strip("\n"))
        parts.append("")
    return "\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    entries = collect(argv[1:])
    (out / "third_party.json").write_text(
        json.dumps(entries, ensure_ascii=False, indent=1), "utf-8"
    )
    (out / "THIRD-PARTY-LICENSES.txt").write_text(as_text(entries), "utf-8", newline="\r\n")
    print(f"Lisensi pihak ketiga: {len(entries)} komponen -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
