"""The SOP's meaning lives in resources/sop/*.toml: outside sipelayanan/sop/ no code names a
service code or compares a step with a number (issue 11). Read from the source's syntax tree,
so a comment or a docstring that mentions "KK" is fine, a literal that decides is not."""

from __future__ import annotations

import ast
from pathlib import Path

from sipelayanan.sop import services

PACKAGE = Path(__file__).resolve().parents[2] / "sipelayanan"
STEP_NAMES = {"no", "step", "step_no", "current_step", "to_step", "from_step", "last_step"}


def _sources() -> list[Path]:
    return [
        p
        for p in sorted(PACKAGE.rglob("*.py"))
        if "sop" not in p.relative_to(PACKAGE).parts[:1] and "migrations" not in p.parts
    ]


def _docstrings(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            ids.add(id(first.value))
    return ids


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _is_int(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return type(node.value) is int
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return bool(node.elts) and all(_is_int(e) for e in node.elts)
    return False


def findings(path: Path, codes: set[str]) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    docs = _docstrings(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value in codes and id(node) not in docs:
            found.append(f"{path.name}:{node.lineno} names {node.value!r}")
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_name(n) in STEP_NAMES for n in sides) and any(_is_int(n) for n in sides):
                found.append(f"{path.name}:{node.lineno} compares a step with a number")
    return found


def test_no_service_code_or_step_number_outside_the_sop_package() -> None:
    codes = set(services())
    assert [f for path in _sources() for f in findings(path, codes)] == []


def test_the_check_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The same walk over a file written the old way finds both kinds, and not a docstring."""
    bad = tmp_path / "old_window.py"
    bad.write_text(
        '"""Handles KK and PENGADUAN."""\n'
        'if view.service == "KTP_EL" or step.no in (6, 7) or view.current_step >= 5:\n'
        "    pass\n",
        "utf-8",
    )
    assert sorted(findings(bad, set(services()))) == [
        "old_window.py:2 compares a step with a number",
        "old_window.py:2 compares a step with a number",
        "old_window.py:2 names 'KTP_EL'",
    ]
