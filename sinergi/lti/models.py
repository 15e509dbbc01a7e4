"""LTI 1.3: the platforms (partners' Moodle) that launch Sinergi, Sinergi's own signing keys,
the launches they made and the scores sent back to their gradebooks."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Platform(models.Model):
    """An LMS registered to launch Sinergi (one issuer + client id pair)."""

    name = models.CharField(_("name"), max_length=150)
    issuer = models.URLField(
        _("issuer"), max_length=300, help_text=_("The platform ID, e.g. https://lms.example.ac.id")
    )
    client_id = models.CharField(_("client ID"), max_length=255)
    auth_login_url = models.URLField(_("authentication request URL"), max_length=500)
    auth_token_url = models.URLField(_("access token URL"), max_length=500)
    jwks_url = models.URLField(_("public keyset URL"), max_length=500)
    trust_emails = models.BooleanField(
        _("the platform verifies e-mail addresses"),
        default=False,
        help_text=_(
            "Tick only when the platform confirms every account's e-mail address. Then a "
            "launch or a roster may match and create Sinergi accounts by e-mail."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "client_id"],
                name="lti_platform_client",
                violation_error_message=_(
                    "A platform with this issuer and client ID is already registered."
                ),
            )
        ]
        verbose_name = _("LTI platform")
        verbose_name_plural = _("LTI platforms")

    def __str__(self) -> str:
        return self.name


class Deployment(models.Model):
    """A deployment of Sinergi on a platform (Moodle: one per tool registration or site)."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(_("deployment ID"), max_length=255)

    class Meta:
        ordering = ["deployment_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "deployment_id"],
                name="lti_deployment_unique",
                violation_error_message=_(
                    "This deployment is already registered for the platform."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.deployment_id


class ToolKey(models.Model):
    """One of Sinergi's RSA signing keys. The private key is stored encrypted (Fernet, with a
    key derived from SECRET_KEY) and never shown; a retired key stays in the JWKS for a while so
    that what it signed can still be verified."""

    kid = models.CharField(max_length=64, unique=True)
    public_pem = models.TextField()
    private_encrypted = models.TextField()
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("tool key")
        verbose_name_plural = _("tool keys")

    def __str__(self) -> str:
        return self.kid


class LoginRequest(models.Model):
    """The state and nonce of one OIDC login initiation; used by at most one launch."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=64, unique=True)
    nonce = models.CharField(max_length=64, unique=True)
    target_link_uri = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.state


class PlatformAccount(models.Model):
    """The platform's user id (`sub`) of a Sinergi account."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="accounts")
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_accounts"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "subject"],
                name="lti_account_subject",
                violation_error_message=_(
                    "This platform account is already linked to a Sinergi account."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform_id}:{self.subject}"


class Context(models.Model):
    """A course on the platform, with its roster service (NRPS) when the platform offers one."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="contexts")
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="+")
    context_id = models.CharField(max_length=255)
    title = models.CharField(_("course"), max_length=255, blank=True)
    memberships_url = models.URLField(max_length=1000, blank=True)
    roster_read_at = models.DateTimeField(_("roster read"), null=True, blank=True)

    class Meta:
        ordering = ["title", "context_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "context_id"],
                name="lti_context_unique",
                violation_error_message=_("This course of the platform is already known."),
            )
        ]

    def __str__(self) -> str:
        return self.title or self.context_id


class TargetKind(models.TextChoices):
    BATCH = "batch", _("Batch classroom")
    QUIZ = "quiz", _("Quiz")
    EBOOK = "ebook", _("E-book")
    CERTIFICATE_CHECK = "certificate", _("Certificate check")


class ResourceLink(models.Model):
    """A placement of Sinergi in a course, what it opens, and its gradebook column (AGS)."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="links")
    context = models.ForeignKey(
        Context, null=True, blank=True, on_delete=models.SET_NULL, related_name="links"
    )
    resource_link_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    target_kind = models.CharField(max_length=12, choices=TargetKind.choices, blank=True)
    target_id = models.PositiveIntegerField(null=True, blank=True)
    lineitem_url = models.URLField(max_length=1000, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "resource_link_id"],
                name="lti_resource_link_unique",
                violation_error_message=_("This link of the platform is already known."),
            )
        ]

    def __str__(self) -> str:
        return self.title or self.resource_link_id


class GradeLink(models.Model):
    """A person launched through a resource link: their scores go to its line item."""

    link = models.ForeignKey(ResourceLink, on_delete=models.CASCADE, related_name="grade_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["link", "user"],
                name="lti_grade_link_unique",
                violation_error_message=_("This person already has a grade line for this link."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.link_id}:{self.subject}"


class ScoreState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ScorePost(models.Model):
    """One score for the platform's gradebook. Unique by its timestamp: a score is sent once."""

    grade_link = models.ForeignKey(GradeLink, on_delete=models.CASCADE, related_name="scores")
    timestamp = models.DateTimeField()
    score_given = models.DecimalField(max_digits=6, decimal_places=2)
    score_maximum = models.DecimalField(max_digits=6, decimal_places=2, default=100)
    activity_progress = models.CharField(max_length=20)
    grading_progress = models.CharField(max_length=20, default="FullyGraded")
    state = models.CharField(max_length=10, choices=ScoreState.choices, default=ScoreState.PENDING)
    tries = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # When a failed score is tried again (`lti.jobs.send_due_scores`); empty once given up.
    next_try_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["timestamp"]
        constraints = [
            models.UniqueConstraint(
                fields=["grade_link", "timestamp", "activity_progress"],
                name="lti_score_once_per_timestamp",
                violation_error_message=_("This score was already sent."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.grade_link_id}@{self.timestamp:%Y-%m-%dT%H:%M:%S}"


# --- Sinergi as a platform: external tools launched from a classroom ------------------------


class Tool(models.Model):
    """An external LTI 1.3 tool (e.g. a Perpusnas module in their LMS) Sinergi launches."""

    name = models.CharField(_("name"), max_length=150)
    client_id = models.CharField(_("client ID"), max_length=64, unique=True)
    deployment_id = models.CharField(_("deployment ID"), max_length=64)
    login_url = models.URLField(_("tool's login initiation URL"), max_length=500)
    redirect_urls = models.TextField(
        _("redirection URIs"), help_text=_("One per line: where the tool receives launches.")
    )
    target_link_uri = models.URLField(_("tool's launch URL"), max_length=500)
    jwks_url = models.URLField(_("tool's public keyset URL"), max_length=500, blank=True)
    custom = models.TextField(
        _("custom parameters"), blank=True, help_text=_("One name=value per line.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("external tool")
        verbose_name_plural = _("external tools")

    def __str__(self) -> str:
        return self.name

    def redirect_url_list(self) -> list[str]:
        return [line.strip() for line in self.redirect_urls.splitlines() if line.strip()]

    def custom_dict(self) -> dict[str, str]:
        pairs = (line.split("=", 1) for line in self.custom.splitlines() if "=" in line)
        return {name.strip(): value.strip() for name, value in pairs if name.strip()}


class ToolPlacement(models.Model):
    """A tool placed in a batch's classroom: the resource link its launches carry."""

    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="placements")
    batch = models.ForeignKey("training.Batch", on_delete=models.CASCADE, related_name="+")
    item = models.OneToOneField(
        "learning.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    resource_link_id = models.CharField(max_length=64, unique=True)
    # From the tool's deep-linking answer: where this item launches and its own parameters.
    target_link_uri = models.URLField(max_length=500, blank=True)
    custom = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["batch", "title"]

    def __str__(self) -> str:
        return self.title


class ToolScore(models.Model):
    """The latest score an external tool posted for a participant of its placement (AGS)."""

    placement = models.ForeignKey(ToolPlacement, on_delete=models.CASCADE, related_name="scores")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score_given = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    score_maximum = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    activity_progress = models.CharField(max_length=20)
    grading_progress = models.CharField(max_length=20)
    timestamp = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "user"],
                name="lti_tool_score_unique",
                violation_error_message=_(
                    "This person already has a score from this tool placement."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.placement_id}:{self.user_id}"

    @property
    def percent(self):
        if self.score_given is None or not self.score_maximum:
            return None
        return self.score_given * 100 / self.score_maximum
