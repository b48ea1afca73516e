"""People, teams and departments: who does the work of every process."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import Area, Role, Theme

TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]


class Department(models.Model):
    """An organisational unit of the provider (e.g. 行政部, 市场部, 研发部), with a head."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_departments",
    )
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("itsm:department_detail", args=[self.pk])


class User(AbstractUser):
    """A person who uses the product; their roles are Django groups named after ``Role``."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    theme = models.CharField(_("theme"), max_length=10, choices=Theme.choices, default=Theme.AUTO)
    is_system = models.BooleanField(
        _("system account"),
        default=False,
        help_text=_("The account that acts for Celery tasks and management commands; it cannot log in."),
    )
    # Roles are groups: tracking them makes "who gave whom which role, when and why" part of the trail.
    history = HistoricalRecords(excluded_fields=["last_login", "password"], m2m_fields=["groups"])

    class Meta:
        ordering = ["username", "id"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="itsm_user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("itsm:user_detail", args=[self.pk])

    @property
    def role_names(self) -> list[str]:
        """The user's role values, cached per instance (groups are prefetched where lists need them)."""
        if not hasattr(self, "_role_names"):
            valid = set(Role.values)
            self._role_names = sorted(g.name for g in self.groups.all() if g.name in valid)
        return self._role_names

    def has_role(self, *roles: str) -> bool:
        return self.is_active and bool(set(roles) & set(self.role_names))

    @property
    def roles(self) -> list[Role]:
        return [Role(name) for name in self.role_names]


class Team(models.Model):
    """An assignment / support group: incidents and tasks are assigned to it, its lead answers for it."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="teams", blank=True
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("itsm:team_detail", args=[self.pk])


class Capability(models.Model):
    """Holder of process-wide permissions that belong to no single model (no table).

    ``itsm.access_<area>`` lets a role enter a process area; models add their own permissions.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = (
            *(
                (f"access_{area.value}", f"Can access the {area.value.replace('_', ' ')} area")
                for area in Area
            ),
            ("manage_people", "Can manage users, teams and departments"),
            ("view_all_records", "Can read every record (auditors)"),
        )
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    def get_absolute_url(self) -> str:
        return reverse("dashboard")


class Heartbeat(models.Model):
    """Last time a periodic job ran (bookkeeping: no history). The beat schedule records ``worker``."""

    name = models.CharField(max_length=64, unique=True)
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"

    def get_absolute_url(self) -> str:
        return reverse("healthz")


from .audit import AuditCheckpoint, AuditEntry  # noqa: E402, F401
from .notes import Attachment, Note  # noqa: E402, F401
from .notifications import Notification, NotificationPreference  # noqa: E402, F401
from .planned import PlannedActivity, PlannedOccurrence  # noqa: E402, F401
from .records import ReferenceSequence, TransitionLog  # noqa: E402, F401
from .saved_filters import SavedFilter  # noqa: E402, F401
