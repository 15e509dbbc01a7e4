"""The online classroom of a batch: content, sessions, attendance, question banks, quizzes,
assignments, evaluation surveys and completion.

A program's modules are its curriculum template; a batch gets its own copy (`Module.batch`), so
editing a running batch never changes a past one. Participants are the batch's confirmed
registrations (`training.Registration`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.training.models import Batch, Program, Registration

# Content ------------------------------------------------------------------------------------


class Module(models.Model):
    """A part of a curriculum: of a program (the template) or of a batch (its own copy)."""

    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="modules"
    )
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.CASCADE, related_name="modules"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.CheckConstraint(
                condition=Q(program__isnull=False, batch__isnull=True)
                | Q(program__isnull=True, batch__isnull=False),
                name="module_of_program_or_batch",
                violation_error_message=_(
                    "A module belongs either to a program or to a batch, not both."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.title


class ItemKind(models.TextChoices):
    PAGE = "page", _("Page")
    FILE = "file", _("File")
    VIDEO = "video", _("Video")
    LINK = "link", _("External link")
    SESSION = "session", _("Live session")
    QUIZ = "quiz", _("Quiz")
    ASSIGNMENT = "assignment", _("Assignment")
    SURVEY = "survey", _("Survey")


class Item(models.Model):
    """One ordered thing in a module. Quiz, assignment and survey settings hang off the item."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    body = models.TextField(_("text"), blank=True, help_text=_("Sanitised HTML."))
    file = models.FileField(_("file"), upload_to="learning/files/%Y/", blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    session = models.ForeignKey(
        "Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    jp = models.PositiveSmallIntegerField(
        _("length in JP"), default=0, help_text=_("For a live session in a template.")
    )
    available_from = models.DateTimeField(_("available from"), null=True, blank=True)
    requires = models.ForeignKey(
        "self",
        verbose_name=_("available after completing"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="unlocks",
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )

    class Meta:
        ordering = ["module__position", "position", "id"]
        verbose_name = _("item")
        verbose_name_plural = _("items")

    def __str__(self) -> str:
        return self.title


class ItemCompletion(models.Model):
    """A participant has done an item (read a page, attended, submitted ...)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="completions")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="item_completions"
    )
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "registration"],
                name="one_item_completion",
                violation_error_message=_("This item is already marked as done."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.item_id}"


# Sessions and attendance --------------------------------------------------------------------


class Session(models.Model):
    """A live session of a batch (online meeting or in a room), taught by speakers."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    jp = models.PositiveSmallIntegerField(_("length in JP"), default=1)
    speakers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("speakers"),
        blank=True,
        related_name="speaker_sessions",
    )
    meeting_url = models.URLField(_("meeting link"), max_length=500, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    checkin_code = models.CharField(_("check-in code"), max_length=8, blank=True)
    checkin_secret = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class CheckinMethod(models.TextChoices):
    CODE = "code", _("Short code")
    QR = "qr", _("QR code")
    STAFF = "staff", _("Marked by staff")


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(_("status"), max_length=10, choices=AttendanceStatus.choices)
    method = models.CharField(_("method"), max_length=10, choices=CheckinMethod.choices)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "registration"],
                name="one_attendance_per_session",
                violation_error_message=_(
                    "This participant's attendance of the session is already recorded."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.registration_id} {self.status}"


# Question banks -----------------------------------------------------------------------------


class QuestionBank(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")

    def __str__(self) -> str:
        return self.name


class QuestionCategory(models.Model):
    """A category in a bank; `path` is the full slash-separated name, as Moodle writes it."""

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="categories")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(_("name"), max_length=255)
    path = models.CharField(_("path"), max_length=1000)
    info = models.TextField(_("description"), blank=True)
    idnumber = models.CharField(_("ID number"), max_length=100, blank=True)
    # The Moodle context the category came from ("course", "module", "system" ...), written
    # back as `$context$/top/...` on export so a re-import lands where it came from.
    moodle_context = models.CharField(max_length=30, default="course", editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")
        constraints = [
            models.UniqueConstraint(
                fields=["bank", "path"],
                name="unique_category_path",
                violation_error_message=_(
                    "The question bank already has a category with this name."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.path


class QuestionType(models.TextChoices):
    MULTICHOICE = "multichoice", _("Multiple choice")
    TRUEFALSE = "truefalse", _("True/false")
    SHORTANSWER = "shortanswer", _("Short answer")
    NUMERICAL = "numerical", _("Numerical")
    MATCHING = "matching", _("Matching")
    ESSAY = "essay", _("Essay")
    DESCRIPTION = "description", _("Description")


class TextFormat(models.TextChoices):
    HTML = "html", "HTML"
    PLAIN = "plain", _("Plain text")
    MOODLE = "moodle", _("Moodle auto-format")
    MARKDOWN = "markdown", "Markdown"


class Question(models.Model):
    """A question in a bank. Type-specific settings live in `Answer` rows and `options`.

    multichoice: `single` says one answer or several; answers carry fractions (partial credit).
    truefalse: two answers, "true" and "false". shortanswer: accepted answers with fractions.
    numerical: answers with `tolerance`. matching: answers are pairs (`text` → `match`).
    essay and description have no answers.
    """

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="questions")
    category = models.ForeignKey(
        QuestionCategory, on_delete=models.PROTECT, related_name="questions"
    )
    qtype = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    name = models.CharField(_("name"), max_length=255)
    text = models.TextField(_("question text"))
    text_format = models.CharField(
        _("text format"), max_length=10, choices=TextFormat.choices, default=TextFormat.HTML
    )
    general_feedback = models.TextField(_("general feedback"), blank=True)
    default_mark = models.DecimalField(_("default mark"), max_digits=6, decimal_places=2, default=1)
    penalty = models.DecimalField(max_digits=8, decimal_places=7, default=0)
    single = models.BooleanField(_("one answer only"), default=True)
    shuffle_answers = models.BooleanField(_("shuffle answers"), default=True)
    case_sensitive = models.BooleanField(_("case sensitive"), default=False)
    options = models.JSONField(default=dict, blank=True)
    # The background import that brought the question, so a failed one can take back its chunks.
    import_job = models.ForeignKey(
        "QuestionImport",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category__path", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    READING = "reading", _("Reading the file")
    SAVING = "saving", _("Saving the questions")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Not imported")


class QuestionImport(models.Model):
    """A large GIFT or Moodle XML file imported by a background task, with its progress.

    The file waits in `content` (in the database, so a worker on another machine reads it) and
    is emptied when the import ends.
    """

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="imports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    format = models.CharField(max_length=20)
    filename = models.CharField(max_length=255, blank=True)
    content = models.BinaryField(blank=True)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    saved = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("question import")
        verbose_name_plural = _("question imports")

    def __str__(self) -> str:
        return f"{self.bank_id} {self.filename}"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        return round(100 * self.saved / self.total) if self.total else 0


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(_("answer"))
    text_format = models.CharField(
        max_length=10, choices=TextFormat.choices, default=TextFormat.PLAIN
    )
    fraction = models.DecimalField(_("grade"), max_digits=8, decimal_places=7, default=0)
    feedback = models.TextField(_("feedback"), blank=True)
    tolerance = models.FloatField(_("tolerance"), null=True, blank=True)
    match = models.TextField(_("matching answer"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class QuestionFile(models.Model):
    """An image or file embedded in a question (Moodle XML `<file encoding="base64">`)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    # The Moodle file area it belongs to (question text, an answer, a feedback, a hint ...).
    area = models.CharField(max_length=50, default="questiontext")
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["question", "area", "name"],
                name="unique_question_file_area",
                violation_error_message=_("The question already has a file with this name here."),
            )
        ]

    def __str__(self) -> str:
        return self.name


# Quizzes ------------------------------------------------------------------------------------


class QuizRole(models.TextChoices):
    PRETEST = "pretest", _("Pre-test")
    POSTTEST = "posttest", _("Post-test")
    QUIZ = "quiz", _("Quiz")


class ReviewOption(models.TextChoices):
    NONE = "none", _("Score only")
    AFTER_SUBMIT = "after_submit", _("Answers and feedback after submitting")
    AFTER_CLOSE = "after_close", _("Answers and feedback after the quiz closes")


class Quiz(models.Model):
    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="quiz")
    role = models.CharField(_("role"), max_length=10, choices=QuizRole.choices)
    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("question bank"), on_delete=models.PROTECT, related_name="+"
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), null=True, blank=True
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=1, help_text=_("0 = unlimited")
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_answers = models.BooleanField(_("shuffle answers"), default=True)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=70)
    review = models.CharField(
        _("review"), max_length=20, choices=ReviewOption.choices, default=ReviewOption.AFTER_SUBMIT
    )

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return self.item.title


class QuizSlot(models.Model):
    """A fixed question, or `count` questions drawn at random from a category."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="slots")
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.PROTECT)
    category = models.ForeignKey(QuestionCategory, null=True, blank=True, on_delete=models.PROTECT)
    count = models.PositiveSmallIntegerField(default=1)
    include_subcategories = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, category__isnull=True)
                | Q(question__isnull=True, category__isnull=False),
                name="slot_question_or_category",
                violation_error_message=_(
                    "A quiz slot holds either a question or a category, not both."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id}#{self.position}"


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    NEEDS_GRADING = "needs_grading", _("Waiting for grading")
    FINISHED = "finished", _("Finished")


class Attempt(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(
        _("state"), max_length=20, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    points = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["quiz", "registration", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "registration", "number"],
                name="unique_attempt_number",
                violation_error_message=_("This attempt number is already taken; try again."),
            ),
            models.UniqueConstraint(
                fields=["quiz", "registration"],
                condition=Q(state="in_progress"),
                name="one_open_attempt",
                violation_error_message=_("You already have an attempt in progress for this quiz."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id}: {self.registration_id} #{self.number}"


class AttemptQuestion(models.Model):
    """A question as drawn into an attempt, with the participant's saved response."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    max_points = models.DecimalField(max_digits=6, decimal_places=2)
    answer_order = models.JSONField(default=list, blank=True)
    response = models.JSONField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    needs_grading = models.BooleanField(default=False)
    grader_comment = models.TextField(blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"],
                name="unique_attempt_question_position",
                violation_error_message=_("Two questions of an attempt cannot share a position."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position}"


# Assignments --------------------------------------------------------------------------------


class LatePolicy(models.TextChoices):
    ACCEPT = "accept", _("Accept late work")
    PENALTY = "penalty", _("Accept with a penalty")
    REFUSE = "refuse", _("Refuse late work")


class Assignment(models.Model):
    """Written work (kertas kerja, rencana tindak lanjut) graded by a speaker or staff."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="assignment")
    instructions = models.TextField(_("instructions"), blank=True)
    allow_text = models.BooleanField(_("text answer"), default=True)
    allow_file = models.BooleanField(_("file upload"), default=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    late_policy = models.CharField(
        _("late work"), max_length=10, choices=LatePolicy.choices, default=LatePolicy.ACCEPT
    )
    late_penalty_percent = models.PositiveSmallIntegerField(_("late penalty (%)"), default=0)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=100)
    pass_score = models.PositiveSmallIntegerField(_("pass score"), default=60)
    required = models.BooleanField(_("required for completion"), default=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return self.item.title


class RubricCriterion(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(_("criterion"), max_length=200)
    max_points = models.PositiveSmallIntegerField(_("points"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class SubmissionState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    GRADED = "graded", _("Graded")


class Submission(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="submissions"
    )
    text = models.TextField(_("answer"), blank=True)
    file = models.FileField(_("file"), upload_to="learning/submissions/%Y/", blank=True)
    state = models.CharField(max_length=10, choices=SubmissionState.choices)
    submitted_at = models.DateTimeField(default=timezone.now)
    is_late = models.BooleanField(default=False)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    # The grader's score before a late penalty: what the grading form shows again.
    raw_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    rubric_points = models.JSONField(default=dict, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "registration"],
                name="one_submission_per_assignment",
                violation_error_message=_(
                    "This participant has already submitted this assignment."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.registration_id}"


# Evaluation surveys -------------------------------------------------------------------------


class Survey(models.Model):
    """The batch evaluation: questions about each speaker of each session and the organisation."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="survey")
    intro = models.TextField(_("introduction"), blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.item.title


class SurveyScope(models.TextChoices):
    SPEAKER = "speaker", _("Each speaker of each session")
    ORGANISATION = "organisation", _("The organisation of the batch")


class SurveyQuestionKind(models.TextChoices):
    LIKERT = "likert", _("Scale 1–5")
    COMMENT = "comment", _("Comment")


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    scope = models.CharField(_("about"), max_length=20, choices=SurveyScope.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyQuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    """That a participant filled a survey, and when. What they said is in `SurveyAnswer`,
    deliberately not linked to this row, so no one can tell who said what."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="survey_responses"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "registration"],
                name="one_survey_response",
                violation_error_message=_("You have already answered this survey."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.registration_id}"


class SurveyAnswer(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="survey_answers"
    )
    speaker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_answers_about",
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.question_id}"


# Completion ---------------------------------------------------------------------------------


class CompletionRules(models.Model):
    """What a participant of the batch must do to complete it. Without a row, the defaults
    below apply (the program's rules). `require_posttest_pass` asks for the post-test at its
    own pass mark; the tests chosen on the rules page are `CompletionTest` rows instead. Which
    assignments count is each assignment's `required` flag."""

    batch = models.OneToOneField(Batch, on_delete=models.CASCADE, related_name="completion_rules")
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"), default=80
    )
    require_posttest_pass = models.BooleanField(_("post-test passed"), default=True)
    require_assignments = models.BooleanField(_("required assignments passed"), default=True)
    require_survey = models.BooleanField(_("evaluation filled"), default=True)

    class Meta:
        verbose_name = _("completion rules")
        verbose_name_plural = _("completion rules")

    def __str__(self) -> str:
        return f"{self.batch_id}"


class CompletionTest(models.Model):
    """A test (pre-test, post-test or quiz) that must be passed with at least `pass_mark`."""

    rules = models.ForeignKey(CompletionRules, on_delete=models.CASCADE, related_name="tests")
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="completion_tests")
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"))

    class Meta:
        verbose_name = _("test required for completion")
        verbose_name_plural = _("tests required for completion")
        constraints = [
            models.UniqueConstraint(
                fields=["rules", "quiz"],
                name="one_completion_test_per_quiz",
                violation_error_message=_("This quiz is already one of the completion tests."),
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__lte=100),
                name="completion_test_pass_mark_percent",
                violation_error_message=_("The pass mark is at most 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id} ≥ {self.pass_mark}"


class Completion(models.Model):
    """A participant completed the batch. Created once; certificates are issued from it."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="completion"
    )
    completed_at = models.DateTimeField(default=timezone.now)
    posttest_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    attendance_percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")

    def __str__(self) -> str:
        return f"{self.registration_id}"
