"""A benchmark's own database: a SQLite file in its folder, or a PostgreSQL database (re)created for the run on the
local server (user postgres, trust) and dropped after it. Shared by the check-in and offline benchmarks."""

from __future__ import annotations

from pathlib import Path

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def fresh_database(kind: str, folder: Path, name: str) -> str:
    """The SQLAlchemy URL of an empty database called `name` ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        return f"sqlite:///{folder / f'{name}.sqlite3'}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_database(kind: str, name: str) -> None:
    if kind == "postgresql":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
