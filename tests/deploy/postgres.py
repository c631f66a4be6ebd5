"""Databases of the deployment tests on the machine's PostgreSQL: named portal_deploy_*, created
fresh and dropped afterwards (never anyone else's)."""

from __future__ import annotations

import contextlib

import psycopg

SERVER = "postgres://postgres@127.0.0.1:5432"


def answers() -> bool:
    try:
        with psycopg.connect(f"{SERVER}/postgres", connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


@contextlib.contextmanager
def fresh_database(name: str):
    assert name.startswith("portal_deploy_")  # ours only
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{SERVER}/{name}"
    finally:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
