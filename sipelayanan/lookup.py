"""The light read path for the hottest lookups: inbox pages, searches, opening a request, the
change check.

A clerk's PC runs these every few seconds, and at a million requests each is a single index seek
that the database answers in tens of microseconds. Run through an ORM ``Session`` the same query
costs ten times that in Python (session and transaction bookkeeping, execution contexts, event
dispatch), so the layers around the query, not the query, set the pace. A :class:`Lookup` keeps
what is worth keeping and drops the rest:

- the queries are still SQLAlchemy Core statements, written once for both engines;
- each statement is compiled once per dialect (:class:`Prepared`), with its bind and result
  processors resolved at that time; executing it is the driver's ``execute`` on the SQL string;
- the driver connection comes from the engine's pool (pre-ping, reset on return, the connect
  hooks of :mod:`sipelayanan.db` all still apply) and is held for one read transaction;
- driver errors become the same clerk-facing errors as in ``Database.read()``, and a connection
  the server dropped is invalidated so the pool never hands it out again.

Only ``SELECT`` statements are accepted: a Lookup cannot change data. Service functions that
serve both paths take a :data:`Reader` (a ``Session`` or a ``Lookup``) and fetch through
:func:`fetch`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Union

from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.expression import Executable

if TYPE_CHECKING:
    from .db import Database

#: A unit that service read functions accept: an ORM session (inside ``Database.read()`` or
#: ``.write()``) or a :class:`Lookup` (inside ``Database.lookup()``).
Reader = Union[Session, "Lookup"]

#: Called with (sql, parameters) for every statement a Lookup sends (benchmarks record them).
StatementHook = Callable[[str, Any], None]

_Processor = Callable[[Any], Any] | None
_REQUIRED = object()  # a bind parameter the caller must give
#: where one driver parameter of an expanded statement comes from:
#: (name, key in the caller's params, index in that list or None, default or _REQUIRED,
#: bind processor)
_Source = tuple[str, str, int | None, Any, _Processor]


class Prepared:
    """One statement compiled for one dialect, ready to run on a bare driver cursor."""

    __slots__ = (
        "compiled",
        "converters",
        "dialect",
        "expanding_keys",
        "inline",
        "positional",
        "shapes",
        "sources",
        "sql",
        "types",
    )

    def __init__(self, stmt: ClauseElement, dialect: Dialect) -> None:
        if not getattr(stmt, "is_select", False) and not _is_text_select(stmt):
            raise TypeError("a Lookup runs SELECT statements only")
        compiled: Any = stmt.compile(dialect=dialect)
        self.compiled = compiled
        self.sql: str = compiled.string
        self.positional: bool = bool(compiled.positional)
        order = compiled.positiontup if self.positional else list(compiled.bind_names.values())
        processors = compiled._bind_processors  # resolved by SQLAlchemy for this dialect
        #: where each driver parameter comes from, in the driver's order
        self.sources: tuple[_Source, ...] = tuple(
            (
                name,
                compiled.binds[name].key,
                None,
                _REQUIRED
                if compiled.binds[name].required
                else compiled.binds[name].effective_value,
                processors.get(name),
            )
            for name in order
        )
        # values rendered into the SQL text (literal_execute) change it with every value
        self.inline = bool(compiled.literal_execute_params)
        # an IN (…) list changes the SQL and the parameters with the number of its values
        # only: built once per shape
        self.expanding_keys = tuple(bp.key for bp in compiled.post_compile_params)
        self.shapes: dict[tuple[int, ...], tuple[str, tuple[_Source, ...]]] = {}
        columns = getattr(stmt, "selected_columns", None)
        self.types = tuple(c.type.dialect_impl(dialect) for c in columns or ())
        self.dialect = dialect
        #: (column index, result processor) of the columns that need one; known at the first
        #: execution, since some processors depend on the type the driver reports
        self.converters: tuple[tuple[int, Callable[[Any], Any]], ...] | None = None

    def bind(self, params: dict[str, Any]) -> tuple[str, Any]:
        """The SQL string and the driver's parameters for these values."""
        if self.inline:
            return self._bind_inline(params)
        if self.expanding_keys:
            shape = tuple([len(params[key]) for key in self.expanding_keys])
            built = self.shapes.get(shape)
            if built is None:
                built = self._build_shape(params)
                if len(self.shapes) < 64:
                    self.shapes[shape] = built
            sql, sources = built
        else:
            sql, sources = self.sql, self.sources
        out: list[Any] = []
        for name, key, index, default, proc in sources:
            if index is not None:
                value = params[key][index]
            elif key in params:
                value = params[key]
            elif default is _REQUIRED:
                raise KeyError(f"no value for bind parameter {name!r}")
            else:
                value = default
            out.append(proc(value) if proc is not None else value)
        if self.positional:
            return sql, out
        return sql, {source[0]: v for source, v in zip(sources, out, strict=True)}

    def _bind_inline(self, params: dict[str, Any]) -> tuple[str, Any]:
        state = self.compiled.construct_expanded_state(params)
        # the state names processors of the expanded values only; the others are compiled
        procs = {**self.compiled._bind_processors, **state.processors}
        values = state.parameters
        if self.positional:
            return state.statement, [
                procs[n](values[n]) if n in procs else values[n] for n in state.positiontup
            ]
        return state.statement, {n: (procs[n](v) if n in procs else v) for n, v in values.items()}

    def _build_shape(self, params: dict[str, Any]) -> tuple[str, tuple[_Source, ...]]:
        """Expand once through SQLAlchemy and note where each driver parameter comes from."""
        state = self.compiled.construct_expanded_state(params)
        plain = {source[0]: source for source in self.sources}
        sources: list[_Source] = []
        for name, expanded in state.parameter_expansion.items():
            key = self.compiled.binds[name].key
            for i, exp_name in enumerate(expanded):
                plain[exp_name] = (exp_name, key, i, None, state.processors.get(exp_name))
        names = state.positiontup if self.positional else list(state.parameters)
        for name in names or ():
            sources.append(plain[name])
        return state.statement, tuple(sources)

    def convert(self, rows: list[Any], description: Any) -> list[Any]:
        converters = self.converters
        if converters is None:
            found = []
            for i, impl in enumerate(self.types):
                coltype = description[i][1] if description and i < len(description) else None
                proc = impl.result_processor(self.dialect, coltype)
                if proc is not None:
                    found.append((i, proc))
            converters = self.converters = tuple(found)
        if not converters:
            return rows
        out = []
        for row in rows:
            values = list(row)
            for i, proc in converters:
                value = values[i]
                if value is not None:
                    values[i] = proc(value)
            out.append(values)
        return out


def _is_text_select(stmt: ClauseElement) -> bool:
    text = getattr(stmt, "text", None)
    return isinstance(text, str) and text.lstrip()[:6].upper() == "SELECT"


class PreparedCache:
    """Prepared statements of one dialect, keyed by the statement object (the query modules
    build each shape once and keep it), bounded so a stream of ad-hoc statements cannot grow it
    without limit."""

    def __init__(self, dialect: Dialect, size: int = 512) -> None:
        self.dialect = dialect
        self.size = size
        self._items: dict[int, tuple[ClauseElement, Prepared]] = {}
        self._lock = threading.Lock()

    def get(self, stmt: ClauseElement) -> Prepared:
        item = self._items.get(id(stmt))
        if item is not None and item[0] is stmt:
            return item[1]
        prepared = Prepared(stmt, self.dialect)
        with self._lock:
            if len(self._items) >= self.size:
                self._items.clear()
            self._items[id(stmt)] = (stmt, prepared)  # holding stmt keeps its id unique
        return prepared


class Lookup:
    """One read transaction on a pooled driver connection (see the module's description).

    Use ``with db.lookup() as look: look.rows(stmt, params)``; never shared between threads.
    """

    __slots__ = ("_cache", "_conn", "_cursor", "_hooks", "db", "dialect_name")

    def __init__(
        self, db: Database, dbapi_conn: Any, cache: PreparedCache, hooks: Sequence[StatementHook]
    ) -> None:
        self.db = db
        self._conn = dbapi_conn
        self._cache = cache
        self._hooks = hooks
        self.dialect_name: str = cache.dialect.name
        self._cursor: Any = None

    def rows(self, stmt: ClauseElement, params: dict[str, Any] | None = None) -> list[Any]:
        """Every row of a SELECT, as tuples of Python values (same types as through the ORM)."""
        prepared = self._cache.get(stmt)
        sql, args = prepared.bind(params or {})
        for hook in self._hooks:
            hook(sql, args)
        cursor = self._cursor
        if cursor is None:
            cursor = self._cursor = self._conn.cursor()
        cursor.execute(sql, args)
        return prepared.convert(cursor.fetchall(), cursor.description)

    def first(self, stmt: ClauseElement, params: dict[str, Any] | None = None) -> Any:
        found = self.rows(stmt, params)
        return found[0] if found else None

    def close_cursor(self) -> None:
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None


def fetch(reader: Reader, stmt: Executable, params: dict[str, Any] | None = None) -> list[Any]:
    """Every row of a Core statement through either kind of unit, as index-addressable rows.

    In a Session the statement runs on the unit of work's connection (Core execution: the ORM
    adds nothing for plain columns but its own overhead), after the flush the ORM's autoflush
    would do, so a write unit reads its own pending changes.
    """
    if isinstance(reader, Lookup):
        return reader.rows(stmt, params)  # type: ignore[arg-type]
    reader.flush()
    return list(reader.connection().execute(stmt, params or {}))


def dialect_name(reader: Reader) -> str:
    if isinstance(reader, Lookup):
        return reader.dialect_name
    return reader.get_bind().dialect.name
