"""The search model's memory stays bounded: evicted rows are refetched by id when shown."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from sipelayanan.db import Database
from sipelayanan.services.queries import SearchFilters, search
from sipelayanan.ui.ops import Ops
from sipelayanan.ui.search import SearchModel

from .conftest import new_case


def test_scrolling_far_keeps_a_bounded_cache_and_refills_by_id(
    db: Database, actors: dict[str, Any], ops: Ops, qtbot: Any
) -> None:
    for _ in range(23):
        new_case(db, actors, "KK")
    with db.read() as s:
        expected = [r.code for r in search(s, "", SearchFilters(service="KK"), limit=100)]
    assert len(expected) == 23

    model = SearchModel(ops, page_size=5)
    model.CACHE_ROWS = 10
    model.set_query("", SearchFilters(service="KK"))
    qtbot.waitUntil(lambda: len(model.rows) == 5 and not model.fetching, timeout=10000)
    while model.canFetchMore():
        before = len(model.rows)
        model.fetchMore()
        qtbot.waitUntil(lambda b=before: len(model.rows) > b or not model.has_more, timeout=10000)
        qtbot.waitUntil(lambda: not model.fetching, timeout=10000)
    assert model.rowCount() == 23
    held = [r for r in model.rows if r is not None]
    assert len(held) <= 10  # bounded, however far the list went
    # every row, evicted or not, shows its own request again (refetched by id when painted)
    for row in range(23):
        index = model.index(row, 0)
        model.data(index, Qt.ItemDataRole.DisplayRole)
        qtbot.waitUntil(lambda r=row: model.rows[r] is not None, timeout=10000)
        assert model.data(index, Qt.ItemDataRole.UserRole) == expected[row]
    assert len([r for r in model.rows if r is not None]) <= 10
