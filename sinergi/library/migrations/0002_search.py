"""Full-text search structures that Django's fields cannot express on both databases.

SQLite: an FTS5 table whose rowid is the title id (kept in sync by services.search_index_update).
PostgreSQL: a stored tsvector column generated from search_text, with a GIN index.
"""

from django.db import migrations

SQLITE_UP = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS library_title_fts USING fts5("
    "body, tokenize = 'unicode61 remove_diacritics 2')"
)
PG_UP = [
    "ALTER TABLE library_title ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX library_title_search_gin ON library_title USING gin (search_vector)",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    elif vendor == "postgresql":
        for statement in PG_UP:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS library_title_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS library_title_search_gin")
        schema_editor.execute("ALTER TABLE library_title DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
