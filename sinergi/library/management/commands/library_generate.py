"""Bulk-insert synthetic catalogue records for benchmarks (a million in minutes).

The text is shaped like a real catalogue's: each record has one or two real topic words (the
words people search for, 60 Indonesian and 60 English) among words drawn with Zipf frequencies
from 3,645 made-up words (two syllables and an ending), so a one-word query matches a few per
cent of the catalogue, as a broad subject word does in a university library, not half of it.

Rows go in with bulk_create in batches, bypassing the per-record services (and their audit
rows); the search text is built here and the FTS5 rows (SQLite) are written in the same batches,
with their tags (see library/fts.py), so search works at once, and merged into one b-tree at
the end. On PostgreSQL the tsvector column fills itself, and the tables are analysed at the end.
"""

import random
import time
from datetime import timedelta
from itertools import accumulate

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from sinergi.library import fts
from sinergi.library.models import Contributor, LicensePool, Subject, Title

WORDS_ID = [
    "perpustakaan",
    "informasi",
    "literasi",
    "pendidikan",
    "sejarah",
    "bahasa",
    "budaya",
    "masyarakat",
    "teknologi",
    "digital",
    "manajemen",
    "pengantar",
    "dasar",
    "teori",
    "praktik",
    "analisis",
    "penelitian",
    "metode",
    "kebijakan",
    "pembelajaran",
    "guru",
    "siswa",
    "mahasiswa",
    "kurikulum",
    "ekonomi",
    "hukum",
    "agama",
    "islam",
    "sunda",
    "jawa",
    "pertanian",
    "kesehatan",
    "gizi",
    "lingkungan",
    "air",
    "tanah",
    "hutan",
    "laut",
    "matematika",
    "statistika",
    "fisika",
    "kimia",
    "biologi",
    "komputer",
    "jaringan",
    "data",
    "arsip",
    "naskah",
    "koleksi",
    "layanan",
    "referensi",
    "katalog",
]
WORDS_EN = [
    "library",
    "information",
    "literacy",
    "education",
    "history",
    "language",
    "culture",
    "society",
    "technology",
    "digital",
    "management",
    "introduction",
    "principles",
    "theory",
    "practice",
    "analysis",
    "research",
    "methods",
    "policy",
    "learning",
    "teacher",
    "student",
    "curriculum",
    "economics",
    "law",
    "religion",
    "agriculture",
    "health",
    "environment",
    "water",
    "soil",
    "forest",
    "ocean",
    "mathematics",
    "statistics",
    "physics",
    "chemistry",
    "biology",
    "computer",
    "network",
    "data",
    "archive",
    "manuscript",
    "collection",
    "service",
    "reference",
    "catalogue",
]
FIRST = [
    "Ahmad",
    "Budi",
    "Citra",
    "Dewi",
    "Eka",
    "Fajar",
    "Gita",
    "Hadi",
    "Indah",
    "Joko",
    "Kartika",
    "Lestari",
    "Made",
    "Nur",
    "Putri",
]
LAST = [
    "Santoso",
    "Wijaya",
    "Hidayat",
    "Rahman",
    "Kusuma",
    "Pratama",
    "Suryani",
    "Gunawan",
    "Maulana",
    "Siregar",
]


SYLLABLES = [
    "ka",
    "la",
    "ma",
    "na",
    "pa",
    "ra",
    "sa",
    "ta",
    "ba",
    "da",
    "ga",
    "ja",
    "wa",
    "ya",
    "ki",
    "li",
    "mi",
    "ni",
    "ri",
    "si",
    "ti",
    "bu",
    "du",
    "gu",
    "ju",
    "ru",
    "su",
]
VOCABULARY = sorted(
    {a + b + c for a in SYLLABLES for b in SYLLABLES for c in ("", "n", "ng", "k", "r")}
)
ZIPF = list(accumulate(1 / (rank + 1) for rank in range(len(VOCABULARY))))


class Command(BaseCommand):
    help = "Insert COUNT synthetic catalogue records in bulk (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=100_000)
        parser.add_argument("--batch", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, count: int, batch: int, seed: int, **options):
        rng = random.Random(seed)  # noqa: S311 (synthetic data)
        started = time.monotonic()
        subjects = self._subjects(rng)
        now = timezone.now()
        made = 0
        while made < count:
            size = min(batch, count - made)
            with transaction.atomic():
                self._batch(rng, size, subjects, now - timedelta(seconds=count - made))
            made += size
            if made % 100_000 == 0 or made == count:
                rate = made / (time.monotonic() - started)
                self.stdout.write(f"{made:,} records ({rate:,.0f}/s)")
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(fts.OPTIMIZE)
            else:
                # Statistics and the visibility map, as autovacuum would in time: without it
                # the first read of every page after the load also writes it (hint bits).
                cursor.execute("VACUUM (ANALYZE)")

    def _subjects(self, rng) -> list[Subject]:
        names = {
            f"{rng.choice(WORDS_ID).capitalize()} {rng.choice(VOCABULARY)}" for _i in range(3000)
        }
        Subject.objects.bulk_create([Subject(name=n) for n in sorted(names)], ignore_conflicts=True)
        return list(Subject.objects.order_by("id"))

    def _batch(self, rng, size: int, subjects: list[Subject], stamp) -> None:
        rows, extras = [], []
        for i in range(size):
            english = rng.random() < 0.3
            words = WORDS_EN if english else WORDS_ID
            filler = rng.choices(VOCABULARY, cum_weights=ZIPF, k=22)
            title = " ".join([rng.choice(words), *filler[:3]]).capitalize()
            author = f"{rng.choice(FIRST)} {rng.choice(VOCABULARY).capitalize()}"
            chosen = rng.sample(subjects, 2)
            description = " ".join(filler[3:] + ([rng.choice(words)] if rng.random() < 0.5 else []))
            isbn = _isbn(rng)
            text = " ".join([title, isbn, author, *(s.name for s in chosen), description])
            rows.append(
                Title(
                    title=title,
                    year=rng.randint(1970, 2025),
                    isbn=isbn,
                    language="eng" if english else "ind",
                    ddc=f"{rng.randint(0, 9)}{rng.randint(0, 99):02d}",
                    description=description,
                    open_access=rng.random() < 0.1,
                    search_text=text,
                    updated_at=stamp + timedelta(microseconds=i),
                )
            )
            extras.append((author, chosen))
        Title.objects.bulk_create(rows, batch_size=1000)
        Contributor.objects.bulk_create(
            [Contributor(title=t, name=a) for t, (a, _s) in zip(rows, extras, strict=True)],
            batch_size=2000,
        )
        Through = Title.subjects.through
        Through.objects.bulk_create(
            [
                Through(title_id=t.pk, subject_id=s.pk)
                for t, (_a, chosen) in zip(rows, extras, strict=True)
                for s in chosen
            ],
            batch_size=4000,
        )
        licensed = []
        for t in rows:
            if not t.open_access and rng.random() < 0.3:
                licensed.append(LicensePool(title=t, copies=rng.randint(1, 5)))
        LicensePool.objects.bulk_create(licensed, batch_size=2000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(fts.PG_UPSERT, [[t.pk for t in rows]])
        if connection.vendor == "sqlite":
            pooled = {pool.title.pk for pool in licensed}
            with connection.cursor() as cursor:
                cursor.executemany(
                    fts.INSERT,
                    [
                        (
                            t.pk,
                            t.title,
                            t.search_text,
                            fts.tags_of(
                                language=t.language,
                                year=t.year,
                                subject_ids=[s.pk for s in chosen],
                                formats=[],
                                open_access=t.open_access,
                                licensed=t.pk in pooled,
                                withdrawn=False,
                            ),
                        )
                        for t, (_a, chosen) in zip(rows, extras, strict=True)
                    ],
                )


def _isbn(rng) -> str:
    body = "978" + "".join(str(rng.randint(0, 9)) for _i in range(9))
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
    return body + str((10 - total % 10) % 10)
