"""XLSX exports of the classroom's reports (survey results, completion)."""

from django.utils.translation import gettext as _

from sinergi.core.spreadsheets import workbook_bytes


def _subject_label(subject) -> tuple[str, str]:
    if subject.session is None:
        return _("Organisation"), ""
    return subject.session.title, subject.speaker.full_name


def survey_results_xlsx(results) -> bytes:
    headers = [_("Session"), _("Speaker"), _("Question"), _("Answers"), _("Mean (1–5)")]
    headers += [str(value) for value in range(1, 6)]
    rows, comments = [], []
    for subject in results.subjects:
        session, speaker = _subject_label(subject)
        for question in subject.questions:
            if question.kind == "likert":
                rows.append(
                    [
                        session,
                        speaker,
                        question.text,
                        question.count,
                        question.mean,
                        *question.distribution,
                    ]
                )
            for comment in question.comments:
                comments.append([session, speaker, question.text, comment])
    return workbook_bytes(
        [
            (_("Ratings"), headers, rows),
            (_("Comments"), [_("Session"), _("Speaker"), _("Question"), _("Comment")], comments),
        ]
    )


def completion_xlsx(rows: list) -> bytes:
    headers = [
        _("Name"),
        _("Institution"),
        _("Attendance (%)"),
        _("Pre-test"),
        _("Post-test"),
        _("Learning gain"),
        _("Assignments passed"),
        _("Evaluation filled"),
        _("Completed"),
    ]
    return workbook_bytes([(_("Completion"), headers, rows)])
