"""How the catalogue's SQLite FTS5 index is laid out, for the writes and the search alike.

Three columns: `title` (title and subtitle), `body` (the whole search text, the title again
among it) and `tags`, one made-up word for each value the catalogue page filters on: language,
year, subject, format, open access, having a licence pool, withdrawn. A facet chosen on the page
is then one more term of the query, answered inside the index, so a search ranks, filters and
counts its matches without reading a row of the titles table for each of them (the search
checks the values most records share on its best matches first; see selectors._Fts5Ranking).
People's words are matched in the title and body columns only: no one finds a record by typing
a tag.

The migration that builds the index from the tables (0003) writes the same tags in SQL; a test
holds the two to each other.

PostgreSQL searches the tsvector of library_title and, for the title matches, the narrow table
library_title_search (models.TitleSearch), written by PG_UPSERT from the records' own rows.
"""

from collections.abc import Iterable

TABLE = "library_title_fts"
DELETE = "DELETE FROM library_title_fts WHERE rowid = %s"
INSERT = "INSERT INTO library_title_fts (rowid, title, body, tags) VALUES (%s, %s, %s, %s)"
# Merge the index into one b-tree (after a bulk load: fewer segments to read per query).
OPTIMIZE = "INSERT INTO library_title_fts (library_title_fts) VALUES ('optimize')"
# Best first. A word in the title weighs five times one in the body (which has the title too, so
# a title word counts six times); tags weigh nothing. Ties go to the older record (rowid).
RANK = "bm25(library_title_fts, 5.0, 1.0, 0.0)"

# PostgreSQL: write the narrow search rows of the records whose ids are the one parameter.
PG_UPSERT = (
    "INSERT INTO library_title_search "
    "(title_id, words, language, year, withdrawn, open_access, licensed) "
    "SELECT t.id, to_tsvector('simple'::regconfig, t.title || ' ' || t.subtitle), "
    "t.language, t.year, t.withdrawn, t.open_access, "
    "EXISTS (SELECT 1 FROM library_licensepool p WHERE p.title_id = t.id) "
    "FROM library_title t WHERE t.id = ANY(%s) "
    "ON CONFLICT (title_id) DO UPDATE SET words = excluded.words, "
    "language = excluded.language, year = excluded.year, withdrawn = excluded.withdrawn, "
    "open_access = excluded.open_access, licensed = excluded.licensed"
)

OPEN = "xopen"
LICENSED = "xpool"  # has a licence pool (licensed, unless it is also open access)
WITHDRAWN = "xwithdrawn"


def tag(kind: str, value: object) -> str:
    """Return the index word for one value of a facet: the value's text in hex, so that any
    value (a language code with a hyphen, a year, a subject's id) is one lowercase word."""
    return f"x{kind}{str(value).encode().hex()}"


def tags_of(
    *,
    language: str,
    year: int | None,
    subject_ids: Iterable[int],
    formats: Iterable[str],
    open_access: bool,
    licensed: bool,
    withdrawn: bool,
) -> str:
    """Return the tags column of a record."""
    words = [tag("lang", language)] if language else []
    if year is not None:
        words.append(tag("year", year))
    words += [tag("subject", s) for s in sorted(set(subject_ids))]
    words += [tag("format", f) for f in sorted(set(formats))]
    words += [
        w for w, on in ((OPEN, open_access), (LICENSED, licensed), (WITHDRAWN, withdrawn)) if on
    ]
    return " ".join(words)


def terms(text: str) -> str:
    """Turn what a person typed into FTS5 terms: each word a quoted prefix, all of them
    required ("" when nothing searchable is left). The search puts them in a column filter."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
    return " ".join(f'"{w}"*' for w in words[:12])
