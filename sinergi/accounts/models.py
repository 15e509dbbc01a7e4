from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.core.models import InstitutionType, Province


class Role(models.TextChoices):
    """The roles; each is a `Group` whose name is the slug."""

    PARTICIPANT = "participant", _("Participant")
    SPEAKER = "speaker", _("Speaker")
    PARTNER = "partner", _("Partner officer")
    PROGRAM_MANAGER = "program_manager", _("Program manager")
    FINANCE = "finance", _("Finance")
    COOPERATION_OFFICER = "cooperation_officer", _("Cooperation officer")
    LIBRARIAN = "librarian", _("Collection librarian")
    SERVICES_DESK = "services_desk", _("Services desk")
    HEAD = "head", _("Head of library")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = frozenset(
    {
        Role.PROGRAM_MANAGER,
        Role.FINANCE,
        Role.COOPERATION_OFFICER,
        Role.LIBRARIAN,
        Role.SERVICES_DESK,
        Role.HEAD,
        Role.ADMIN,
    }
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("email_verified_at", timezone.now())
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: logs in with e-mail; the profile fields are what certificates and reports need.

    NIP is the civil-servant number (18 digits). NIK, the national identity number, is never
    stored whole: only its masked form is kept.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(
        _("full name"),
        max_length=150,
        help_text=_("With academic titles, exactly as it must appear on certificates."),
    )
    institution_name = models.CharField(_("institution"), max_length=200, blank=True)
    institution_type = models.ForeignKey(
        InstitutionType,
        verbose_name=_("institution type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    position = models.CharField(_("position"), max_length=150, blank=True)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), null=True, blank=True, on_delete=models.PROTECT
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    nip = models.CharField(_("NIP"), max_length=18, blank=True)
    nik_masked = models.CharField(_("NIK (masked)"), max_length=16, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Whether the user can log into the Django admin site."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci",
                violation_error_message=_("An account with this e-mail address already exists."),
            )
        ]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        """Return the first name, skipping academic and religious titles ("Dr.", "Hj.")."""
        words = [w for w in self.full_name.split(",")[0].split() if not w.endswith(".")]
        return words[0] if words else (self.full_name or self.email)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginThrottle(models.Model):
    """Failed log-ins counted for one scope and key, and the pause they have earned.

    Scopes: an account from one address, an account from everywhere (except from browsers the
    person signed in with before), one address across all accounts, and one known browser.
    """

    class Scope(models.TextChoices):
        ACCOUNT_ADDRESS = "account_address", _("account from one address")
        ACCOUNT = "account", _("account")
        ADDRESS = "address", _("address")
        DEVICE = "device", _("known browser")

    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    key = models.CharField(_("key"), max_length=320)
    # The e-mail address the row counts against ("" for an address row): a reset lifts these.
    account = models.CharField(_("account"), max_length=254, blank=True, db_index=True)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    last_failure_at = models.DateTimeField(_("last failure"))
    paused_until = models.DateTimeField(_("paused until"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key"],
                name="accounts_loginthrottle_key",
                violation_error_message=_("This sign-in counter already exists."),
            )
        ]
        verbose_name = _("log-in throttle")
        verbose_name_plural = _("log-in throttles")

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} ({self.failures})"
