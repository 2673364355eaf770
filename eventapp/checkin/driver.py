"""Core statements run straight on the database driver's cursor: the check-in's statements, a scanner's every scan.

SQLAlchemy's work around each execution (its execution context, result metadata, transaction bookkeeping) cost
more than SQLite took to run the statement itself, and on PostgreSQL more than the driver's round trip
(benchmarks/checkin.py). A ``DriverStatement`` is compiled once per dialect by SQLAlchemy, from the same Core
statement as before, and its parameters and results still pass through the columns' own types, so what is
written and read is exactly what an ORM or Core execution would write and read. Python-side column defaults are
the one thing SQLAlchemy would add that the driver cannot: a statement that needs one is refused when compiled.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Engine
from sqlalchemy.sql.expression import Executable


@dataclass(frozen=True)
class _Compiled:
    """A statement as one dialect's driver runs it."""

    sql: str
    names: tuple[str, ...] | None  # the parameters in the order a positional driver wants them; None: by name
    fixed: dict[str, Any]  # the values the statement itself binds (not given by the caller)
    bind: tuple[tuple[str, Callable[[Any], Any]], ...]  # the parameters their type converts for the driver
    row_type: type  # a named tuple of the result columns
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # the result columns their type converts, by position

    def parameters(self, given: Mapping[str, Any]):
        """``given`` as the driver takes them: converted by their types; a tuple for a positional driver."""
        values = given
        if self.fixed or self.bind:
            values = {**self.fixed, **given}
            for name, convert in self.bind:
                values[name] = convert(values[name])
        return values if self.names is None else tuple([values[name] for name in self.names])

    def row(self, values: Sequence[Any]):
        """A row from the driver as a named tuple, its values converted by the columns' types."""
        if len(values) != len(self.row_type._fields):
            raise ValueError(f"{len(values)} values for the {len(self.row_type._fields)} columns of {self.sql!r}")
        if self.results:
            values = list(values)
            for position, convert in self.results:
                values[position] = convert(values[position])
        return self.row_type._make(values)


class DriverStatement:
    """A Core statement compiled once per dialect, for a DriverConnection to run."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def sql(self, dialect: Dialect) -> str:
        return self.compiled(dialect).sql

    def compiled(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self._compile(dialect)
        return compiled

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        defaulted = [column.name for column in (*compiled.insert_prefetch, *compiled.update_prefetch)]
        if defaulted:
            # SQLAlchemy computes these in Python before executing; the driver would write NULL instead.
            raise ValueError(f"give a value for {', '.join(defaulted)}: Python-side defaults are not applied here")
        binds = compiled.binds
        # What SQLAlchemy would still have to do to the SQL or the values at each execution.
        rewritten = [*compiled.post_compile_params, *compiled.literal_execute_params,
                     *(p for p in binds.values() if p.callable is not None)]
        if rewritten or compiled.escaped_bind_names:
            names = ", ".join(sorted({p.key for p in rewritten} | set(compiled.escaped_bind_names)))
            raise ValueError(f"{names}: IN lists, values rendered into the SQL, callable values and bind names "
                             "that need escaping are SQLAlchemy's work at each execution, not done here")
        bind = tuple(
            (name, processor) for name, parameter in binds.items()
            if (processor := parameter.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        )
        columns = list(getattr(self.statement, "exported_columns", ()))
        results = tuple(
            (position, processor) for position, column in enumerate(columns)
            if (processor := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
        )
        return _Compiled(
            sql=compiled.string,
            names=tuple(compiled.positiontup) if dialect.positional else None,
            fixed={name: p.effective_value for name, p in binds.items() if not p.required},
            bind=bind,
            row_type=namedtuple("Row", [c.key or f"_{i}" for i, c in enumerate(columns)], rename=True),
            results=results,
        )


class DriverConnection:
    """A pooled DBAPI connection and its dialect: runs DriverStatements, commits, rolls back, goes back to the pool.

    The driver's own transaction rules apply (both begin one implicitly before the first statement that needs it).
    """

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect
        self._connection = engine.raw_connection()

    def __enter__(self) -> DriverConnection:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _cursor(self, compiled: _Compiled, parameters: Mapping[str, Any]):
        cursor = self._connection.cursor()
        try:
            cursor.execute(compiled.sql, compiled.parameters(parameters))
        except BaseException:
            cursor.close()
            raise
        return cursor

    def one_or_none(self, statement: DriverStatement, parameters: Mapping[str, Any]):
        """The one row the statement answers, as a named tuple; None for none."""
        compiled = statement.compiled(self.dialect)
        cursor = self._cursor(compiled, parameters)
        try:
            values = cursor.fetchone()
            if values is not None and cursor.fetchone() is not None:
                raise ValueError("more than one row where at most one was expected")
        finally:
            cursor.close()
        return None if values is None else compiled.row(values)

    def one(self, statement: DriverStatement, parameters: Mapping[str, Any]):
        """The one row the statement answers, as a named tuple."""
        row = self.one_or_none(statement, parameters)
        if row is None:
            raise LookupError("no row where one was expected")
        return row

    def all(self, statement: DriverStatement, parameters: Mapping[str, Any]) -> list:
        compiled = statement.compiled(self.dialect)
        cursor = self._cursor(compiled, parameters)
        try:
            return [compiled.row(values) for values in cursor.fetchall()]
        finally:
            cursor.close()

    def execute(self, statement: DriverStatement, parameters: Mapping[str, Any]) -> None:
        self._cursor(statement.compiled(self.dialect), parameters).close()

    def commit(self) -> None:
        self._connection.commit()

    def rollback(self) -> None:
        self._connection.rollback()

    def close(self) -> None:
        """Back to the pool (which rolls back whatever was left uncommitted)."""
        self._connection.close()
