"""A SLiMS-shaped database on the MariaDB server of the machine, written for these tests.

Only the tables and columns `sinergi.library.slims` reads, with the types SLiMS 9 gives them
(as read in its install schema); the rows are made up here. Tests skip when no MariaDB answers
at SLIMS_TEST_MYSQL (default 127.0.0.1:3306, root, no password); CI has one.
"""

import os
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

SERVER = os.environ.get("SLIMS_TEST_MYSQL", "mysql://root@127.0.0.1:3306")

TABLES = [
    """CREATE TABLE biblio (
      biblio_id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
      gmd_id int(3) DEFAULT NULL,
      title text NOT NULL,
      sor varchar(200) DEFAULT NULL,
      edition varchar(50) DEFAULT NULL,
      isbn_issn varchar(32) DEFAULT NULL,
      publisher_id int(11) DEFAULT NULL,
      publish_year varchar(20) DEFAULT NULL,
      call_number varchar(50) DEFAULT NULL,
      language_id char(5) DEFAULT 'en',
      publish_place_id int(11) DEFAULT NULL,
      classification varchar(40) DEFAULT NULL,
      notes text,
      image varchar(100) DEFAULT NULL,
      opac_hide smallint(1) DEFAULT 0,
      content_type_id int(11) DEFAULT NULL
    )""",
    """CREATE TABLE mst_author (
      author_id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
      author_name varchar(100) NOT NULL,
      authority_type enum('p','o','c') DEFAULT 'p'
    )""",
    """CREATE TABLE biblio_author (
      biblio_id int(11) NOT NULL, author_id int(11) NOT NULL, level int(1) NOT NULL DEFAULT 1,
      PRIMARY KEY (biblio_id, author_id)
    )""",
    """CREATE TABLE mst_publisher (
      publisher_id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
      publisher_name varchar(100) NOT NULL
    )""",
    """CREATE TABLE mst_place (
      place_id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY, place_name varchar(30) NOT NULL
    )""",
    """CREATE TABLE mst_language (
      language_id char(5) NOT NULL PRIMARY KEY, language_name varchar(20) NOT NULL
    )""",
    """CREATE TABLE mst_gmd (
      gmd_id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY, gmd_code varchar(3),
      gmd_name varchar(30) NOT NULL
    )""",
    """CREATE TABLE mst_content_type (
      id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY, content_type varchar(100) NOT NULL
    )""",
    """CREATE TABLE mst_topic (
      topic_id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY, topic varchar(50) NOT NULL
    )""",
    """CREATE TABLE biblio_topic (
      biblio_id int(11) NOT NULL, topic_id int(11) NOT NULL, level int(1) NOT NULL DEFAULT 1,
      PRIMARY KEY (biblio_id, topic_id)
    )""",
    """CREATE TABLE mst_location (
      location_id varchar(3) NOT NULL PRIMARY KEY, location_name varchar(100)
    )""",
    """CREATE TABLE mst_coll_type (
      coll_type_id int(3) NOT NULL AUTO_INCREMENT PRIMARY KEY, coll_type_name varchar(30) NOT NULL
    )""",
    """CREATE TABLE mst_item_status (
      item_status_id char(3) NOT NULL PRIMARY KEY, item_status_name varchar(30) NOT NULL
    )""",
    """CREATE TABLE item (
      item_id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
      biblio_id int(11) DEFAULT NULL,
      call_number varchar(50) DEFAULT NULL,
      coll_type_id int(3) DEFAULT NULL,
      item_code varchar(20) DEFAULT NULL UNIQUE,
      inventory_code varchar(200) DEFAULT NULL,
      location_id varchar(3) DEFAULT NULL,
      item_status_id char(3) DEFAULT NULL
    )""",
    """CREATE TABLE files (
      file_id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
      file_title text NOT NULL, file_name text NOT NULL, file_url text, file_dir text,
      mime_type varchar(100) DEFAULT NULL
    )""",
    """CREATE TABLE biblio_attachment (
      biblio_id int(11) NOT NULL, file_id int(11) NOT NULL,
      access_type enum('public','private') NOT NULL
    )""",
    """CREATE TABLE mst_member_type (
      member_type_id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
      member_type_name varchar(50) NOT NULL
    )""",
    """CREATE TABLE member (
      member_id varchar(20) NOT NULL PRIMARY KEY,
      member_name varchar(100) NOT NULL,
      member_type_id int(6) DEFAULT NULL,
      member_email varchar(100) DEFAULT NULL,
      inst_name varchar(100) DEFAULT NULL,
      member_phone varchar(50) DEFAULT NULL,
      expire_date date NOT NULL,
      mpasswd varchar(64) NULL
    )""",
]

ROWS = [
    "INSERT INTO mst_publisher VALUES (1, 'Gramedia Pustaka Utama'), (2, 'O''Reilly')",
    "INSERT INTO mst_place VALUES (1, 'Jakarta'), (2, 'Sebastopol, CA')",
    "INSERT INTO mst_language VALUES ('id', 'Indonesia'), ('en', 'English'), ('xx', 'Lain')",
    "INSERT INTO mst_gmd VALUES (1, 'TE', 'Text'), (2, 'CR', 'Computer Software')",
    "INSERT INTO mst_content_type VALUES (1, 'text')",
    "INSERT INTO mst_author VALUES (1, 'Pramoedya Ananta Toer', 'p'), (2, 'Max Lane', 'p'),"
    " (3, 'Perpustakaan Nasional RI', 'o'), (4, 'Seminar Literasi 2019', 'c'),"
    " (5, 'Raymond, Eric S.', 'p')",
    "INSERT INTO mst_topic VALUES (1, 'Sastra Indonesia'), (2, 'Novel'), (3, 'Open source')",
    "INSERT INTO mst_location VALUES ('SL', 'Perpustakaan Pusat'), ('RB', 'Ruang Baca')",
    "INSERT INTO mst_coll_type VALUES (1, 'Reference'), (2, 'Textbook')",
    "INSERT INTO mst_item_status VALUES ('R', 'Repair'), ('NL', 'No Loan')",
    # 1: a full record; 2: ISBN-10 and an ISSN-less English book with a cover and a PDF;
    # 3: a serial with an ISSN; 4: no title (skipped); 5: a broken ISBN and an unknown language.
    "INSERT INTO biblio (biblio_id, gmd_id, title, sor, edition, isbn_issn, publisher_id,"
    " publish_year, call_number, language_id, publish_place_id, classification, notes, image,"
    " content_type_id) VALUES"
    " (1, 1, 'Bumi manusia : sebuah novel', 'Pramoedya Ananta Toer ; alih bahasa Max Lane',"
    "  'Cet. 5', '978-979-97312-3-4', 1, '2005', '899.221 PRA b', 'id', 1, '899.221',"
    "  'Roman pertama Tetralogi Buru.', NULL, 1),"
    " (2, 1, 'The cathedral and the bazaar', 'Eric S. Raymond', NULL, '0-596-00108-8', 2,"
    "  'c2001', '005.43 RAY c', 'en', 2, '005.43', 'Essays on open source.', 'cathedral.png',"
    "  NULL),"
    " (3, 1, 'Jurnal Ilmu Perpustakaan', NULL, NULL, '0378-5955', NULL, 'Vol. 1, 1990', NULL,"
    "  'id', NULL, '020', NULL, NULL, NULL),"
    " (4, 1, '   ', NULL, NULL, NULL, NULL, NULL, NULL, 'id', NULL, NULL, NULL, NULL, NULL),"
    " (5, 2, 'Pedoman katalogisasi', NULL, NULL, '12345', NULL, 'tanpa tahun', NULL, 'xx',"
    "  NULL, '025.3', NULL, 'missing.jpg', NULL)",
    "INSERT INTO biblio_author VALUES (1, 1, 1), (1, 2, 4), (1, 3, 10), (2, 5, 1), (5, 4, 1)",
    "INSERT INTO biblio_topic VALUES (1, 1, 1), (1, 2, 2), (2, 3, 1)",
    "INSERT INTO item (item_id, biblio_id, call_number, coll_type_id, item_code, inventory_code,"
    " location_id, item_status_id) VALUES"
    " (1, 1, '899.221 PRA b c.1', 2, 'B00001', 'INV/2019/1', 'SL', NULL),"
    " (2, 1, '899.221 PRA b c.2', 2, 'B00002', 'INV/2019/2', 'RB', 'NL'),"
    " (3, 2, '005.43 RAY c', 1, 'B00003', NULL, 'SL', 'R'),"
    " (4, 5, NULL, NULL, NULL, NULL, NULL, NULL)",
    "INSERT INTO files VALUES (1, 'Full text', 'cathedral.pdf', NULL, 'ebooks', "
    " 'application/pdf'), (2, 'Website', '', 'https://example.org/cb', NULL, 'text/uri-list'),"
    " (3, 'Slides', 'slides.pptx', NULL, '', 'application/vnd.ms-powerpoint')",
    "INSERT INTO biblio_attachment VALUES (2, 1, 'public'), (2, 2, 'public'), (1, 3, 'private')",
    "INSERT INTO mst_member_type VALUES (1, 'Mahasiswa')",
    "INSERT INTO member VALUES"
    " ('M001', 'Siti Rahma', 1, 'siti@example.ac.id', 'Universitas Padjadjaran', '0812', "
    "  '2030-01-01', '$2y$10$abcdefghijk'),"
    " ('M002', 'Budi Santoso', 1, NULL, NULL, NULL, '2030-01-01', NULL),"
    " ('M003', 'Dewi Lestari', 1, 'Dewi@Example.ac.id', NULL, NULL, '2030-01-01', NULL)",
]


def server_connect(database: str | None = None):
    """Connect to the test MariaDB server, or skip the test when none answers."""
    import pymysql

    parts = urlsplit(SERVER)
    try:
        return pymysql.connect(
            host=parts.hostname,
            port=parts.port or 3306,
            user=parts.username or "root",
            password=parts.password or "",
            database=database,
            connect_timeout=3,
            autocommit=True,
            charset="utf8mb4",
        )
    except pymysql.err.OperationalError as error:
        pytest.skip(f"no MariaDB server at {SERVER}: {error}")


def url_of(name: str) -> str:
    return f"{SERVER.rstrip('/')}/{name}"


@contextmanager
def slims_database(name: str):
    """Create the database `name` with the SLiMS tables and rows above; drop it afterwards."""
    connection = server_connect()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        cursor.execute(f"USE `{name}`")
        for statement in TABLES + ROWS:
            cursor.execute(statement)
    try:
        yield connection
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        connection.close()
