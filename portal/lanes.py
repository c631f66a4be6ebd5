"""A page of a long list read as the merge of short ordered reads, one per *lane* (issue 16).

The committee's after-acceptance lists are ordered by county, unit, then submission
(``unit__county__order, unit__name, submitted_at, id``).  The first two keys live in other tables,
so PostgreSQL cannot walk an index in that order: for every page it read the whole campaign's
accepted applications (an index-only scan of all of them) and sorted them to keep 50 — 4 ms at
10,000 applications, ten times that at 100,000.

Each unit, though, is a *lane* already in order: the index ``(campaign, unit, submitted_at, id)``
gives one unit's applications in submission order.  So a page is read as::

    SELECT lane_rows.c0 FROM (SELECT unit.id, county.order, unit.name FROM unit JOIN county …) lane
    CROSS JOIN LATERAL (SELECT id, submitted_at FROM application
                        WHERE unit_id = lane.c0 AND <the list's filters, the cursor>
                        ORDER BY submitted_at, id LIMIT <stop>) lane_rows
    ORDER BY lane.c1, lane.c2, lane_rows.c1, lane_rows.c0 LIMIT <stop - start> OFFSET <start>

at most ``stop`` rows from each unit, whatever the size of the campaign (the units before a cursor's
unit are left out before their lanes are read).  The inner query is the list's own queryset (every
filter and the access rule, compiled by Django), with the unit fixed to the lane's.  PostgreSQL
only: elsewhere (SQLite, the embedded default) the paginator reads its plain query.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL


def usable(queryset: QuerySet, lane: str, keys: list[tuple[str, bool]], nullable: set[str]) -> bool:
    """Whether ``queryset``'s ordering ``keys`` split at ``lane``: one or more leading keys under
    ``<lane>__`` (never NULL), then fields of the model itself, and the database is PostgreSQL."""
    if connections[queryset.db].vendor != "postgresql":
        return False
    prefix = f"{lane}__"
    lane_keys = [k for k, _desc in keys if k.startswith(prefix)]
    if not lane_keys or any(not k.startswith(prefix) for k, _desc in keys[:len(lane_keys)]):
        return False
    local = keys[len(lane_keys):]
    return bool(local) and not (set(lane_keys) & nullable) and all("__" not in k for k, _desc in local)


def lane_ids(queryset: QuerySet, lane: str, keys: list[tuple[str, bool]], nullable: set[str], *,
             start: int, stop: int, cursor: list | None = None) -> list:
    """The primary keys ``start:stop`` of ``queryset`` (ordered by ``keys``, read backwards when
    the queryset is reversed), read lane by lane.  ``cursor``: the ordering values the queryset is
    already filtered to be beyond; lanes wholly before the cursor's are not read."""
    backward = not queryset.query.standard_ordering
    prefix = f"{lane}__"
    lane_keys = [(k[len(prefix):], desc) for k, desc in keys if k.startswith(prefix)]
    local = keys[len(lane_keys):]
    model = queryset.model
    lane_model = model._meta.get_field(lane).related_model

    lanes = lane_model._base_manager.using(queryset.db).order_by()
    if cursor is not None:
        lanes = lanes.filter(_not_before(lane_keys, cursor[:len(lane_keys)], forward=not backward))
    lanes_sql, lanes_params = lanes.values_list("pk", *[k for k, _desc in lane_keys]).query.sql_with_params()

    # The inner read: the list's queryset with the lane fixed, in the local keys' order only.
    pk_name = model._meta.pk.name
    local_columns = [k for k, _desc in local if k not in ("pk", pk_name)]
    inner = queryset.filter(**{f"{lane}_id": RawSQL('"lane"."c0"', ())}).order_by(
        *[_order(F(k), desc != backward, k in nullable, backward) for k, desc in local])
    inner.query.standard_ordering = True  # the directions are in the expressions above
    inner_sql, inner_params = inner.values_list("pk", *local_columns)[:stop].query.sql_with_params()

    def column(key: str, desc: bool, table: str, name: str) -> str:
        direction = " DESC" if desc != backward else " ASC"
        nulls = (" NULLS FIRST" if backward else " NULLS LAST") if key in nullable else ""
        return f'"{table}"."{name}"{direction}{nulls}'

    order = [column(k, desc, "lane", f"c{i + 1}") for i, (k, desc) in enumerate(lane_keys)]
    order += [column(k, desc, "lane_rows", "c0" if k in ("pk", pk_name) else f"c{local_columns.index(k) + 1}")
              for k, desc in local]
    lane_columns = ", ".join(f"c{i}" for i in range(len(lane_keys) + 1))
    row_columns = ", ".join(f"c{i}" for i in range(len(local_columns) + 1))
    sql = (f'SELECT "lane_rows"."c0" FROM ({lanes_sql}) AS "lane" ({lane_columns}) '
           f'CROSS JOIN LATERAL ({inner_sql}) AS "lane_rows" ({row_columns}) '
           f'ORDER BY {", ".join(order)} LIMIT %s OFFSET %s')
    with connections[queryset.db].cursor() as cursor_:
        cursor_.execute(sql, (*lanes_params, *inner_params, stop - start, start))
        return [row[0] for row in cursor_.fetchall()]


def _order(expression: F, descending: bool, nullable: bool, backward: bool):
    if not nullable:
        return expression.desc() if descending else expression.asc()
    # NULLs last when reading forward (both directions), first when reading backwards: the exact
    # reverse, as ``KeysetPaginator`` orders them.
    nulls = {"nulls_first": True} if backward else {"nulls_last": True}
    return expression.desc(**nulls) if descending else expression.asc(**nulls)


def _not_before(lane_keys: list[tuple[str, bool]], values: list, *, forward: bool) -> Q:
    """The lanes at or beyond the cursor's lane, in reading order (lexicographic on the lane's
    ordering values)."""
    condition = Q()
    for i, (name, desc) in enumerate(lane_keys):
        greater = forward != desc
        last = i == len(lane_keys) - 1
        lookup = ("gte" if greater else "lte") if last else ("gt" if greater else "lt")
        term = Q(**{f"{name}__{lookup}": values[i]})
        for j, (earlier, _desc) in enumerate(lane_keys[:i]):
            term &= Q(**{earlier: values[j]})
        condition = condition | term if condition else term
    return condition
