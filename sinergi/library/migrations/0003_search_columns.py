"""Search that ranks title words above description words, and filters inside the index.

SQLite: the FTS5 table gets three columns, `title`, `body` and `tags` (see library/fts.py), and
is rebuilt from the tables here, then merged into one segment ("optimize") for reading.
PostgreSQL: the stored tsvector gives the title and subtitle weight A and the rest weight D,
so ts_rank puts title words first, and a GIN index on the title's own vector finds the records
with every word in the title. Both: two indexes for the catalogue page without words.

At a million records this takes minutes (the index is written again from every row).
"""

from django.db import migrations, models

FTS5_CREATE = (
    "CREATE VIRTUAL TABLE library_title_fts USING fts5("
    "title, body, tags, tokenize = 'unicode61 remove_diacritics 2')"
)

# The same words as fts.tags_of, in SQL (hex() spells the value's text in upper-case hex; the
# tokenizer folds it to lower case). tests/library/test_search.py compares the two.
FTS5_TAGS = """
trim(
    CASE WHEN t.language <> '' THEN 'xlang' || hex(t.language) ELSE '' END
    || CASE WHEN t.year IS NOT NULL THEN ' xyear' || hex(t.year) ELSE '' END
    || coalesce((SELECT ' ' || group_concat('xsubject' || hex(s.subject_id), ' ')
                 FROM library_title_subjects s WHERE s.title_id = t.id), '')
    || coalesce((SELECT ' ' || group_concat('xformat' || hex(f.kind), ' ')
                 FROM (SELECT DISTINCT kind FROM library_bookfile WHERE title_id = t.id) f), '')
    || CASE WHEN t.open_access THEN ' xopen' ELSE '' END
    || CASE WHEN EXISTS (SELECT 1 FROM library_licensepool p WHERE p.title_id = t.id)
            THEN ' xpool' ELSE '' END
    || CASE WHEN t.withdrawn THEN ' xwithdrawn' ELSE '' END
)
"""

FTS5_FILL = (
    "INSERT INTO library_title_fts (rowid, title, body, tags) "
    "SELECT t.id, trim(t.title || ' ' || t.subtitle), t.search_text, " + FTS5_TAGS + " "
    "FROM library_title t"
)

PG_VECTOR = (
    "ALTER TABLE library_title ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({}) STORED"
)
PG_WEIGHTED = (
    "setweight(to_tsvector('simple'::regconfig, title || ' ' || subtitle), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, search_text), 'D')"
)
PG_PLAIN = "to_tsvector('simple'::regconfig, search_text)"
# Finds the records with every word in the title (the weight-A part of search_vector) first.
PG_TITLE_INDEX = (
    "CREATE INDEX library_title_title_gin ON library_title "
    "USING gin (to_tsvector('simple'::regconfig, title || ' ' || subtitle))"
)


def _pg_vector(schema_editor, expression: str) -> None:
    schema_editor.execute("DROP INDEX IF EXISTS library_title_search_gin")
    schema_editor.execute("ALTER TABLE library_title DROP COLUMN IF EXISTS search_vector")
    schema_editor.execute(PG_VECTOR.format(expression))
    schema_editor.execute(
        "CREATE INDEX library_title_search_gin ON library_title USING gin (search_vector)"
    )


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS library_title_fts")
        schema_editor.execute(FTS5_CREATE)
        schema_editor.execute(FTS5_FILL)
        schema_editor.execute("INSERT INTO library_title_fts (library_title_fts) VALUES ('optimize')")
    elif vendor == "postgresql":
        _pg_vector(schema_editor, PG_WEIGHTED)
        schema_editor.execute(PG_TITLE_INDEX)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS library_title_fts")
        schema_editor.execute(
            "CREATE VIRTUAL TABLE library_title_fts USING fts5("
            "body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        schema_editor.execute(
            "INSERT INTO library_title_fts (rowid, body) SELECT id, search_text FROM library_title"
        )
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS library_title_title_gin")
        _pg_vector(schema_editor, PG_PLAIN)


class Migration(migrations.Migration):
    dependencies = [("library", "0002_search")]

    operations = [
        migrations.RunPython(forwards, backwards),
        # The catalogue without words, with one language or year chosen, last changed first:
        # read along the index instead of sorting every record of that language or year.
        migrations.AddIndex(
            model_name="title",
            index=models.Index(fields=["language", "updated_at", "id"], name="library_title_language"),
        ),
        migrations.AddIndex(
            model_name="title",
            index=models.Index(fields=["year", "updated_at", "id"], name="library_title_year"),
        ),
    ]
