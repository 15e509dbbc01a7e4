"""The classroom's front door: the batches a person learns in, speaks in or runs."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from sinergi.training.models import Batch, BatchStatus, Registration, RegistrationState

from ..models import Session
from ..selectors.access import is_learning_reader


@login_required
def home(request):
    user = request.user
    registrations = (
        Registration.objects.filter(user=user, state=RegistrationState.CONFIRMED)
        .select_related("batch__program", "completion")
        .order_by("-batch__starts_on")
    )
    upcoming = (
        Session.objects.filter(
            Q(batch__registrations__user=user, batch__registrations__state="confirmed")
            | Q(speakers=user),
            ends_at__gte=timezone.now(),
        )
        .select_related("batch")
        .distinct()
        .order_by("starts_at")[:5]
    )
    speaking = Batch.objects.filter(sessions__speakers=user).select_related("program").distinct()
    # The speaker's own schedule: each session links to its page, where the check-in code is.
    speaker_sessions = list(
        Session.objects.filter(speakers=user)
        .exclude(ends_at__lt=timezone.now())
        .select_related("batch")
        .order_by("starts_at", "id")[:20]
    )
    managed = (
        Batch.objects.filter(
            status__in=[BatchStatus.OPEN, BatchStatus.CLOSED, BatchStatus.RUNNING]
        ).select_related("program")
        if is_learning_reader(user)
        else Batch.objects.none()
    )
    return render(
        request,
        "learning/home.html",
        {
            "registrations": registrations,
            "upcoming": upcoming,
            "speaking": speaking,
            "speaker_sessions": speaker_sessions,
            "speaking_session_ids": {session.pk for session in speaker_sessions},
            "managed": managed,
        },
    )


urlpatterns = [path("", home, name="home")]
