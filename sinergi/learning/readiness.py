"""The classroom's items of a batch's readiness checklist (see training.readiness)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from sinergi.core.formatting import format_date_range
from sinergi.training.readiness import ReadinessItem

from .models import Quiz, QuizRole, Session
from .selectors.progress import rule_set_for


def _schedule_items(batch) -> list[ReadinessItem]:
    sessions = list(Session.objects.filter(batch=batch).prefetch_related("speakers"))
    fix = reverse("learning:session_list", args=[batch.pk])
    dates = format_date_range(batch.starts_on, batch.ends_on)
    if not sessions:
        schedule = ReadinessItem(
            "schedule", _("Schedule"), False, _("No sessions yet."), fix, order=10
        )
    else:
        unscheduled = [s.title for s in sessions if s.starts_at is None]
        outside = [
            s.title
            for s in sessions
            if s.starts_at and not (batch.starts_at <= s.starts_at and s.ends_at <= batch.ends_at)
        ]
        if unscheduled:
            detail, ok = _("Not scheduled: %(titles)s.") % {"titles": ", ".join(unscheduled)}, False
        elif outside:
            detail = _("Outside the batch's dates (%(dates)s): %(titles)s.") % {
                "dates": dates,
                "titles": ", ".join(outside),
            }
            ok = False
        else:
            detail = _("%(count)d sessions within %(dates)s.") % {
                "count": len(sessions),
                "dates": dates,
            }
            ok = True
        schedule = ReadinessItem("schedule", _("Schedule"), ok, detail, fix, order=10)
    missing = [s.title for s in sessions if not s.speakers.all() or not (s.meeting_url or s.place)]
    speakers = ReadinessItem(
        "sessions",
        _("Every session with a speaker and a link or place"),
        bool(sessions) and not missing,
        _("Missing a speaker, or a meeting link or place: %(titles)s.")
        % {"titles": ", ".join(missing)}
        if missing
        else "",
        fix,
        order=20,
    )
    return [schedule, speakers]


def _test_item(batch, role: str, label: str, *, blocking: bool, order: int) -> ReadinessItem:
    quiz = (
        Quiz.objects.filter(item__module__batch=batch, role=role)
        .select_related("item")
        .order_by("item__module__position", "item__position")
        .first()
    )
    if quiz is None:
        fix = reverse("learning:batch_curriculum", args=[batch.pk])
        return ReadinessItem(
            role, label, False, _("Add it to the curriculum."), fix, blocking, order
        )
    fix = reverse("learning:quiz_settings", args=[quiz.item_id])
    missing = []
    if not quiz.slots.exists():
        missing.append(_("questions"))
    if quiz.time_limit_minutes is None:
        missing.append(_("a time limit"))
    if missing:
        detail = _("%(title)s still needs %(missing)s.") % {
            "title": quiz.item.title,
            "missing": ", ".join(missing),
        }
        return ReadinessItem(role, label, False, detail, fix, blocking, order)
    detail = _("%(count)d questions, %(minutes)d minutes, pass mark %(mark)d.") % {
        "count": quiz.slots.count(),
        "minutes": quiz.time_limit_minutes,
        "mark": quiz.pass_mark,
    }
    return ReadinessItem(role, label, True, detail, fix, blocking, order)


def _rules_item(batch) -> ReadinessItem:
    rules = rule_set_for(batch)
    parts = [_("attendance ≥ %(n)d%%") % {"n": rules.min_attendance_percent}]
    parts += [
        _("%(test)s ≥ %(mark)d") % {"test": test.quiz.item.title, "mark": test.pass_mark}
        for test in rules.tests
    ]
    if rules.assignment_ids:
        parts.append(_("required assignments passed"))
    if rules.require_survey:
        parts.append(_("evaluation filled"))
    detail = ", ".join(parts)
    if not rules.saved:
        detail = _("Program defaults: %(rules)s.") % {"rules": detail}
    return ReadinessItem(
        "rules",
        _("Completion rules"),
        rules.saved,
        detail,
        reverse("learning:completion_rules", args=[batch.pk]),
        blocking=False,
        order=60,
    )


def classroom_readiness(batch) -> list[ReadinessItem]:
    return [
        *_schedule_items(batch),
        _test_item(batch, QuizRole.PRETEST, _("Pre-test"), blocking=False, order=30),
        _test_item(batch, QuizRole.POSTTEST, _("Post-test"), blocking=True, order=40),
        _rules_item(batch),
    ]
