"""Content: the curriculum editor, sanitised pages, videos, restrictions, protected files and
the participant's classroom through HTTP."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from sinergi.core.models import AuditLog
from sinergi.learning.models import (
    Assignment,
    Item,
    ItemCompletion,
    ItemKind,
    Module,
    Quiz,
    Session,
    Survey,
)
from sinergi.learning.services import content
from tests.i18n import indonesian

from ..factories import ProgramFactory, UserFactory
from .factories import ItemFactory, ModuleFactory, ParticipantFactory, QuestionBankFactory

pytestmark = pytest.mark.django_db

PDF = (Path(__file__).parents[1] / "fixtures" / "minimal-document.pdf").read_bytes()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def manager(db):
    return UserFactory(roles=["program_manager"])


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def pdf_upload(name="materi.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# Sanitising and videos ------------------------------------------------------------------------


def test_html_sanitise_removes_scripts_and_event_handlers_and_keeps_structure():
    dirty = (
        '<h2>Katalogisasi</h2><script>alert(1)</script><p onclick="x()">Isi '
        '<a href="javascript:alert(1)">buruk</a> <a href="https://opac.upi.edu">OPAC</a></p>'
        '<img src="x" onerror="alert(1)"><iframe src="https://evil.example"></iframe>'
        "<table><tr><td>MARC</td></tr></table>"
    )
    clean = content.html_sanitise(dirty)
    assert "<script" not in clean and "alert(1)" not in clean.replace("alert(1)</", "")
    assert "onerror" not in clean and "onclick" not in clean and "javascript:" not in clean
    assert "<iframe" not in clean
    assert "<h2>Katalogisasi</h2>" in clean and "<table>" in clean
    assert 'href="https://opac.upi.edu"' in clean and 'rel="noopener noreferrer"' in clean


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://youtu.be/dQw4w9WgXcQ?t=10", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        (
            "https://m.youtube.com/shorts/dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
        ("https://evil.example/watch?v=dQw4w9WgXcQ", None),
        ("https://www.youtube.com/watch?v=<script>", None),
        ("not a url", None),
    ],
)
def test_video_embed_url(url, embed):
    assert content.video_embed_url(url) == embed


def test_csp_allows_exactly_the_two_video_players(client, participant):
    frame_src = client.get("/").headers["Content-Security-Policy"]
    assert "frame-src https://www.youtube-nocookie.com https://player.vimeo.com" in frame_src


# The editor ----------------------------------------------------------------------------------


def test_manager_builds_a_template_through_the_pages(manager_client):
    program = ProgramFactory()
    url = reverse("learning:program_curriculum", args=[program.pk])
    response = manager_client.post(url, {"title": "Modul 1: Dasar", "description": ""})
    assert response.status_code == 302
    module = Module.objects.get(program=program)
    create = reverse("learning:item_create", args=[module.pk, "page"])
    response = manager_client.post(
        create, {"title": "Pengantar", "body": '<p>Halo</p><img src=x onerror="alert(1)">'}
    )
    assert response.status_code == 302
    page = Item.objects.get(module=module)
    assert page.body == '<p>Halo</p><img src="x">'
    response = manager_client.post(
        reverse("learning:item_create", args=[module.pk, "file"]),
        {"title": "Slide", "file": pdf_upload()},
    )
    assert response.status_code == 302
    response = manager_client.post(
        reverse("learning:item_create", args=[module.pk, "video"]),
        {"title": "Video", "url": "https://example.org/video"},
    )
    assert response.status_code == 200
    assert (
        escape(indonesian("Give a YouTube or Vimeo link to the video."))
        in response.content.decode()
    )
    assert manager_client.get(url).status_code == 200
    assert AuditLog.objects.filter(verb="learning.item.created").count() == 2


def test_a_fake_pdf_is_refused(manager_client):
    module = ModuleFactory(batch=None, program=ProgramFactory())
    response = manager_client.post(
        reverse("learning:item_create", args=[module.pk, "file"]),
        {"title": "Slide", "file": SimpleUploadedFile("x.pdf", b"not a pdf at all")},
    )
    assert response.status_code == 200
    assert not Item.objects.filter(module=module).exists()


def test_quiz_assignment_and_survey_items_get_their_settings_rows(manager):
    module = ModuleFactory()
    bank = QuestionBankFactory()
    quiz = content.item_create(
        module=module,
        kind=ItemKind.QUIZ,
        actor=manager,
        title="Post-test",
        bank=bank,
        role="posttest",
    )
    assignment = content.item_create(
        module=module, kind=ItemKind.ASSIGNMENT, actor=manager, title="RTL"
    )
    survey = content.item_create(
        module=module, kind=ItemKind.SURVEY, actor=manager, title="Evaluasi"
    )
    assert Quiz.objects.get(item=quiz).role == "posttest"
    assert Assignment.objects.filter(item=assignment).exists()
    assert Survey.objects.get(item=survey).questions.exists()
    with pytest.raises(ValidationError):
        content.item_create(module=module, kind=ItemKind.QUIZ, actor=manager, title="Tanpa bank")


def test_session_item_in_a_batch_creates_its_session(manager):
    module = ModuleFactory()
    item = content.item_create(
        module=module, kind=ItemKind.SESSION, actor=manager, title="Sesi MARC", jp=3
    )
    assert item.session.batch == module.batch and item.session.jp == 3


def test_moving_and_deleting(manager_client, manager):
    module = ModuleFactory()
    first, second = ItemFactory(module=module, position=0), ItemFactory(module=module, position=1)
    manager_client.post(reverse("learning:item_move", args=[second.pk]), {"direction": "up"})
    assert list(Item.objects.filter(module=module).order_by("position")) == [second, first]
    other = ModuleFactory(batch=module.batch, position=5)
    manager_client.post(reverse("learning:module_move", args=[other.pk]), {"direction": "up"})
    assert list(Module.objects.filter(batch=module.batch)) == [other, module]
    manager_client.post(reverse("learning:module_delete", args=[module.pk]))
    assert not Item.objects.filter(pk=first.pk).exists()


def test_the_editor_is_for_managers_only(participant_client, participant):
    program = participant.batch.program
    module = ModuleFactory(batch=participant.batch)
    assert (
        participant_client.get(
            reverse("learning:program_curriculum", args=[program.pk])
        ).status_code
        == 404
    )
    assert (
        participant_client.get(
            reverse("learning:batch_curriculum", args=[participant.batch.pk])
        ).status_code
        == 403
    )
    assert (
        participant_client.post(reverse("learning:module_delete", args=[module.pk])).status_code
        == 404
    )
    assert Module.objects.filter(pk=module.pk).exists()


# The participant's classroom -----------------------------------------------------------------


def test_classroom_shows_items_in_order_with_their_state(participant_client, participant):
    batch = participant.batch
    module = ModuleFactory(batch=batch)
    read = ItemFactory(module=module, title="Sudah dibaca", position=0)
    later = ItemFactory(
        module=module,
        title="Nanti",
        position=1,
        available_from=timezone.now() + timedelta(days=2),
    )
    after = ItemFactory(module=module, title="Sesudahnya", position=2, requires=later)
    ItemCompletion.objects.create(item=read, registration=participant)
    page = participant_client.get(reverse("learning:classroom", args=[batch.pk])).content.decode()
    assert page.index("Sudah dibaca") < page.index("Nanti") < page.index("Sesudahnya")
    available_from = indonesian("available from %(date)s").split("%(date)s")[0]
    assert "sn-item-done" in page and escape(available_from) in page
    assert escape(indonesian("after “%(title)s”") % {"title": "Nanti"}) in page
    assert reverse("learning:item_detail", args=[batch.pk, after.pk]) not in page
    assert f"/learning/batches/{batch.pk}/progress/" in page


def test_a_locked_item_cannot_be_opened_by_url(participant_client, participant):
    module = ModuleFactory(batch=participant.batch)
    first = ItemFactory(module=module, position=0, body="<p>Pertama</p>")
    dated = ItemFactory(
        module=module, available_from=timezone.now() + timedelta(hours=1), body="<p>RAHASIA-1</p>"
    )
    gated = ItemFactory(module=module, requires=first, body="<p>RAHASIA-2</p>")
    for item in (dated, gated):
        response = participant_client.get(
            reverse("learning:item_detail", args=[participant.batch.pk, item.pk])
        )
        assert response.status_code == 403
        assert "RAHASIA" not in response.content.decode()
    response = participant_client.post(
        reverse("learning:item_done", args=[participant.batch.pk, gated.pk])
    )
    assert response.status_code == 404
    # Done with the first: the second opens.
    participant_client.post(reverse("learning:item_done", args=[participant.batch.pk, first.pk]))
    response = participant_client.get(
        reverse("learning:item_detail", args=[participant.batch.pk, gated.pk])
    )
    assert response.status_code == 200 and "RAHASIA-2" in response.content.decode()


def test_mark_as_done_is_only_for_reading_items(participant_client, participant):
    module = ModuleFactory(batch=participant.batch)
    page = ItemFactory(module=module)
    assignment = ItemFactory(module=module, kind="assignment")
    Assignment.objects.create(item=assignment)
    participant_client.post(reverse("learning:item_done", args=[participant.batch.pk, page.pk]))
    participant_client.post(
        reverse("learning:item_done", args=[participant.batch.pk, assignment.pk])
    )
    assert list(ItemCompletion.objects.values_list("item_id", flat=True)) == [page.pk]


def test_video_page_embeds_privacy_enhanced_player_with_a_link(participant_client, participant):
    item = ItemFactory(
        module=ModuleFactory(batch=participant.batch),
        kind="video",
        url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )
    page = participant_client.get(
        reverse("learning:item_detail", args=[participant.batch.pk, item.pk])
    ).content.decode()
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in page
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in page


def test_files_are_served_only_to_the_batch(client, participant):
    item = content.item_create(
        module=ModuleFactory(batch=participant.batch),
        kind=ItemKind.FILE,
        actor=None,
        title="Slide",
        file=pdf_upload(),
    )
    url = reverse("learning:item_file", args=[participant.batch.pk, item.pk])
    assert not item.file.url.startswith(url)
    client.force_login(participant.user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    stranger = ParticipantFactory()  # a participant of another batch
    client.force_login(stranger.user)
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("learning:item_file", args=[stranger.batch.pk, item.pk])).status_code
        == 404
    )
    client.logout()
    assert client.get(url).status_code == 302


def test_unconfirmed_registrations_do_not_enter(client):
    pending = ParticipantFactory(state="pending_payment")
    client.force_login(pending.user)
    assert client.get(reverse("learning:classroom", args=[pending.batch.pk])).status_code == 404


def test_my_registrations_links_to_the_classroom(participant_client, participant):
    page = participant_client.get(reverse("training:my_registrations")).content.decode()
    assert reverse("learning:classroom", args=[participant.batch.pk]) in page


def test_classroom_query_count_does_not_grow_with_items(
    participant_client, participant, django_assert_max_num_queries
):
    module = ModuleFactory(batch=participant.batch)
    for _ in range(3):
        ItemFactory(module=module)
    url = reverse("learning:classroom", args=[participant.batch.pk])
    participant_client.get(url)
    with django_assert_max_num_queries(40) as small:
        participant_client.get(url)
    for _ in range(10):
        ItemFactory(module=ModuleFactory(batch=participant.batch))
    with django_assert_max_num_queries(len(small.captured_queries)):
        participant_client.get(url)
    assert Session.objects.count() == 0


def test_every_page_renders_for_each_kind_of_item(client, participant, manager):
    """A walk over the editor and the classroom with one item of every kind."""
    batch = participant.batch
    module = ModuleFactory(batch=batch)
    speaker = UserFactory(roles=["speaker"])
    items = {
        ItemKind.PAGE: content.item_create(
            module=module, kind=ItemKind.PAGE, actor=manager, title="Halaman", body="<p>x</p>"
        ),
        ItemKind.FILE: content.item_create(
            module=module, kind=ItemKind.FILE, actor=manager, title="Berkas", file=pdf_upload()
        ),
        ItemKind.VIDEO: content.item_create(
            module=module,
            kind=ItemKind.VIDEO,
            actor=manager,
            title="Video",
            url="https://vimeo.com/76979871",
        ),
        ItemKind.LINK: content.item_create(
            module=module, kind=ItemKind.LINK, actor=manager, title="Tautan", url="https://upi.edu"
        ),
        ItemKind.SESSION: content.item_create(
            module=module, kind=ItemKind.SESSION, actor=manager, title="Sesi", jp=2
        ),
        ItemKind.QUIZ: content.item_create(
            module=module,
            kind=ItemKind.QUIZ,
            actor=manager,
            title="Kuis",
            bank=QuestionBankFactory(),
        ),
        ItemKind.ASSIGNMENT: content.item_create(
            module=module, kind=ItemKind.ASSIGNMENT, actor=manager, title="Tugas"
        ),
        ItemKind.SURVEY: content.item_create(
            module=module, kind=ItemKind.SURVEY, actor=manager, title="Survei"
        ),
    }
    session = items[ItemKind.SESSION].session
    session.starts_at = timezone.now()
    session.ends_at = session.starts_at + timedelta(minutes=90)
    session.save()
    session.speakers.add(speaker)

    client.force_login(manager)
    staff_pages = [
        reverse("learning:batch_curriculum", args=[batch.pk]),
        reverse("learning:program_curriculum", args=[batch.program.pk]),
        reverse("learning:module_edit", args=[module.pk]),
        reverse("learning:session_list", args=[batch.pk]),
        reverse("learning:session_create", args=[batch.pk]),
        reverse("learning:session_edit", args=[batch.pk, session.pk]),
        reverse("learning:session_detail", args=[batch.pk, session.pk]),
        reverse("learning:grading_queue", args=[batch.pk]),
        reverse("learning:attendance_matrix", args=[batch.pk]),
        reverse("learning:assignment_settings", args=[items[ItemKind.ASSIGNMENT].pk]),
        reverse("learning:classroom", args=[batch.pk]),
    ]
    staff_pages += [reverse("learning:item_create", args=[module.pk, kind]) for kind in items]
    staff_pages += [reverse("learning:item_edit", args=[item.pk]) for item in items.values()]
    for url in staff_pages:
        assert client.get(url).status_code == 200, url

    client.force_login(participant.user)
    pages = [
        reverse("learning:classroom", args=[batch.pk]),
        reverse("learning:calendar"),
        reverse("learning:session_detail", args=[batch.pk, session.pk]),
        reverse("learning:session_checkin", args=[batch.pk, session.pk]),
    ]
    pages += [reverse("learning:item_detail", args=[batch.pk, item.pk]) for item in items.values()]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    session_page = client.get(
        reverse("learning:item_detail", args=[batch.pk, items[ItemKind.SESSION].pk])
    ).content.decode()
    assert "sn-checkin-form" in session_page and "sn-add-to-calendar" in session_page
