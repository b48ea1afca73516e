"""Models of configuration management (ISO/IEC 20000-1 clause 9.1).

The CMDB: CI types with their documented definition, configuration items with a lifecycle,
typed relationships between CIs (and from CIs to catalogue services), baselines and CMDB audits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from itsm.records import Record

from .attributes import validate_schema
from .choices import (
    ACTIVE_STATES,
    AuditVerdict,
    BaselineState,
    CIState,
    CMDBAuditState,
    ImpactDirection,
    Importance,
    LicenceModel,
    SampleReason,
)

color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


class RelationshipType(models.Model):
    """A kind of directed link between CIs, e.g. "runs on" (inverse "hosts").

    ``acyclic`` types refuse a link that would close a cycle; ``propagates_impact`` says whether a
    failure travels along the link in impact analysis, and ``impact_direction`` which way.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True, help_text=_('e.g. "runs on"'))
    inverse_name = models.CharField(_("inverse name"), max_length=80, help_text=_('e.g. "hosts"'))
    description = models.TextField(_("description"), blank=True)
    acyclic = models.BooleanField(
        _("no cycles"), default=True, help_text=_("Refuse a link of this type that would close a loop.")
    )
    propagates_impact = models.BooleanField(
        _("propagates impact"),
        default=True,
        help_text=_("A failure or change at one end affects the other end."),
    )
    impact_direction = models.CharField(
        _("impact direction"),
        max_length=10,
        choices=ImpactDirection.choices,
        default=ImpactDirection.TO_SOURCE,
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("relationship type")
        verbose_name_plural = _("relationship types")
        constraints = [
            models.CheckConstraint(
                condition=Q(impact_direction__in=ImpactDirection.values),
                name="configuration_reltype_impact_direction_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("configuration:relationshiptype_detail", args=[self.pk])


class CIType(models.Model):
    """The documented definition of a kind of configuration item (clause 9.1).

    It says which attributes a CI of this type records (``attribute_schema``), whether the type is
    under change control (a live CI then changes only with an RFC reference), which relationship
    types a CI of this type may start, and how its CIs are named.

    ``attribute_schema`` is a list of ``{"key", "label", "type", "required", "choices",
    "reference_type", "help"}`` with ``type`` one of text, number, date, choice, reference.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(
        _("definition"), help_text=_("What a CI of this type is, what it covers and where its boundary lies.")
    )
    attribute_schema = models.JSONField(_("attribute schema"), default=list, blank=True)
    change_controlled = models.BooleanField(
        _("under change control"),
        default=False,
        help_text=_("Live CIs of this type change only with an approved RFC reference."),
    )
    naming_rule = models.CharField(
        _("naming rule (regular expression)"),
        max_length=200,
        blank=True,
        help_text=_("Names of new CIs must match it, e.g. ^srv-[a-z0-9-]+$"),
    )
    naming_rule_help = models.CharField(
        _("naming rule explained"), max_length=200, blank=True, help_text=_("Shown to people who name a CI.")
    )
    allowed_relationship_types = models.ManyToManyField(
        RelationshipType,
        verbose_name=_("allowed relationship types"),
        related_name="ci_types",
        blank=True,
        help_text=_("Relationships a CI of this type may start."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("type owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    icon = models.CharField(_("icon"), max_length=40, blank=True, help_text=_("A Bootstrap icon name."))
    color = models.CharField(_("colour"), max_length=7, blank=True, validators=[color_validator])
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[allowed_relationship_types])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("CI type")
        verbose_name_plural = _("CI types")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("configuration:citype_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        schema_errors = validate_schema(self.attribute_schema)
        if schema_errors:
            errors["attribute_schema"] = schema_errors
        if self.naming_rule:
            try:
                re.compile(self.naming_rule)
            except re.error as exc:
                errors["naming_rule"] = _("Not a valid regular expression: %(error)s") % {"error": exc}
        if errors:
            raise ValidationError(errors)

    @property
    def attributes(self) -> list[dict[str, Any]]:
        return list(self.attribute_schema or [])

    def name_matches(self, name: str) -> bool:
        return not self.naming_rule or re.search(self.naming_rule, name) is not None


def _no_live_dependants(ci: Any) -> bool:
    return not ci.live_dependants().exists()


class ConfigurationItem(Record):
    """A configuration item: an element controlled in order to deliver services (clause 9.1, 3.3).

    Lifecycle: planned → in build → in test → live ↔ maintenance → retired → disposed. A CI of a
    change-controlled type changes only with an RFC reference once it is live (checked by the
    services); it is retired only when no live CI depends on it.
    """

    reference_prefix = "CI"

    name = models.CharField(_("name"), max_length=200)
    ci_type = models.ForeignKey(
        CIType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="configuration_items"
    )
    description = models.TextField(_("description"), blank=True)
    state = FSMField(
        _("state"), max_length=20, choices=CIState.choices, default=CIState.PLANNED, protected=True
    )
    version = models.CharField(_("version"), max_length=60, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_configuration_items",
    )
    team = models.ForeignKey(
        "itsm.Team",
        verbose_name=_("support team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="configuration_items",
    )
    supplier_reference = models.CharField(_("supplier"), max_length=200, blank=True)
    contract_reference = models.CharField(_("contract"), max_length=200, blank=True)
    importance = models.CharField(
        _("importance"), max_length=10, choices=Importance.choices, default=Importance.MEDIUM
    )
    asset_tag = models.CharField(_("asset tag"), max_length=60, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    licence_model = models.CharField(
        _("licence model"), max_length=20, choices=LicenceModel.choices, default=LicenceModel.NONE
    )
    licence_quantity = models.PositiveIntegerField(_("licences held"), null=True, blank=True)
    licence_expires_on = models.DateField(_("licence expires"), null=True, blank=True)
    licence_notes = models.TextField(_("licence details"), blank=True)
    rfc_reference = models.CharField(
        _("RFC"),
        max_length=40,
        blank=True,
        help_text=_("The approved request for change behind the latest change of a controlled CI."),
    )
    disposal_note = models.TextField(
        _("disposal record"), blank=True, help_text=_("How data, licences and hardware were disposed of.")
    )
    last_verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")
        indexes = [
            models.Index(fields=["state", "reference"], name="configuration_ci_state"),
            models.Index(fields=["ci_type", "reference"], name="configuration_ci_type"),
            models.Index(fields=["importance", "reference"], name="configuration_ci_importance"),
            models.Index(fields=["name", "id"], name="configuration_ci_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "ci_type",
                condition=~Q(state__in=[CIState.RETIRED, CIState.DISPOSED]),
                name="configuration_ci_name_unique_per_type",
                violation_error_message=_("Another CI of this type already has this name."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=CIState.values), name="configuration_ci_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(importance__in=Importance.values), name="configuration_ci_importance_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=CIState.DISPOSED) | ~Q(disposal_note=""),
                name="configuration_ci_disposed_has_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("configuration:ci_detail", args=[self.pk])

    def clean(self) -> None:
        from .attributes import attribute_label, validate_attributes

        if self.ci_type_id is None:
            return
        errors: dict[str, Any] = {}
        if self._state.adding and self.name and not self.ci_type.name_matches(self.name):
            errors["name"] = self.ci_type.naming_rule_help or _(
                "The name does not follow the naming rule of the type (%(rule)s)."
            ) % {"rule": self.ci_type.naming_rule}
        # The unique constraint depends on the protected state, which validation leaves out: check here.
        if self.name and self.state not in (CIState.RETIRED, CIState.DISPOSED):
            clash = (
                ConfigurationItem.objects.filter(ci_type_id=self.ci_type_id, name__iexact=self.name)
                .exclude(state__in=[CIState.RETIRED, CIState.DISPOSED])
                .exclude(pk=self.pk)
            )
            if clash.exists():
                errors["name"] = _("Another CI of this type already has this name.")
        cleaned, attribute_errors = validate_attributes(self.ci_type.attributes, self.attributes or {})
        if attribute_errors:
            schema = self.ci_type.attributes
            errors["attributes"] = [
                f"{attribute_label(schema, key)}: {message}" if key else message
                for key, message in attribute_errors.items()
            ]
        else:
            self.attributes = cleaned
        if errors:
            raise ValidationError(errors)

    @property
    def is_controlled(self) -> bool:
        return bool(self.ci_type.change_controlled)

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    def live_dependants(self) -> models.QuerySet[ConfigurationItem]:
        """CIs in live or maintenance that depend directly on this one (through impact links)."""
        to_source = Q(
            outgoing_relationships__target=self,
            outgoing_relationships__relationship_type__propagates_impact=True,
            outgoing_relationships__relationship_type__impact_direction__in=[
                ImpactDirection.TO_SOURCE,
                ImpactDirection.BOTH,
            ],
        )
        to_target = Q(
            incoming_relationships__source=self,
            incoming_relationships__relationship_type__propagates_impact=True,
            incoming_relationships__relationship_type__impact_direction__in=[
                ImpactDirection.TO_TARGET,
                ImpactDirection.BOTH,
            ],
        )
        return (
            ConfigurationItem.objects.filter(to_source | to_target, state__in=ACTIVE_STATES)
            .exclude(pk=self.pk)
            .distinct()
        )

    # Lifecycle: guards and in-memory changes only; the services check the RFC of controlled types.

    @transition(field=state, source=CIState.PLANNED, target=CIState.IN_BUILD)
    def start_build(self) -> None:
        """Building or procuring the CI has started."""

    @transition(field=state, source=CIState.IN_BUILD, target=CIState.IN_TEST)
    def start_test(self) -> None:
        """The CI is built and under test."""

    @transition(field=state, source=CIState.IN_TEST, target=CIState.IN_BUILD)
    def return_to_build(self) -> None:
        """The test found defects: back to build."""

    @transition(field=state, source=CIState.IN_TEST, target=CIState.LIVE)
    def go_live(self, *, rfc_reference: str = "") -> None:
        self.rfc_reference = rfc_reference or self.rfc_reference

    @transition(field=state, source=CIState.LIVE, target=CIState.MAINTENANCE)
    def start_maintenance(self, *, rfc_reference: str = "") -> None:
        self.rfc_reference = rfc_reference or self.rfc_reference

    @transition(field=state, source=CIState.MAINTENANCE, target=CIState.LIVE)
    def end_maintenance(self, *, rfc_reference: str = "") -> None:
        self.rfc_reference = rfc_reference or self.rfc_reference

    @transition(
        field=state,
        source=[CIState.PLANNED, CIState.IN_BUILD, CIState.IN_TEST, CIState.LIVE, CIState.MAINTENANCE],
        target=CIState.RETIRED,
        conditions=[_no_live_dependants],
    )
    def retire(self, *, rfc_reference: str = "") -> None:
        self.rfc_reference = rfc_reference or self.rfc_reference

    @transition(field=state, source=CIState.RETIRED, target=CIState.DISPOSED)
    def dispose(self, *, disposal_note: str) -> None:
        self.disposal_note = disposal_note


_known_labels: ContextVar[dict[tuple[str, Any], str] | None] = ContextVar("relationship_labels", default=None)


@contextmanager
def relationship_labels(labels: dict[tuple[str, Any], str]) -> Iterator[None]:
    """While active, ``str(relationship)`` takes the names of its ends (``("ci", pk)``, ``("service",
    pk)``, ``("component", pk)``) and of its type (``("type", pk)``) from ``labels`` instead of querying
    them: for writing many rows at once."""
    token = _known_labels.set(labels)
    try:
        yield
    finally:
        _known_labels.reset(token)


class Relationship(models.Model):
    """A typed, directed link from a CI to another CI, or to a catalogue service or service component.

    Exactly one target is set. ``relationship_type.impact_direction`` says which end depends on the
    other; a link to a service or component usually means "the service depends on this CI".
    """

    source = models.ForeignKey(
        ConfigurationItem,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="outgoing_relationships",
    )
    relationship_type = models.ForeignKey(
        RelationshipType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="relationships"
    )
    target = models.ForeignKey(
        ConfigurationItem,
        verbose_name=_("target CI"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_relationships",
    )
    target_service = models.ForeignKey(
        "service_levels.Service",
        verbose_name=_("target service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ci_relationships",
    )
    target_component = models.ForeignKey(
        "service_levels.ServiceComponent",
        verbose_name=_("target service component"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ci_relationships",
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    rfc_reference = models.CharField(
        _("RFC"),
        max_length=40,
        blank=True,
        help_text=_("The approved request for change behind a link from a controlled, live CI."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["source_id", "relationship_type_id", "target_id", "id"]
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        indexes = [
            models.Index(fields=["target", "relationship_type"], name="configuration_rel_target"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "relationship_type"],
                condition=Q(target__isnull=False),
                name="configuration_rel_unique_ci_link",
                violation_error_message=_("This relationship already exists."),
            ),
            models.UniqueConstraint(
                fields=["source", "target_service", "relationship_type"],
                condition=Q(target_service__isnull=False),
                name="configuration_rel_unique_service_link",
                violation_error_message=_("This relationship already exists."),
            ),
            models.UniqueConstraint(
                fields=["source", "target_component", "relationship_type"],
                condition=Q(target_component__isnull=False),
                name="configuration_rel_unique_component_link",
                violation_error_message=_("This relationship already exists."),
            ),
            models.CheckConstraint(condition=~Q(source=F("target")), name="configuration_rel_no_self_link"),
            models.CheckConstraint(
                condition=(
                    Q(target__isnull=False, target_service__isnull=True, target_component__isnull=True)
                    | Q(target__isnull=True, target_service__isnull=False, target_component__isnull=True)
                    | Q(target__isnull=True, target_service__isnull=True, target_component__isnull=False)
                ),
                name="configuration_rel_exactly_one_target",
                violation_error_message=_(
                    "Choose exactly one target: a CI, a service or a service component."
                ),
            ),
        ]

    def __str__(self) -> str:
        labels = _known_labels.get()
        if labels is not None:
            # Bulk writers (the demo loader) name the ends without a query per row.
            source = labels.get(("ci", self.source_id)) or str(self.source)
            kind = labels.get(("type", self.relationship_type_id)) or str(self.relationship_type)
            end = (
                ("ci", self.target_id)
                if self.target_id
                else ("service", self.target_service_id)
                if self.target_service_id
                else ("component", self.target_component_id)
            )
            target = labels.get(end) or self.target_display
            return f"{source} {kind} {target}"
        return f"{self.source} {self.relationship_type} {self.target_display}"

    def get_absolute_url(self) -> str:
        return reverse("configuration:ci_detail", args=[self.source_id]) + "?tab=relationships"

    @property
    def target_object(self) -> Any:
        """The CI, service or service component at the other end."""
        if self.target_id:
            return self.target
        if self.target_service_id:
            return self.target_service
        return self.target_component

    @property
    def target_display(self) -> str:
        target = self.target_object
        return str(target) if target is not None else ""

    def clean(self) -> None:
        if self.source_id is not None and self.source_id == self.target_id:
            raise ValidationError({"target": _("A CI cannot be related to itself.")})
        targets = [self.target_id, self.target_service_id, self.target_component_id]
        if sum(t is not None for t in targets) != 1:
            raise ValidationError(_("Choose exactly one target: a CI, a service or a service component."))


class Baseline(Record):
    """A named, frozen snapshot of a set of CIs with their attributes, versions and relationships.

    Lifecycle: draft → taken → superseded. While a draft it names its scope; taking it freezes one
    ``BaselineItem`` per CI in scope. Releases require a taken baseline before deployment.
    """

    reference_prefix = "BL"

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    scope = models.TextField(_("scope"), blank=True, help_text=_("What the baseline covers and why."))
    scope_filter = models.JSONField(
        _("scope filter"),
        default=dict,
        blank=True,
        help_text=_("The CI list filters that select the CIs in scope when the baseline is taken."),
    )
    state = FSMField(
        _("state"), max_length=20, choices=BaselineState.choices, default=BaselineState.DRAFT, protected=True
    )
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("configuration baseline")
        verbose_name_plural = _("configuration baselines")
        constraints = [
            models.CheckConstraint(
                condition=Q(state=BaselineState.DRAFT) | Q(taken_at__isnull=False, taken_by__isnull=False),
                name="configuration_baseline_taken_has_time_and_person",
            ),
            models.CheckConstraint(
                condition=~Q(superseded_by=F("id")), name="configuration_baseline_not_superseded_by_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("configuration:baseline_detail", args=[self.pk])

    @transition(field=state, source=BaselineState.DRAFT, target=BaselineState.TAKEN)
    def take(self, *, by: Any, at: Any) -> None:
        self.taken_by = by
        self.taken_at = at

    @transition(field=state, source=BaselineState.TAKEN, target=BaselineState.SUPERSEDED)
    def supersede(self, *, by_baseline: Baseline | None = None) -> None:
        self.superseded_by = by_baseline


class BaselineItem(models.Model):
    """One CI frozen in a baseline: its fields, attributes, version and relationships at that time.

    Written once when the baseline is taken and never changed (no history of its own: the baseline's
    history and the audit trail record the taking).
    """

    baseline = models.ForeignKey(
        Baseline, verbose_name=_("baseline"), on_delete=models.CASCADE, related_name="items"
    )
    ci = models.ForeignKey(
        ConfigurationItem, verbose_name=_("CI"), on_delete=models.PROTECT, related_name="baseline_items"
    )
    ci_reference = models.CharField(_("CI reference"), max_length=20)
    version = models.CharField(_("version"), max_length=60, blank=True)
    snapshot = models.JSONField(
        _("snapshot"),
        default=dict,
        help_text=_("The CI's fields, attributes and relationships when the baseline was taken."),
    )

    class Meta:
        ordering = ["baseline_id", "ci_reference", "id"]
        verbose_name = _("baseline item")
        verbose_name_plural = _("baseline items")
        constraints = [
            models.UniqueConstraint(fields=["baseline", "ci"], name="configuration_baseline_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.baseline.reference}: {self.ci_reference}"

    def get_absolute_url(self) -> str:
        return reverse("configuration:baseline_detail", args=[self.baseline_id])


class CMDBAudit(Record):
    """A CMDB audit (clause 9.1: the CMDB is audited at planned intervals).

    Lifecycle: planned → in progress → completed. The sample holds every critical CI plus a random
    share (``sample_percent``, at least ``sample_minimum``); the auditor verifies each and may not own
    the CIs they verify. Completing it records the accuracy rate.
    """

    reference_prefix = "CMA"

    title = models.CharField(_("title"), max_length=200)
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("auditor"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    planned_for = models.DateField(_("planned for"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    sample_percent = models.PositiveSmallIntegerField(
        _("random share (%)"), default=5, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    sample_minimum = models.PositiveIntegerField(_("minimum sample size"), default=25)
    include_critical = models.BooleanField(_("always include critical CIs"), default=True)
    random_seed = models.PositiveIntegerField(
        _("random seed"), null=True, blank=True, help_text=_("Makes the random share reproducible.")
    )
    state = FSMField(
        _("state"),
        max_length=20,
        choices=CMDBAuditState.choices,
        default=CMDBAuditState.PLANNED,
        protected=True,
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    accuracy = models.DecimalField(
        _("accuracy (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    report = models.TextField(_("report"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("CMDB audit")
        verbose_name_plural = _("CMDB audits")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="configuration_cmdbaudit_period_order"
            ),
            models.CheckConstraint(
                condition=Q(sample_percent__lte=100), name="configuration_cmdbaudit_sample_percent"
            ),
            models.CheckConstraint(
                condition=Q(accuracy__isnull=True) | Q(accuracy__gte=0, accuracy__lte=100),
                name="configuration_cmdbaudit_accuracy_range",
            ),
            models.CheckConstraint(
                condition=~Q(state=CMDBAuditState.COMPLETED)
                | Q(accuracy__isnull=False, completed_at__isnull=False),
                name="configuration_cmdbaudit_completed_has_accuracy",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("configuration:cmdbaudit_detail", args=[self.pk])

    @transition(field=state, source=CMDBAuditState.PLANNED, target=CMDBAuditState.IN_PROGRESS)
    def start(self, *, at: Any) -> None:
        self.started_at = at

    @transition(field=state, source=CMDBAuditState.IN_PROGRESS, target=CMDBAuditState.COMPLETED)
    def complete(self, *, at: Any, accuracy: Any, report: str = "") -> None:
        self.completed_at = at
        self.accuracy = accuracy
        self.report = report or self.report


class CMDBAuditItem(models.Model):
    """One sampled CI in a CMDB audit and the auditor's verdict on it.

    A discrepancy carries a note, and is either corrected in the CMDB or raised as an RFC.
    """

    audit = models.ForeignKey(
        CMDBAudit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="items"
    )
    ci = models.ForeignKey(
        ConfigurationItem, verbose_name=_("CI"), on_delete=models.PROTECT, related_name="audit_items"
    )
    sample_reason = models.CharField(
        _("why sampled"), max_length=10, choices=SampleReason.choices, default=SampleReason.RANDOM
    )
    verdict = models.CharField(
        _("verdict"), max_length=12, choices=AuditVerdict.choices, default=AuditVerdict.PENDING
    )
    note = models.TextField(_("note"), blank=True)
    corrected = models.BooleanField(_("corrected in the CMDB"), default=False)
    rfc_reference = models.CharField(_("RFC raised"), max_length=40, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["audit_id", "id"]
        verbose_name = _("CMDB audit item")
        verbose_name_plural = _("CMDB audit items")
        constraints = [
            models.UniqueConstraint(fields=["audit", "ci"], name="configuration_cmdbaudit_item_unique"),
            models.CheckConstraint(
                condition=~Q(verdict=AuditVerdict.DISCREPANCY) | ~Q(note=""),
                name="configuration_cmdbaudit_item_discrepancy_has_note",
            ),
            models.CheckConstraint(
                condition=Q(verdict=AuditVerdict.PENDING)
                | Q(verified_at__isnull=False, verified_by__isnull=False),
                name="configuration_cmdbaudit_item_verified_has_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.audit.reference}: {self.ci} ({self.get_verdict_display()})"

    def get_absolute_url(self) -> str:
        return reverse("configuration:cmdbaudit_detail", args=[self.audit_id])
