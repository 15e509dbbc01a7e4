"""Admin: browse the classroom's rows. Attempts, attendance, answers and completions are written
by the services (they carry audit rows), so here they are read-only."""

from django.contrib import admin

from sinergi.core.admin import ReadOnlyAdmin

from .models import (
    Answer,
    Attempt,
    Attendance,
    Completion,
    Question,
    QuestionBank,
    QuestionCategory,
    Session,
    Submission,
)


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0


@admin.register(QuestionBank)
class QuestionBankAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(QuestionCategory)
class QuestionCategoryAdmin(admin.ModelAdmin):
    list_display = ["path", "bank"]
    list_filter = ["bank"]
    search_fields = ["path"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["name", "qtype", "category", "bank"]
    list_filter = ["qtype", "bank"]
    search_fields = ["name", "text"]
    inlines = [AnswerInline]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "batch", "starts_at", "jp"]
    list_filter = ["batch"]
    filter_horizontal = ["speakers"]


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ["quiz", "registration", "number", "state", "score"]
    list_filter = ["state"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["session", "registration", "status", "method", "checked_in_at"]
    list_filter = ["status"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "registration", "state", "score"]


@admin.register(Completion)
class CompletionAdmin(ReadOnlyAdmin):
    list_display = ["registration", "completed_at", "posttest_score", "attendance_percent"]
