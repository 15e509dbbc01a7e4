"""PostgreSQL: a narrow table of each record's title words, language, year, withdrawal and
access, in which a search finds, ranks and counts its title matches and counts the facets of
its best matches (see models.TitleSearch), filled here
from the records; the GIN index on the title expression of library_title it replaces goes.
SQLite gets the (empty) table only: its FTS5 index has a title column of its own.

At a million records the fill and its GIN index take about ten seconds.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

OLD_TITLE_INDEX = (
    "CREATE INDEX library_title_title_gin ON library_title "
    "USING gin (to_tsvector('simple'::regconfig, title || ' ' || subtitle))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "INSERT INTO library_title_search "
        "(title_id, words, language, year, withdrawn, open_access, licensed) "
        # The same row as fts.PG_UPSERT writes.
        "SELECT t.id, to_tsvector('simple'::regconfig, t.title || ' ' || t.subtitle), "
        "t.language, t.year, t.withdrawn, t.open_access, "
        "EXISTS (SELECT 1 FROM library_licensepool p WHERE p.title_id = t.id) "
        "FROM library_title t ORDER BY t.id"
    )
    schema_editor.execute(
        "CREATE INDEX library_title_search_words ON library_title_search USING gin (words)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS library_title_title_gin")
    schema_editor.execute("ANALYZE library_title_search")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_TITLE_INDEX)


class Migration(migrations.Migration):
    dependencies = [("library", "0003_search_columns")]

    operations = [
        migrations.CreateModel(
            name="TitleSearch",
            fields=[
                (
                    "title",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_row",
                        serialize=False,
                        to="library.title",
                    ),
                ),
                ("words", django.contrib.postgres.search.SearchVectorField()),
                ("language", models.CharField(blank=True, max_length=3)),
                ("year", models.PositiveSmallIntegerField(null=True)),
                ("withdrawn", models.BooleanField(default=False)),
                ("open_access", models.BooleanField(default=False)),
                ("licensed", models.BooleanField(default=False)),
            ],
            options={"db_table": "library_title_search"},
        ),
        # Dropping the table on the way back drops its indexes with it.
        migrations.RunPython(forwards, backwards),
        migrations.AddIndex(
            model_name="titlesearch",
            index=models.Index(fields=["year"], name="library_title_search_year"),
        ),
    ]
