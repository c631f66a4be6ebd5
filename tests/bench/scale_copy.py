"""Stable access to models and modules, and PostgreSQL ``COPY`` of rows, for the scale benchmark.

Models are looked up by class name (``model``) and modules through ``import_first``, so that the
benchmark survives models moving between apps (issue 11); every column a ``Table`` row does not
give gets the field's default, so new columns with defaults need no change in the generator.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from functools import cache

from django.apps import apps
from django.db import connection

# -- stable access to models and modules ---------------------------------------------------------

@cache
def model(name: str):
    """The model class called ``name``, whichever app declares it."""
    found = [m for m in apps.get_models() if m.__name__ == name]
    if len(found) != 1:
        raise LookupError(f"expected one model named {name}, found {found}")
    return found[0]


def import_first(*paths: str):
    """The first of ``paths`` that imports (a module moved by a restructure keeps working)."""
    for path in paths:
        try:
            return importlib.import_module(path)
        except ModuleNotFoundError:
            continue
    raise ModuleNotFoundError(" / ".join(paths))


# -- COPY --------------------------------------------------------------------------------------

def _prep(field, value):
    if value is None:
        return None
    internal = field.get_internal_type()
    if internal == "JSONField":
        return json.dumps(value, ensure_ascii=False)
    if internal == "FileField":
        return str(value)
    return value


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


class Table:
    """Rows of one model, written with ``COPY``.  Each row gives ``fields`` in order (JSON columns as
    JSON text, foreign keys as ids); ``constants`` fill more columns the same for every row; every
    other column gets its field's default (``now`` for auto_now fields)."""

    def __init__(self, model_name: str, fields: list[str], *, now: dt.datetime, constants: dict | None = None):
        self.model = model(model_name)
        meta = self.model._meta
        given = [meta.get_field(name) for name in fields]
        constants = constants or {}
        tail_fields, tail = [], []
        for field in meta.concrete_fields:
            if field in given:
                continue
            if field.name in constants or field.attname in constants:
                value = constants.get(field.name, constants.get(field.attname))
            elif field.primary_key:
                raise ValueError(f"{model_name}: give the primary key")
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            elif field.has_default():
                if field.unique:
                    raise ValueError(f"{model_name}.{field.name} is unique: give it per row")
                value = field.get_default()
            elif field.null:
                value = None
            else:
                value = field.get_default()
                if value is None:
                    raise ValueError(f"{model_name}.{field.name} has no default: give it")
            tail_fields.append(field)
            tail.append(_prep(field, value))
        self.columns = [f.column for f in given + tail_fields]
        self.tail = tuple(tail)

    def copy(self, rows) -> int:
        quote = connection.ops.quote_name
        sql = f"COPY {quote(self.model._meta.db_table)} ({', '.join(map(quote, self.columns))}) FROM STDIN"
        connection.ensure_connection()
        count, tail = 0, self.tail
        with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            write = copy.write_row
            for row in rows:
                write(row + tail)
                count += 1
        return count


def next_id(model_name: str) -> int:
    m = model(model_name)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({m._meta.pk.column}), 0) + 1 FROM {m._meta.db_table}")
        return cursor.fetchone()[0]
