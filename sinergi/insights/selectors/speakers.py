"""Speakers: who may see which profile, invitation and session, and a speaker's own pages."""

from django.db.models import Prefetch, QuerySet

from sinergi.accounts.models import Role, User
from sinergi.accounts.selectors import user_has_role
from sinergi.learning.models import Session
from sinergi.learning.selectors.surveys import (
    speaker_rating_summary,
    survey_results,
    surveys_of_batch,
)
from sinergi.training.models import Batch, SpeakerProfile

from ..models import InvitationState, SessionInvitation, SessionMaterial

SPEAKER_MANAGERS = (Role.PROGRAM_MANAGER, Role.FINANCE)
SPEAKER_READERS = (Role.PROGRAM_MANAGER, Role.FINANCE, Role.HEAD)


def may_manage_speakers(user) -> bool:
    return user_has_role(user, *SPEAKER_MANAGERS)


def may_read_speakers(user) -> bool:
    return user_has_role(user, *SPEAKER_READERS)


def is_speaker(user) -> bool:
    """Whether `user` holds the speaker role itself (an admin passes role checks, but has no
    schedule or statement of their own)."""
    return user.groups.filter(name=Role.SPEAKER).exists()


def speakers_list() -> QuerySet[User]:
    """Every user with the speaker role, with their profile and class (one query)."""
    return (
        User.objects.filter(groups__name=Role.SPEAKER)
        .select_related("speaker_profile__honorarium_class")
        .order_by("full_name")
        .distinct()
    )


def speaker_get_for_user(*, speaker_id: int, user) -> User:
    """Return a speaker staff may read, or the speaker themselves; DoesNotExist otherwise."""
    speakers = speakers_list()
    if not may_read_speakers(user):
        speakers = speakers.filter(pk=user.pk)
    return speakers.get(pk=speaker_id)


def profile_of(user: User) -> SpeakerProfile | None:
    return SpeakerProfile.objects.filter(user=user).select_related("honorarium_class").first()


def sessions_of_speaker(*, speaker: User) -> QuerySet[Session]:
    """The sessions `speaker` teaches, soonest first, with their batch and materials."""
    return (
        Session.objects.filter(speakers=speaker)
        .select_related("batch__program")
        .prefetch_related(
            Prefetch(
                "materials",
                queryset=SessionMaterial.objects.filter(speaker=speaker).select_related("item"),
            )
        )
        .order_by("starts_at", "id")
    )


def sessions_of_batch(*, batch: Batch) -> QuerySet[Session]:
    """The batch's sessions in order, with their speakers and invitations (three queries)."""
    return (
        Session.objects.filter(batch=batch)
        .prefetch_related("speakers", "invitations__speaker")
        .order_by("starts_at", "id")
    )


def session_get_for_speaker(*, session_id: int, speaker: User) -> Session:
    return Session.objects.select_related("batch").get(pk=session_id, speakers=speaker)


def session_get_for_manager(*, session_id: int, user) -> Session:
    if not user_has_role(user, Role.PROGRAM_MANAGER):
        raise Session.DoesNotExist
    return Session.objects.select_related("batch__program").get(pk=session_id)


def invitations_of_speaker(*, speaker: User) -> QuerySet[SessionInvitation]:
    return SessionInvitation.objects.filter(speaker=speaker).select_related(
        "session__batch__program", "invited_by"
    )


def invitation_get_for_speaker(*, invitation_id: int, speaker: User) -> SessionInvitation:
    return invitations_of_speaker(speaker=speaker).get(pk=invitation_id)


def invitations_of_session(*, session: Session) -> QuerySet[SessionInvitation]:
    return SessionInvitation.objects.filter(session=session).select_related("speaker")


def pending_invitations(*, speaker: User) -> QuerySet[SessionInvitation]:
    return invitations_of_speaker(speaker=speaker).filter(state=InvitationState.PENDING)


def evaluations_of_speaker(*, speaker: User) -> list[dict]:
    """Per batch the speaker taught: the mean rating and the aggregated results about them.

    Learning's selectors keep anonymity: too few responses and nothing is shown.
    """
    batches = (
        Batch.objects.filter(sessions__speakers=speaker)
        .select_related("program")
        .distinct()
        .order_by("-starts_on")
    )
    return [
        {
            "batch": batch,
            "mean": speaker_rating_summary(batch=batch, speaker=speaker),
            "results": [
                survey_results(survey=survey, speaker=speaker)
                for survey in surveys_of_batch(batch=batch)
            ],
        }
        for batch in batches
    ]
