"""Database helpers shared by the apps' hot paths."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model], *, batch_size: int = 500) -> None:
    """Insert many new rows as fast as the database allows: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

    Same values as ``bulk_create`` (defaults, ``auto_now`` fields, JSON encoding via each field's own
    ``get_db_prep_save``), no signals, no primary keys set on ``objs``. A constraint violation raises
    ``IntegrityError`` like ``bulk_create`` does: callers that can meet races wrap it in a savepoint.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for obj in objs:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
