"""The one place LTI hears from the classroom: finished attempts and completions become scores
for the gradebook of every partner's course the participant was launched from."""

from django.db.models import Q

from sinergi.learning.models import QuizRole

from .models import GradeLink, TargetKind
from .services import score_record
from .tasks import send_score


def _record_and_send(grade_links, *, timestamp, score, activity_progress) -> None:
    for grade_link in grade_links:
        recorded = score_record(
            grade_link=grade_link,
            timestamp=timestamp,
            score=score,
            activity_progress=activity_progress,
        )
        if recorded is not None:
            send_score.enqueue(score_id=recorded.pk)


def score_on_attempt(sender, *, attempt, **kwargs) -> None:
    """A quiz attempt is graded: its score goes to links of that quiz; a post-test's also to
    links of its batch (sent after commit)."""
    if attempt.score is None:
        return
    registration = attempt.registration
    targets = Q(link__target_kind=TargetKind.QUIZ, link__target_id=attempt.quiz.item_id)
    if attempt.quiz.role == QuizRole.POSTTEST:
        targets |= Q(link__target_kind=TargetKind.BATCH, link__target_id=registration.batch_id)
    links = GradeLink.objects.filter(targets, user_id=registration.user_id).select_related("link")
    for grade_link in links:
        progress = "Completed" if grade_link.link.target_kind == TargetKind.QUIZ else "Submitted"
        _record_and_send(
            [grade_link],
            timestamp=attempt.submitted_at,
            score=attempt.score,
            activity_progress=progress,
        )


def score_on_completion(sender, *, completion, **kwargs) -> None:
    """A participant completed a batch: the batch's links get the final score, completed."""
    registration = completion.registration
    links = GradeLink.objects.filter(
        user_id=registration.user_id,
        link__target_kind=TargetKind.BATCH,
        link__target_id=registration.batch_id,
    )
    score = completion.posttest_score if completion.posttest_score is not None else 100
    _record_and_send(
        links, timestamp=completion.completed_at, score=score, activity_progress="Completed"
    )
