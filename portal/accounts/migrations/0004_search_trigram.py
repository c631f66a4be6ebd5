"""Trigram indexes for the searches (issue 16): an officer's search finds applicants whose name or
ID number *contains* the term (``review.selectors.matching``), which no B-tree answers: every
search read the whole accounts table, twice a request (its count and its page; 60-130 ms at
100,000 applicants).  ``pg_trgm``'s GIN indexes answer "contains" for a term of three characters
or more (a full name, a run of an ID number: ~1 ms at 100,000); a two-character term is still read
in full.  PostgreSQL only (``pg_trgm`` is a trusted extension: the database's owner may create it);
on SQLite nothing changes.  The indexes are not in the model's ``Meta`` (a GIN index on SQLite
cannot be), so they are kept here, by name."""

from django.db import migrations

INDEXES = {
    "accounts_user_real_name_trgm": "real_name",
    "accounts_user_id_number_trgm": "id_number",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("accounts", "User")._meta.db_table)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_meeting_expert_role")]

    operations = [migrations.RunPython(create, drop)]
