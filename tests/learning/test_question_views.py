"""Question bank pages: only managers, upload → preview (nothing saved) → confirm, a bad file
shows its error and saves nothing, export, delete, embedded images."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sinergi.learning.models import Question, QuestionBank
from sinergi.learning.services.questions import questions_import

from ..factories import UserFactory
from .factories import QuestionBankFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "questions"


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def manager_client(client, db, settings):
    client.force_login(UserFactory(roles=["program_manager"], language="en"))
    # The assertions read the English messages (the Indonesian ones come with translations).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(name: str, content: bytes | None = None):
    data = content if content is not None else (FIXTURES / name).read_bytes()
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.django_db
@pytest.mark.parametrize("roles", [["participant"], ["finance"], ["head"]])
def test_others_are_refused(client, roles):
    bank = QuestionBankFactory()
    client.force_login(UserFactory(roles=roles))
    for url in (
        reverse("learning:bank_list"),
        reverse("learning:bank_detail", args=[bank.pk]),
        reverse("learning:bank_import", args=[bank.pk]),
        reverse("learning:bank_export", args=[bank.pk]),
    ):
        assert client.get(url).status_code == 403
    response = client.post(
        reverse("learning:bank_import", args=[bank.pk]),
        {"format": "gift", "file": upload("options1.gift")},
    )
    assert response.status_code == 403
    assert not bank.questions.exists()


@pytest.mark.django_db
def test_anonymous_goes_to_login(client):
    response = client.get(reverse("learning:bank_list"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_create_bank_and_list(manager_client):
    response = manager_client.post(reverse("learning:bank_list"), {"name": "Bank Katalog"})
    bank = QuestionBank.objects.get(name="Bank Katalog")
    assert response["Location"] == reverse("learning:bank_detail", args=[bank.pk])
    response = manager_client.get(reverse("learning:bank_list"))
    assert "Bank Katalog" in response.content.decode()


@pytest.mark.django_db
def test_preview_then_confirm(manager_client, settings):
    bank = QuestionBankFactory(name="Diklat")
    url = reverse("learning:bank_import", args=[bank.pk])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(
        url, {"format": "moodlexml", "file": upload("moodle_id_semua_jenis.xml")}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "8 questions will be imported" in page
    assert "Multiple choice (<code>multichoice</code>): 2" in page
    assert "Denda keterlambatan" in page and "calculated" in page
    assert not bank.questions.exists()  # nothing saved before confirming
    token = response.context["token"]
    assert list((Path(settings.VAR_DIR) / "question-imports").iterdir())
    response = manager_client.post(
        reverse("learning:bank_import_confirm", args=[bank.pk]), {"token": token}
    )
    assert response["Location"] == reverse("learning:bank_detail", args=[bank.pk])
    assert bank.questions.count() == 8
    assert not list((Path(settings.VAR_DIR) / "question-imports").iterdir())
    # The same token cannot import twice.
    manager_client.post(reverse("learning:bank_import_confirm", args=[bank.pk]), {"token": token})
    assert bank.questions.count() == 8


@pytest.mark.django_db
def test_a_token_from_another_session_or_bank_imports_nothing(manager_client, client):
    bank = QuestionBankFactory()
    other = QuestionBankFactory()
    response = manager_client.post(
        reverse("learning:bank_import", args=[bank.pk]),
        {"format": "gift", "file": upload("options1.gift")},
    )
    token = response.context["token"]
    manager_client.post(reverse("learning:bank_import_confirm", args=[other.pk]), {"token": token})
    assert not other.questions.exists()
    client.force_login(UserFactory(roles=["admin"]))
    client.post(reverse("learning:bank_import_confirm", args=[bank.pk]), {"token": token})
    assert not bank.questions.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("format", "name", "words"),
    [
        ("gift", "malformed.gift", "Line 5:"),
        ("moodlexml", "malformed_unclosed.xml", "Line 5:"),
        ("moodlexml", "xxe.xml", "DTD"),
        ("moodlexml", "not_a_quiz.xml", "Element &lt;collection&gt; at line 2"),
    ],
)
def test_a_bad_file_shows_the_error_and_saves_nothing(manager_client, format, name, words):
    bank = QuestionBankFactory()
    response = manager_client.post(
        reverse("learning:bank_import", args=[bank.pk]), {"format": format, "file": upload(name)}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "nothing was saved" in page
    assert words in page
    assert not Question.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("format", "content", "words"),
    [
        ("moodlexml", b"%PDF-1.4 not xml", "not an XML file"),
        ("gift", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a text file"),
        ("gift", b"   \n", "empty"),
    ],
)
def test_wrong_kind_of_file_is_refused_by_the_form(manager_client, format, content, words):
    bank = QuestionBankFactory()
    response = manager_client.post(
        reverse("learning:bank_import", args=[bank.pk]),
        {"format": format, "file": upload("x", content)},
    )
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_too_large_file_is_refused(manager_client, monkeypatch):
    from sinergi.learning import forms_questions

    monkeypatch.setattr(forms_questions, "MAX_IMPORT_BYTES", 100)
    bank = QuestionBankFactory()
    response = manager_client.post(
        reverse("learning:bank_import", args=[bank.pk]),
        {"format": "gift", "file": upload("options1.gift")},
    )
    assert "larger than 10 MB" in response.content.decode()


@pytest.mark.django_db
def test_bank_page_shows_tree_previews_and_images(manager_client, django_assert_num_queries):
    bank = questions_import(
        bank_name="Katalog",
        format="moodlexml",
        content=(FIXTURES / "moodle_id_semua_jenis.xml").read_bytes(),
        actor=None,
    ).bank
    url = reverse("learning:bank_detail", args=[bank.pk])
    # Session, user, roles, bank, categories, count, questions, answers, files: however many
    # questions the page shows.
    with django_assert_num_queries(9):
        manager_client.get(url)
    questions_import(
        bank=bank, format="gift", content=(FIXTURES / "options1.gift").read_bytes(), actor=None
    )
    with django_assert_num_queries(9):
        response = manager_client.get(url)
    page = response.content.decode()
    assert "MARC 21" in page and "RDA" in page and "Default" in page
    tag = bank.questions.get(name="Tag 245")
    image_url = reverse("learning:question_file", args=[tag.pk, "cantuman.png"])
    assert f'src="{image_url}"' in page
    assert "<strong>Grant&#x27;s tomb</strong>" in page  # markdown
    assert "<script" not in page.split("</nav>", 1)[1].split("<footer", 1)[0]
    image = manager_client.get(image_url)
    assert image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    assert "sandbox" in image["Content-Security-Policy"]


@pytest.mark.django_db
def test_preview_html_is_sanitised(manager_client):
    bank = questions_import(
        bank_name="XSS",
        format="gift",
        content=b'[html]<p onclick\\="x()">Soal</p><script>alert(1)</script>{T}',
        actor=None,
    ).bank
    page = manager_client.get(reverse("learning:bank_detail", args=[bank.pk])).content.decode()
    assert "<script>alert(1)" not in page and "onclick" not in page
    assert "<p>Soal</p>" in page


@pytest.mark.django_db
def test_question_files_are_not_for_participants(client):
    bank = questions_import(
        bank_name="Gambar",
        format="moodlexml",
        content=(FIXTURES / "moodle_id_semua_jenis.xml").read_bytes(),
        actor=None,
    ).bank
    tag = bank.questions.get(name="Tag 245")
    client.force_login(UserFactory(roles=["participant"]))
    url = reverse("learning:question_file", args=[tag.pk, "cantuman.png"])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_export_download(manager_client):
    bank = questions_import(
        bank_name="Bank Ekspor",
        format="gift",
        content=(FIXTURES / "giftFormatPhpExamples.gift").read_bytes(),
        actor=None,
    ).bank
    response = manager_client.get(reverse("learning:bank_export", args=[bank.pk]))
    assert response["Content-Type"].startswith("application/xml")
    assert 'filename="bank-ekspor-moodle.xml"' in response["Content-Disposition"]
    assert response.content.count(b'<question type="matching">') == 1


@pytest.mark.django_db
def test_rename_and_delete(manager_client):
    bank = questions_import(
        bank_name="Lama",
        format="gift",
        content=(FIXTURES / "giftFormatPhpExamples.gift").read_bytes(),
        actor=None,
    ).bank
    manager_client.post(reverse("learning:bank_rename", args=[bank.pk]), {"name": "Baru"})
    bank.refresh_from_db()
    assert bank.name == "Baru"
    question = bank.questions.first()
    response = manager_client.post(reverse("learning:question_delete", args=[question.pk]))
    assert response.status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()
    assert (
        manager_client.get(reverse("learning:question_delete", args=[question.pk])).status_code
        == 405
    )


def test_render_text_formats_and_file_references():
    from sinergi.learning.formats.render import render_text

    def url(name):
        return reverse("learning:question_file", args=[7, name])

    html = render_text('<p>Lihat <img src="@@PLUGINFILE@@/gambar%201.png"></p>', "html", url)
    assert html == '<p>Lihat <img src="/learning/questions/7/files/gambar%201.png"></p>'
    assert render_text("a < b\nc", "plain") == "a &lt; b<br>\nc"
    assert render_text("**tebal** dan *miring*", "markdown") == (
        "<strong>tebal</strong> dan <em>miring</em>"
    )
    assert render_text("baris\nbaru <b>x</b>", "moodle") == "baris<br>\nbaru <b>x</b>"
    assert render_text('<img src="@@PLUGINFILE@@/x.png">', "html") == '<img src="">'


@pytest.mark.django_db
def test_a_participant_sees_the_image_of_a_question_in_their_attempt(client):
    from sinergi.learning.models import Attempt, AttemptQuestion, Quiz

    from .factories import ItemFactory, ParticipantFactory

    bank = questions_import(
        bank_name="Gambar",
        format="moodlexml",
        content=(FIXTURES / "moodle_id_semua_jenis.xml").read_bytes(),
        actor=None,
    ).bank
    tag = bank.questions.get(name="Tag 245")
    registration = ParticipantFactory()
    quiz = Quiz.objects.create(
        item=ItemFactory(kind="quiz", module__batch=registration.batch), role="quiz", bank=bank
    )
    attempt = Attempt.objects.create(quiz=quiz, registration=registration)
    AttemptQuestion.objects.create(attempt=attempt, question=tag, position=1, max_points=2)
    client.force_login(registration.user)
    response = client.get(reverse("learning:question_file", args=[tag.pk, "cantuman.png"]))
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")
    other = reverse("learning:question_file", args=[tag.pk, "lain.png"])
    assert client.get(other).status_code == 404
