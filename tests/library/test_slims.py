"""Import from SLiMS 9: a SLiMS-shaped MariaDB database (tests/library/slims_fixture.py) read
read-only into records, copies, covers, e-book files and accounts; re-imports update."""

import io
import json
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from PIL import Image

from sinergi.accounts.models import User
from sinergi.library import services, slims
from sinergi.library.models import (
    BookFile,
    CatalogueImport,
    Holding,
    RecordSource,
    Title,
)

from .factories import TitleFactory, UserFactory
from .slims_fixture import slims_database, url_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture(autouse=True)
def _english():
    """The report's reasons are translated; these tests read them in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def slims_db():
    """The SLiMS database `slims_slims_test` (one per xdist worker), dropped afterwards."""
    name = f"slims_slims_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    with slims_database(name) as connection:
        yield url_of(name), connection


@pytest.fixture
def files_dir(tmp_path):
    """SLiMS's files: a cover in images/docs/ and a PDF in repository/ebooks/."""
    root = tmp_path / "slims"
    (root / "images" / "docs").mkdir(parents=True)
    (root / "repository" / "ebooks").mkdir(parents=True)
    cover = io.BytesIO()
    Image.new("RGB", (60, 90), "navy").save(cover, "PNG")
    (root / "images" / "docs" / "cathedral.png").write_bytes(cover.getvalue())
    shutil.copy(FIXTURES / "minimal-document.pdf", root / "repository" / "ebooks" / "cathedral.pdf")
    (root / "repository" / "slides.pptx").write_bytes(b"PK\x03\x04 not really")
    return root


def test_a_slims_library_comes_over_with_its_records_copies_and_files(slims_db, files_dir):
    url, _connection = slims_db
    report = slims.slims_import(database_url=url, files_dir=str(files_dir))

    assert (report.imported, report.updated, report.unchanged) == (4, 0, 0)
    assert report.skipped == [{"biblio_id": 4, "reason": "The record has no title."}]
    assert Title.objects.count() == 4

    novel = Title.objects.get(isbn="9789799731234")
    assert (novel.title, novel.subtitle) == ("Bumi manusia", "sebuah novel")
    assert novel.responsibility == "Pramoedya Ananta Toer ; alih bahasa Max Lane"
    assert (novel.publisher, novel.place, novel.year, novel.edition) == (
        "Gramedia Pustaka Utama",
        "Jakarta",
        2005,
        "Cet. 5",
    )
    assert (novel.language, novel.ddc, novel.call_number, novel.content_type) == (
        "ind",
        "899.221",
        "899.221 PRA b",
        "Text",
    )
    assert novel.description == "Roman pertama Tetralogi Buru."
    assert [(c.name, c.role, c.kind) for c in novel.contributors.all()] == [
        ("Pramoedya Ananta Toer", "aut", "person"),
        ("Max Lane", "trl", "person"),
        ("Perpustakaan Nasional RI", "ctb", "organization"),
    ]
    assert sorted(novel.subjects.values_list("name", flat=True)) == ["Novel", "Sastra Indonesia"]
    assert [
        (h.code, h.call_number, h.location, h.collection, h.status, h.inventory_code)
        for h in novel.holdings.order_by("code")
    ] == [
        ("B00001", "899.221 PRA b c.1", "Perpustakaan Pusat", "Textbook", "", "INV/2019/1"),
        ("B00002", "899.221 PRA b c.2", "Ruang Baca", "Textbook", "No Loan", "INV/2019/2"),
    ]
    # Found by the search index the services keep, and by its SLiMS id.
    assert novel.search_text and "Pramoedya" in novel.search_text
    assert RecordSource.objects.get(title=novel).external_id == "1"

    # ISBN-10 kept as ISBN-13; its cover and its PDF from the files folder.
    cathedral = Title.objects.get(isbn="9780596001087")
    assert cathedral.year == 2001  # "c2001"
    assert cathedral.language == "eng"
    assert cathedral.cover.name.endswith(".png")
    assert BookFile.objects.get(title=cathedral).kind == "pdf"
    assert report.covers_imported == 1 and report.files_imported == 1
    # A serial's ISSN; a conference name is a meeting.
    serial = Title.objects.get(title="Jurnal Ilmu Perpustakaan")
    assert (serial.issn, serial.isbn, serial.year) == ("0378-5955", "", 1990)
    pedoman = Title.objects.get(title="Pedoman katalogisasi")
    assert pedoman.contributors.get().kind == "meeting"
    assert (pedoman.isbn, pedoman.year, pedoman.language, pedoman.content_type) == (
        "",
        None,
        "",
        "Computer Software",
    )
    assert Holding.objects.filter(title=pedoman, code="").count() == 1

    warnings = {(w["biblio_id"], w["warning"]) for w in report.warnings}
    assert (5, "ISBN/ISSN “12345” is neither a valid ISBN nor an ISSN; left out.") in warnings
    assert (5, "Language “xx” is not known; left out.") in warnings
    assert any(b == 5 and "missing.jpg" in w for b, w in warnings)
    assert (2, "Attachment 2 is a link, not a file; left out.") in warnings
    assert (1, "Attachment slides.pptx is not a PDF or EPUB; left out.") in warnings


def test_importing_again_updates_and_never_duplicates(slims_db, files_dir):
    url, connection = slims_db
    slims.slims_import(database_url=url, files_dir=str(files_dir))
    novel = Title.objects.get(isbn="9789799731234")
    stamp = novel.updated_at
    cover = Title.objects.get(isbn="9780596001087").cover.name

    again = slims.slims_import(database_url=url, files_dir=str(files_dir))
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 4)
    assert (again.holdings_imported, again.holdings_updated) == (0, 4)
    assert (again.covers_imported, again.files_imported) == (0, 0)
    assert Title.objects.count() == 4 and Holding.objects.count() == 4
    assert BookFile.objects.count() == 1
    novel.refresh_from_db()
    assert novel.updated_at == stamp  # nothing changed: OAI harvesters fetch nothing again
    assert Title.objects.get(isbn="9780596001087").cover.name == cover

    with connection.cursor() as cursor:
        cursor.execute("UPDATE biblio SET edition = 'Cet. 6' WHERE biblio_id = 1")
        cursor.execute("UPDATE item SET location_id = 'SL' WHERE item_id = 2")
        cursor.execute(
            "INSERT INTO item (item_id, biblio_id, item_code, location_id) "
            "VALUES (9, 1, 'B00009', 'RB')"
        )
    third = slims.slims_import(database_url=url)
    assert (third.imported, third.updated, third.unchanged) == (0, 1, 3)
    novel.refresh_from_db()
    assert novel.edition == "Cet. 6" and novel.updated_at > stamp
    assert Holding.objects.get(code="B00002").location == "Perpustakaan Pusat"
    assert Holding.objects.filter(title=novel).count() == 3
    assert Title.objects.count() == 4


def test_a_record_already_in_sinergi_is_matched_on_its_isbn(slims_db):
    url, _connection = slims_db
    mine = TitleFactory(title="Bumi Manusia", isbn="9789799731234")
    report = slims.slims_import(database_url=url)
    assert report.imported == 3 and report.updated == 1
    mine.refresh_from_db()
    assert mine.publisher == "Gramedia Pustaka Utama"
    assert RecordSource.objects.get(external_id="1").title == mine


def test_an_item_code_of_another_record_is_a_warning_not_a_crash(slims_db):
    url, _connection = slims_db
    other = TitleFactory(title="Sudah ada")
    services.holding_save(
        actor=None, title=other, data=services.HoldingData(code="B00003", location="Gudang")
    )
    report = slims.slims_import(database_url=url)
    assert report.imported == 4
    assert (2, "Item 3: Item code B00003 already belongs to another record.") in {
        (w["biblio_id"], w["warning"]) for w in report.warnings
    }
    assert Holding.objects.get(code="B00003").title == other


def test_members_come_as_unverified_accounts_without_their_password(slims_db, mailoutbox):
    url, _connection = slims_db
    known = UserFactory(email="dewi@example.ac.id")
    report = slims.slims_import(database_url=url, members=True, notify_members=True)
    assert (report.members_imported, report.members_updated) == (1, 1)
    assert report.skipped[-1] == {"member_id": "M002", "reason": "The member has no e-mail."}
    siti = User.objects.get(email="siti@example.ac.id")
    assert siti.full_name == "Siti Rahma" and siti.institution_name == "Universitas Padjadjaran"
    assert not siti.has_usable_password() and siti.email_verified_at is None
    assert siti.groups.filter(name="participant").exists()
    assert [m.to for m in mailoutbox] == [["siti@example.ac.id"]]
    known.refresh_from_db()
    assert User.objects.filter(email__iexact="dewi@example.ac.id").count() == 1

    again = slims.slims_import(database_url=url, members=True)
    assert (again.members_imported, again.members_updated) == (0, 2)


def test_the_connection_is_read_only(slims_db):
    import pymysql

    url, _connection = slims_db
    reader = slims.SlimsReader(slims.database_parse(url))
    try:
        with pytest.raises(pymysql.err.MySQLError), reader.connection.cursor() as cursor:
            cursor.execute("UPDATE biblio SET title = 'x' WHERE biblio_id = 1")
    finally:
        reader.close()
    with _connection.cursor() as cursor:
        cursor.execute("SELECT title FROM biblio WHERE biblio_id = 1")
        assert cursor.fetchone()[0] == "Bumi manusia : sebuah novel"


def test_a_database_that_is_not_slims_is_refused(slims_db):
    url, connection = slims_db
    empty = url.rsplit("/", 1)[1] + "_empty"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{empty}`")
        cursor.execute(f"CREATE DATABASE `{empty}`")
    try:
        with pytest.raises(slims.SlimsError, match="not a SLiMS database: it has no table"):
            slims.slims_import(database_url=url_of(empty))
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE `{empty}`")
    with pytest.raises(slims.SlimsError, match="mysql://"):
        slims.database_parse("postgres://x@y/z")


def test_the_command_prints_the_report(slims_db, capsys):
    url, _connection = slims_db
    call_command("import_slims", "--database", url, "--json")
    result = json.loads(capsys.readouterr().out)
    assert (result["imported"], result["updated"], len(result["skipped"])) == (4, 0, 1)
    assert result["holdings"] == {"imported": 4, "updated": 0}
    call_command("import_slims", "--database", url)
    out = capsys.readouterr().out
    assert out.startswith("imported 0, updated 0, unchanged 4, skipped 1")
    assert "skipped biblio_id 4: The record has no title." in out


def test_staff_page_runs_the_import_in_the_background(client, slims_db, files_dir, settings):
    url, _connection = slims_db
    settings.SINERGI_IMPORT_ROOT = str(files_dir.parent)
    client.force_login(UserFactory())
    assert client.get(reverse("library:slims_import")).status_code == 403
    librarian = UserFactory(roles=["librarian"])
    client.force_login(librarian)
    assert client.get(reverse("library:slims_import")).status_code == 200

    refused = client.post(reverse("library:slims_import"), {"database": url, "files_dir": "/etc"})
    assert refused.status_code == 200 and CatalogueImport.objects.count() == 0

    # The tests' task backend runs the task at once, as a worker would after the commit.
    response = client.post(
        reverse("library:slims_import"),
        {"database": url, "files_dir": str(files_dir), "members": "on"},
    )
    job = CatalogueImport.objects.get()
    assert response.url == reverse("library:slims_import_status", args=[job.pk])
    assert job.status == "done" and job.database_url == ""  # the password is not kept
    assert (job.done, job.total) == (8, 8)  # 5 records and 3 members read
    assert job.result["imported"] == 4 and job.result["members"]["imported"] == 2
    page = client.get(response.url)
    assert "HX-Request" in page["Vary"]
    text = page.content.decode()
    assert "biblio_id 4" in text and "member_id M002" in text
    fragment = client.get(response.url, headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content and b"sn-import-counts" in fragment.content
    listing = client.get(reverse("library:slims_import")).content.decode()
    assert "slims_slims_test" in listing and "@" in listing and ":" in listing
    novel = Title.objects.get(isbn="9789799731234")
    detail = client.get(novel.get_absolute_url()).content.decode()
    assert "B00002" in detail and "Ruang Baca" in detail and "alih bahasa Max Lane" in detail


def test_an_unreadable_database_fails_the_job_with_its_reason(client):
    client.force_login(UserFactory(roles=["librarian"]))
    # Nothing listens on port 1: the job fails, and its password is shown nowhere.
    response = client.post(
        reverse("library:slims_import"), {"database": "mysql://slims:s3cret@127.0.0.1:1/slims"}
    )
    job = CatalogueImport.objects.get()
    # In the librarian's language: "Tidak dapat terhubung ke slims@127.0.0.1:1/slims: ..."
    assert job.status == "failed" and "terhubung ke slims@127.0.0.1:1/slims" in job.error
    assert job.database_url == ""
    for page in (client.get(response.url), client.get(reverse("library:slims_import"))):
        assert b"s3cret" not in page.content and b"slims@127.0.0.1:1/slims" in page.content


def test_a_job_left_running_by_a_dead_worker_runs_again_and_a_finished_one_does_not(slims_db):
    url, _connection = slims_db
    librarian = UserFactory(roles=["librarian"])
    # What the lease machinery hands back after a worker died mid-import: a RUNNING job with
    # part of the records already written.
    slims.slims_import(database_url=url)
    Title.objects.filter(title="Jurnal Ilmu Perpustakaan").delete()
    job = CatalogueImport.objects.create(
        requested_by=librarian, database_url=url, database_label="x", status="running"
    )
    job = slims.catalogue_import_run(job=job)
    assert job.status == "done"
    assert (job.result["imported"], job.result["unchanged"]) == (1, 3)
    assert Title.objects.count() == 4
    finished_at = job.finished_at
    job.database_url = url
    job.save(update_fields=["database_url"])
    again = slims.catalogue_import_run(job=job)
    assert again.finished_at == finished_at  # a finished import is not run twice
