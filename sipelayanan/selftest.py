"""Placeholder replaced by the packaging issue."""

from __future__ import annotations


def run_self_test() -> int:
    print("SELF-TEST belum tersedia")
    return 1
