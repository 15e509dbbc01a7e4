"""Reads of LTI: where a launch lands, what a teacher may deep-link, the staff page's rows."""

from dataclasses import dataclass

from django.conf import settings
from django.http import Http404
from django.urls import reverse

from sinergi.learning.models import Quiz
from sinergi.learning.selectors.access import classroom_get
from sinergi.library.models import Title
from sinergi.training.models import Batch, BatchStatus

from . import keys
from .models import Context, Platform, ResourceLink, ScorePost, TargetKind, ToolKey

LINKABLE_BATCHES = (BatchStatus.OPEN, BatchStatus.CLOSED, BatchStatus.RUNNING, BatchStatus.FINISHED)


@dataclass(frozen=True)
class Landing:
    url: str | None  # where to send the browser; None: show `batch` with a way to register
    batch: Batch | None = None


def landing_for(*, link: ResourceLink, user) -> Landing:
    """Return where a resource-link launch takes `user`: the chosen batch's classroom, quiz,
    e-book or the certificate check; the learning home when nothing was chosen."""
    kind, target = link.target_kind, link.target_id
    if kind == TargetKind.CERTIFICATE_CHECK:
        return Landing(reverse("certificates:verify"))
    if kind == TargetKind.EBOOK and target:
        return Landing(reverse("library:title_detail", args=[target]))
    if kind in (TargetKind.BATCH, TargetKind.QUIZ) and target:
        if kind == TargetKind.QUIZ:
            quiz = Quiz.objects.select_related("item__module").filter(item_id=target).first()
            batch_id = quiz.item.module.batch_id if quiz else None
        else:
            batch_id = target
        batch = Batch.objects.select_related("program").filter(pk=batch_id).first()
        if batch is None:
            return Landing(reverse("learning:home"))
        try:
            classroom_get(user=user, batch_id=batch.pk)
        except Http404:
            return Landing(None, batch=batch)
        if kind == TargetKind.QUIZ:
            return Landing(reverse("learning:quiz_detail", args=[batch.pk, target]))
        return Landing(reverse("learning:classroom", args=[batch.pk]))
    return Landing(reverse("learning:home"))


@dataclass(frozen=True)
class Choice:
    value: str
    title: str
    kind: str


def deep_link_choices() -> dict[str, list[Choice]]:
    """What a teacher may place in a course: batches, their quizzes, e-books, the check."""
    batches = list(
        Batch.objects.select_related("program")
        .filter(status__in=LINKABLE_BATCHES)
        .order_by("-starts_on")[:200]
    )
    quizzes = (
        Quiz.objects.select_related("item__module__batch__program")
        .filter(item__module__batch__in=batches)
        .order_by("item__module__batch__starts_on", "item__module__position", "item__position")
    )
    titles = Title.objects.filter(withdrawn=False).order_by("title")[:200]
    return {
        "batch": [Choice(f"batch:{b.pk}", str(b), TargetKind.BATCH) for b in batches],
        "quiz": [
            Choice(f"quiz:{q.item_id}", f"{q.item.title} — {q.item.module.batch}", TargetKind.QUIZ)
            for q in quizzes
        ],
        "ebook": [Choice(f"ebook:{t.pk}", t.title, TargetKind.EBOOK) for t in titles],
        "certificate": [
            Choice("certificate:", str(TargetKind.CERTIFICATE_CHECK.label), "certificate")
        ],
    }


def deep_link_choice_get(value: str) -> Choice | None:
    for choices in deep_link_choices().values():
        for choice in choices:
            if choice.value == value:
                return choice
    return None


def tool_urls() -> dict[str, str]:
    """The values a platform's administrator pastes into their LMS."""
    site = settings.SITE_URL
    return {
        "tool_url": site + reverse("lti:launch"),
        "login_url": site + reverse("lti:login"),
        "redirect_url": site + reverse("lti:launch"),
        "jwks_url": site + reverse("lti:jwks"),
        "deep_linking_url": site + reverse("lti:launch"),
    }


def platforms_for_staff():
    return Platform.objects.prefetch_related("deployments", "contexts").order_by("name")


def platform_get_for_staff(*, platform_id: int) -> Platform:
    platform = Platform.objects.filter(pk=platform_id).first()
    if platform is None:
        raise Http404
    return platform


def context_get_for_staff(*, context_id: int) -> Context:
    context = Context.objects.select_related("platform").filter(pk=context_id).first()
    if context is None:
        raise Http404
    return context


def keys_for_staff() -> list[ToolKey]:
    published = set(keys.published_keys().values_list("pk", flat=True))
    rows = list(ToolKey.objects.defer("private_encrypted")[:20])
    for row in rows:
        row.published = row.pk in published
    return rows


def recent_scores():
    return ScorePost.objects.select_related("grade_link__link", "grade_link__user").order_by(
        "-timestamp"
    )[:20]
