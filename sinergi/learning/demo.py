"""Demo classroom: a GIFT-imported pre/post-test bank, curricula for two programs, the finished
batch run through (attendance, tests, assignment, evaluation; four of six completed), and the
free SLiMS batch open for its participants to start."""

import io
from datetime import datetime, time, timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from sinergi.accounts.models import User
from sinergi.core.pdf import SANS, SANS_BOLD, draw_string, register_fonts
from sinergi.training.models import Batch, Program, RegistrationState

from . import grading
from .models import Completion, Item, ItemKind, QuestionBank, QuestionCategory, QuizRole, Session
from .services import assignments, attendance, content, quizzes, surveys
from .services.completion import completion_recompute
from .services.questions import questions_import

BANK_NAME = "Diklat Pengelolaan Perpustakaan — Pre/Post-test"
BANK_FILE = Path(__file__).parent / "data" / "demo_bank.gift"
MEET = "https://meet.jit.si/sinergi-diklat-demo"

WELCOME = """<h2>Selamat datang</h2>
<p>Diklat ini terdiri atas empat modul. Kerjakan <strong>pre-test</strong> lebih dulu, ikuti
sesi tatap maya sesuai jadwal, baca materi, kumpulkan <em>rencana tindak lanjut</em>, lalu
kerjakan <strong>post-test</strong> dan isi evaluasi.</p>
<p>Syarat kelulusan: kehadiran minimal 80%, nilai post-test minimal 70, rencana tindak lanjut
lulus, dan evaluasi terisi. Sertifikat terbit otomatis begitu semua syarat terpenuhi.</p>"""

COLLECTION = """<h2>Kebijakan pengembangan koleksi</h2>
<p>Kebijakan pengembangan koleksi adalah dokumen tertulis yang menjadi pedoman pemilihan,
pengadaan, dan penyiangan bahan pustaka. Isinya antara lain:</p>
<ul><li>profil pemustaka dan kebutuhan informasinya;</li>
<li>cakupan subjek dan tingkat kedalaman koleksi;</li>
<li>kriteria seleksi, termasuk untuk sumber elektronik berlisensi;</li>
<li>penyiangan (<em>weeding</em>) dan pelestarian.</li></ul>"""

LITERACY = """<h2>Literasi informasi</h2>
<p>Model <strong>Big6</strong> membagi pemecahan masalah informasi menjadi enam langkah:
definisi tugas, strategi pencarian, lokasi dan akses, pemanfaatan, sintesis, dan evaluasi.
Gunakan model ini saat merancang kelas literasi untuk siswa.</p>"""


def _at(day_offset: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _handout() -> SimpleUploadedFile:
    """A two-page PDF handout, made here so the demo needs no file from outside."""
    register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, initialFontName=SANS)
    lines = [
        (SANS_BOLD, 18, "Modul 2 - Pengelolaan Koleksi Perpustakaan Sekolah"),
        (SANS, 12, "1. Seleksi dan pengadaan bahan pustaka"),
        (SANS, 12, "2. Pengolahan: katalogisasi, klasifikasi DDC, label dan kartu buku"),
        (SANS, 12, "3. Penyiangan dan inventarisasi (stock opname)"),
    ]
    y = 780
    for font, size, text in lines:
        draw_string(pdf, 60, y, text, font, size)
        y -= 30
    pdf.showPage()
    draw_string(
        pdf, 60, 780, "Latihan: susun kebijakan pengembangan koleksi untuk sekolah Anda.", SANS, 12
    )
    pdf.save()
    return SimpleUploadedFile("modul-2-koleksi.pdf", buffer.getvalue(), "application/pdf")


def seed(stdout) -> None:
    manager = User.objects.filter(email="program@sinergi.test").first()
    speakers = list(
        User.objects.filter(email__in=["narasumber@sinergi.test", "narasumber.unj@sinergi.test"])
    )
    if manager is None or len(speakers) < 2:
        return
    bank = QuestionBank.objects.filter(name=BANK_NAME).first()
    if bank is None:
        questions_import(
            format="gift", content=BANK_FILE.read_bytes(), actor=manager, bank_name=BANK_NAME
        )
        bank = QuestionBank.objects.get(name=BANK_NAME)
    built = 0
    for slug in ("pengelolaan-perpustakaan-sekolah", "otomasi-perpustakaan-slims"):
        program = Program.objects.filter(slug=slug).first()
        if program is not None and not program.modules.exists():
            _build_template(program=program, bank=bank, actor=manager)
            built += 1
    finished = Batch.objects.filter(code="PPS-2026-01").first()
    if finished is not None and not finished.modules.exists():
        content.curriculum_copy_to_batch(batch=finished, actor=manager)
        _schedule(finished, speakers, manager, first_day=-60)
        _run_finished_batch(finished, manager, speakers)
    for code, first_day in (("SLIMS-2026-01", 35), ("PPS-2026-02", 21)):
        batch = Batch.objects.filter(code=code).first()
        if batch is not None and not batch.modules.exists():
            content.curriculum_copy_to_batch(batch=batch, actor=manager)
            _schedule(batch, speakers, manager, first_day=first_day)
    stdout.write(f"Classroom: {built} curricula built, bank “{bank.name}”.")


def _category(bank, suffix: str) -> QuestionCategory:
    return QuestionCategory.objects.get(bank=bank, path__endswith=suffix)


def _slots(bank, suffix: str) -> list:
    """Every question of the category, fixed, in the bank's order (essays included)."""
    category = _category(bank, suffix)
    return [
        quizzes.SlotSpec(question=question)
        for question in category.questions.exclude(qtype="description").order_by("id")
    ]


def _build_template(*, program: Program, bank, actor) -> None:
    def module(title, description=""):
        return content.module_create(
            actor=actor, title=title, description=description, program=program
        )

    def item(module, kind, title, **fields):
        return content.item_create(module=module, kind=kind, actor=actor, title=title, **fields)

    opening = module("Orientasi", "Perkenalan, tata tertib, dan pre-test.")
    item(opening, ItemKind.PAGE, "Selamat datang dan tata tertib", body=WELCOME)
    pretest = item(opening, ItemKind.QUIZ, "Pre-test", bank=bank, role=QuizRole.PRETEST)
    quizzes.quiz_configure(
        actor=actor,
        item=pretest,
        role=QuizRole.PRETEST,
        bank=bank,
        slots=_slots(bank, "Pre-test"),
        time_limit_minutes=30,
        attempts_allowed=1,
        pass_mark=0,
        review=quizzes.ReviewOption.AFTER_CLOSE,
    )
    collection = module("Pengelolaan koleksi", "Kebijakan, pengolahan, dan penyiangan koleksi.")
    item(collection, ItemKind.SESSION, "Sesi 1: Kebijakan pengembangan koleksi", jp=2)
    item(
        collection,
        ItemKind.PAGE,
        "Bacaan: kebijakan pengembangan koleksi",
        body=COLLECTION,
        requires=pretest,
    )
    item(collection, ItemKind.FILE, "Modul 2 (PDF)", file=_handout())
    item(
        collection,
        ItemKind.VIDEO,
        "Video: pengolahan bahan pustaka",
        url="https://www.youtube.com/watch?v=aqz-KE-bpKQ",
    )
    service = module("Layanan dan literasi informasi")
    item(service, ItemKind.SESSION, "Sesi 2: Layanan dan literasi informasi", jp=2)
    item(service, ItemKind.PAGE, "Bacaan: model Big6", body=LITERACY)
    item(
        service,
        ItemKind.LINK,
        "Standar Nasional Perpustakaan (Perpusnas)",
        url="https://www.perpusnas.go.id/",
    )
    plan = item(service, ItemKind.ASSIGNMENT, "Rencana tindak lanjut (RTL)")
    assignments.assignment_update(
        assignment=plan.assignment,
        actor=actor,
        instructions=(
            "Tulis rencana tindak lanjut 1–2 halaman: satu perbaikan layanan atau koleksi di "
            "perpustakaan Anda, langkah-langkahnya, jadwal, dan ukuran keberhasilannya."
        ),
        allow_text=True,
        allow_file=True,
        due_at=None,
        late_policy="penalty",
        late_penalty_percent=10,
        max_score=100,
        pass_score=60,
        required=True,
    )
    assignments.rubric_set(
        assignment=plan.assignment,
        actor=actor,
        criteria=[("Relevansi dengan kebutuhan", 40), ("Kelayakan langkah", 40), ("Ukuran", 20)],
    )
    closing = module("Penutup", "Post-test dan evaluasi penyelenggaraan.")
    posttest = item(closing, ItemKind.QUIZ, "Post-test", bank=bank, role=QuizRole.POSTTEST)
    quizzes.quiz_configure(
        actor=actor,
        item=posttest,
        role=QuizRole.POSTTEST,
        bank=bank,
        slots=_slots(bank, "Post-test"),
        time_limit_minutes=45,
        attempts_allowed=2,
        pass_mark=70,
        review=quizzes.ReviewOption.AFTER_SUBMIT,
    )
    item(closing, ItemKind.SURVEY, "Evaluasi penyelenggaraan dan narasumber")


def _schedule(batch: Batch, speakers: list, actor, *, first_day: int) -> None:
    for index, session in enumerate(Session.objects.filter(batch=batch).order_by("id")):
        attendance.session_update(
            session=session,
            actor=actor,
            title=session.title,
            starts_at=_at(first_day + index, 9),
            jp=session.jp,
            speakers=[speakers[index % len(speakers)]],
            meeting_url=MEET,
        )
    quiz_items = Item.objects.filter(module__batch=batch, kind=ItemKind.QUIZ)
    for item in quiz_items.select_related("quiz"):
        quiz = item.quiz
        quiz.opens_at = _at(first_day - 7, 0) if quiz.role == QuizRole.PRETEST else None
        quiz.save(update_fields=["opens_at"])


def _answer_all(quiz, registration, *, correct: int, when: datetime, grader) -> None:
    """Take the quiz with the first `correct` questions right and the rest wrong or blank."""
    attempt = quizzes.attempt_start(quiz=quiz, registration=registration, now=when, seed=1)
    for slot in attempt.questions.select_related("question").prefetch_related("question__answers"):
        if slot.position >= correct:
            continue
        response = grading.correct_response(slot.question, list(slot.question.answers.all()))
        if slot.question.qtype == "essay":
            response = {"text": "Katalog daring memudahkan pemustaka menelusur koleksi."}
        if response is not None:
            quizzes.attempt_answer_save(
                attempt_id=attempt.pk,
                user=registration.user,
                position=slot.position,
                raw=response,
                now=when,
            )
    attempt = quizzes.attempt_submit(attempt=attempt, actor=registration.user, now=when)
    for slot in attempt.questions.filter(needs_grading=True):
        quizzes.essay_grade(
            actor=grader, attempt_question=slot, points=slot.max_points, comment="Baik."
        )


def _run_finished_batch(batch: Batch, manager, speakers: list) -> None:
    """Four completed, one failed the post-test, one never filled the evaluation."""
    registrations = list(
        batch.registrations.filter(state=RegistrationState.CONFIRMED).select_related("user")
    )
    sessions = list(Session.objects.filter(batch=batch).order_by("starts_at"))
    items = {item.kind + item.title: item for item in Item.objects.filter(module__batch=batch)}
    pretest = next(i.quiz for i in items.values() if i.kind == "quiz" and i.quiz.role == "pretest")
    posttest = next(
        i.quiz for i in items.values() if i.kind == "quiz" and i.quiz.role == "posttest"
    )
    plan = next(i.assignment for i in items.values() if i.kind == "assignment")
    survey = next(i.survey for i in items.values() if i.kind == "survey")
    total = posttest.slots.count()
    for index, registration in enumerate(registrations):
        _answer_all(pretest, registration, correct=3 + index % 4, when=_at(-61, 10), grader=manager)
        for number, session in enumerate(sessions):
            status = "late" if (index + number) % 5 == 0 else "present"
            attendance.attendance_mark(
                session=session, registration=registration, status=status, actor=manager
            )
        for item in items.values():
            if item.kind in ("page", "file", "video", "link"):
                content.item_complete_by_participant(item=item, registration=registration)
        submission = assignments.submission_submit(
            assignment=plan,
            registration=registration,
            text=(
                "Rencana: menata ulang koleksi fiksi dengan label warna dan membuka pojok baca "
                "di kelas dalam tiga bulan; diukur dari jumlah peminjaman per bulan."
            ),
            now=_at(-57, 20),
        )
        assignments.submission_grade(
            submission=submission,
            actor=speakers[index % len(speakers)],
            feedback="Rencana realistis; tambahkan anggaran.",
            rubric_points={
                criterion.pk: criterion.max_points * (70 + index * 5) // 100
                for criterion in plan.criteria.all()
            },
        )
        failed = index == 4
        _answer_all(
            posttest,
            registration,
            correct=max(1, total // 2) if failed else total - index % 3,
            when=_at(-56, 14),
            grader=manager,
        )
        if index != 5:
            data = {}
            for subject in surveys.survey_subjects(survey=survey):
                scope = "organisation" if subject.session is None else "speaker"
                for question in survey.questions.filter(scope=scope):
                    name = surveys.field_name(question, subject)
                    data[name] = (
                        str(4 + (index + question.pk) % 2)
                        if question.kind == "likert"
                        else ("Materi sangat aplikatif." if index % 2 else "")
                    )
            surveys.survey_submit(survey=survey, registration=registration, data=data)
        completion = completion_recompute(registration=registration)
        if completion is not None:  # completed back then, not at seeding time
            Completion.objects.filter(pk=completion.pk).update(completed_at=_at(-55, 16))
