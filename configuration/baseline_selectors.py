"""Reads of configuration baselines: which CIs a scope selects, frozen snapshots, comparisons and the
"as of" view of a CI at a past date.

A *snapshot* is the JSON a ``BaselineItem`` keeps for one CI::

    {"fields": {"name": …, "type": "server", "state": "live", "version": …, "owner": "zhou", …},
     "attributes": {"ram_gb": 64, …},
     "relationships": [{"key": "out:runs-on:CI-000012", "direction": "out", "type": "runs-on",
                        "label": "runs on", "other": "CI-000012", "other_name": "vm-erp-01"}, …]}

Snapshots of many CIs are built with a constant number of queries (the CIs, their outgoing and their
incoming relationships), never one per CI; the same builder serves taking a baseline, comparing a
baseline with the live CMDB and the "as of" view, so the three always agree on what counts as a change.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from itsm.models import Team, User
from service_levels.models import Service, ServiceComponent

from .choices import ACTIVE_STATES, CIState, ImpactDirection, Importance, LicenceModel
from .models import Baseline, BaselineItem, CIType, ConfigurationItem, Relationship, RelationshipType

#: The CI fields a snapshot keeps, in the order pages show them.
SNAPSHOT_FIELDS = (
    "name",
    "type",
    "state",
    "version",
    "description",
    "location",
    "owner",
    "team",
    "importance",
    "supplier_reference",
    "contract_reference",
    "asset_tag",
    "licence_model",
    "licence_quantity",
    "licence_expires_on",
    "rfc_reference",
)
#: Fields whose stored code is shown with its label.
_CHOICES: dict[str, Any] = {"state": CIState, "importance": Importance, "licence_model": LicenceModel}
#: CIs no longer in use are outside every scope.
OUT_OF_USE = (CIState.RETIRED, CIState.DISPOSED)

# Scopes -------------------------------------------------------------------------------------------


def field_label(name: str) -> str:
    model_field = "ci_type" if name == "type" else name
    return str(ConfigurationItem._meta.get_field(model_field).verbose_name)


def display_value(name: str, value: Any) -> str:
    """A snapshot value as people read it (choice labels, empty as —)."""
    if value in (None, ""):
        return "—"
    choices = _CHOICES.get(name)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return str(value)


def service_ci_ids_sql(service_id: int) -> tuple[str, list[Any]]:
    """SQL selecting the CIs behind a service: those linked to it (or to one of its components), and
    everything they depend on, transitively, through links that carry impact (one recursive query)."""
    quote = connection.ops.quote_name
    tables = {
        "rel": quote(Relationship._meta.db_table),
        "rtype": quote(RelationshipType._meta.db_table),
        "component": quote(ServiceComponent._meta.db_table),
    }
    sql = """
        WITH RECURSIVE supports(ci_id) AS (
            SELECT r.source_id FROM {rel} r
            LEFT JOIN {component} sc ON sc.id = r.target_component_id
            WHERE r.target_service_id = %s OR sc.service_id = %s
            UNION
            SELECT CASE WHEN r.source_id = s.ci_id THEN r.target_id ELSE r.source_id END
            FROM supports s
            JOIN {rel} r ON (r.source_id = s.ci_id OR r.target_id = s.ci_id)
            JOIN {rtype} t ON t.id = r.relationship_type_id
            WHERE r.target_id IS NOT NULL
              AND t.propagates_impact = %s
              AND ((r.source_id = s.ci_id AND t.impact_direction IN (%s, %s))
                OR (r.target_id = s.ci_id AND t.impact_direction IN (%s, %s)))
        )
        SELECT ci_id FROM supports
    """.format(**tables)  # noqa: S608 - table names from model metadata; values are parameters
    params: list[Any] = [
        service_id,
        service_id,
        True,
        ImpactDirection.TO_SOURCE.value,
        ImpactDirection.BOTH.value,
        ImpactDirection.TO_TARGET.value,
        ImpactDirection.BOTH.value,
    ]
    return sql, params


def scope_queryset(scope_filter: dict[str, Any]) -> QuerySet[ConfigurationItem]:
    """The CIs a baseline's scope selects now (retired and disposed CIs never).

    ``{"mode": "cis", "cis": [ids]}`` names CIs; ``{"mode": "filter", "service": id, "ci_type": id,
    "live_only": true}`` selects by service (the CIs behind it), type and state, each optional: an
    empty filter with ``live_only`` is "every live CI".
    """
    queryset = ConfigurationItem.objects.exclude(state__in=OUT_OF_USE)
    scope = scope_filter or {}
    if scope.get("mode") == "cis":
        return queryset.filter(pk__in=[int(pk) for pk in scope.get("cis") or []])
    if scope.get("live_only", True):
        queryset = queryset.filter(state__in=ACTIVE_STATES)
    if scope.get("ci_type"):
        queryset = queryset.filter(ci_type_id=scope["ci_type"])
    if scope.get("service"):
        sql, params = service_ci_ids_sql(int(scope["service"]))
        queryset = queryset.filter(pk__in=RawSQL(sql, params))  # noqa: S611 - built above from metadata
    return queryset


def describe_scope(scope_filter: dict[str, Any]) -> str:
    """The scope as labels, for pages and the API (two queries at most)."""
    scope = scope_filter or {}
    if scope.get("mode") == "cis":
        count = len(scope.get("cis") or [])
        return ngettext("%(count)s named CI", "%(count)s named CIs", count) % {"count": count}
    parts = [_("Live CIs only") if scope.get("live_only", True) else _("Every CI in use")]
    if scope.get("service"):
        service = Service.objects.filter(pk=scope["service"]).first()
        parts.append(_("Service: %(service)s") % {"service": service or scope["service"]})
    if scope.get("ci_type"):
        ci_type = CIType.objects.filter(pk=scope["ci_type"]).first()
        parts.append(_("Type: %(type)s") % {"type": ci_type or scope["ci_type"]})
    return " · ".join(parts)


# Snapshots ----------------------------------------------------------------------------------------


def _link(direction: str, type_code: str, label: str, other: str, other_name: str) -> dict[str, Any]:
    return {
        "key": f"{direction}:{type_code}:{other}",
        "direction": direction,
        "type": type_code,
        "label": label,
        "other": other,
        "other_name": other_name,
    }


#: CI columns a snapshot reads (``values_list`` order), then the joined type code, owner and team.
_CI_COLUMNS = (
    "pk",
    "reference",
    "attributes",
    "name",
    "state",
    "version",
    "description",
    "location",
    "importance",
    "supplier_reference",
    "contract_reference",
    "asset_tag",
    "licence_model",
    "licence_quantity",
    "licence_expires_on",
    "rfc_reference",
    "ci_type__code",
    "owner__username",
    "team__code",
)


def _fields_of(values: Any, *, type_code: str, owner: str, team: str) -> dict[str, Any]:
    """The snapshot's ``fields`` from a CI, a historical row or a mapping of its values."""
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
    expires = get("licence_expires_on")
    return {
        "name": get("name"),
        "type": type_code,
        "state": get("state"),
        "version": get("version"),
        "description": get("description"),
        "location": get("location"),
        "owner": owner,
        "team": team,
        "importance": get("importance"),
        "supplier_reference": get("supplier_reference"),
        "contract_reference": get("contract_reference"),
        "asset_tag": get("asset_tag"),
        "licence_model": get("licence_model"),
        "licence_quantity": get("licence_quantity"),
        "licence_expires_on": expires.isoformat() if expires else None,
        "rfc_reference": get("rfc_reference"),
    }


def snapshots_of(scope: QuerySet[ConfigurationItem]) -> dict[int, dict[str, Any]]:
    """Snapshots of every CI in ``scope`` by CI id, with their relationships both ways: three queries
    however many CIs there are, read as plain values (no model instances)."""
    ids = scope.values("pk")
    relationships: dict[int, list[dict[str, Any]]] = defaultdict(list)
    outgoing = Relationship.objects.filter(source_id__in=ids).values_list(
        "source_id",
        "relationship_type__code",
        "relationship_type__name",
        "target__reference",
        "target__name",
        "target_service__code",
        "target_service__name",
        "target_component_id",
        "target_component__name",
        "target_component__service__name",
    )
    for source_id, code, label, ci_ref, ci_name, svc_code, svc_name, comp_id, comp_name, comp_svc in outgoing:
        if ci_ref is not None:
            other, other_name = ci_ref, ci_name
        elif svc_code is not None:
            other, other_name = f"service:{svc_code}", svc_name
        else:
            other, other_name = f"component:{comp_id}", f"{comp_svc} / {comp_name}"
        relationships[source_id].append(_link("out", code, label, other, other_name))
    incoming = Relationship.objects.filter(target_id__in=ids).values_list(
        "target_id",
        "relationship_type__code",
        "relationship_type__inverse_name",
        "source__reference",
        "source__name",
    )
    for target_id, code, label, source_ref, source_name in incoming:
        relationships[target_id].append(_link("in", code, label, source_ref, source_name))
    result: dict[int, dict[str, Any]] = {}
    for row in scope.order_by("reference", "pk").values_list(*_CI_COLUMNS):
        values = dict(zip(_CI_COLUMNS, row, strict=True))
        pk = values["pk"]
        result[pk] = {
            "reference": values["reference"],
            "fields": _fields_of(
                values,
                type_code=values["ci_type__code"],
                owner=values["owner__username"] or "",
                team=values["team__code"] or "",
            ),
            "attributes": dict(values["attributes"] or {}),
            "relationships": sorted(relationships[pk], key=lambda r: r["key"]),
        }
    return result


def baseline_snapshots(baseline: Baseline) -> dict[int, dict[str, Any]]:
    """The frozen snapshots of a taken baseline by CI id (one query)."""
    return {
        ci_id: {"reference": reference, **snapshot}
        for ci_id, reference, snapshot in BaselineItem.objects.filter(baseline=baseline).values_list(
            "ci_id", "ci_reference", "snapshot"
        )
    }


def baseline_list() -> QuerySet[Baseline]:
    return Baseline.objects.select_related("taken_by", "superseded_by", "created_by")


def baseline_items(baseline: Baseline) -> QuerySet[BaselineItem]:
    return BaselineItem.objects.filter(baseline=baseline).order_by("ci_reference", "id")


def comparable_baselines(baseline: Baseline) -> QuerySet[Baseline]:
    """Other taken or superseded baselines to compare ``baseline`` with, newest first."""
    return (
        Baseline.objects.exclude(pk=baseline.pk)
        .exclude(state="draft")
        .order_by("-taken_at", "-id")
        .only("pk", "reference", "name", "taken_at", "state")
    )


# Comparison ---------------------------------------------------------------------------------------


@dataclass
class Change:
    """One value that differs: a field or an attribute, old → new."""

    key: str
    label: str
    old: Any
    new: Any
    old_display: str = ""
    new_display: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "old": self.old, "new": self.new}


@dataclass
class ItemChange:
    """A CI present on both sides whose fields, attributes or relationships differ."""

    ci_id: int
    reference: str
    name: str
    fields: list[Change] = field(default_factory=list)
    attributes: list[Change] = field(default_factory=list)
    relationships_added: list[dict[str, Any]] = field(default_factory=list)
    relationships_removed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_change(self) -> bool:
        return bool(self.fields or self.attributes or self.relationships_added or self.relationships_removed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ci": self.ci_id,
            "reference": self.reference,
            "name": self.name,
            "fields": [c.as_dict() for c in self.fields],
            "attributes": [c.as_dict() for c in self.attributes],
            "relationships_added": self.relationships_added,
            "relationships_removed": self.relationships_removed,
        }


@dataclass
class Comparison:
    """What changed between two sets of snapshots (``old`` → ``new``)."""

    old_label: str
    new_label: str
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    unchanged: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "old": self.old_label,
            "new": self.new_label,
            "added": self.added,
            "removed": self.removed,
            "changed": [c.as_dict() for c in self.changed],
            "unchanged": self.unchanged,
        }


def _summary(ci_id: int, snapshot: dict[str, Any]) -> dict[str, Any]:
    fields = snapshot.get("fields", {})
    return {
        "ci": ci_id,
        "reference": snapshot.get("reference", ""),
        "name": fields.get("name", ""),
        "type": fields.get("type", ""),
        "state": fields.get("state", ""),
        "version": fields.get("version", ""),
    }


def attribute_labels(type_codes: Iterable[str]) -> dict[tuple[str, str], str]:
    """(type code, attribute key) → label from the types' current schemas (one query)."""
    labels: dict[tuple[str, str], str] = {}
    for code, schema in CIType.objects.filter(code__in=set(type_codes)).values_list(
        "code", "attribute_schema"
    ):
        for entry in schema or []:
            if isinstance(entry, dict) and "key" in entry:
                labels[(code, entry["key"])] = str(entry.get("label") or entry["key"])
    return labels


def _blank(value: Any) -> Any:
    return None if value in (None, "") else value


def diff_snapshot(
    ci_id: int, old: dict[str, Any], new: dict[str, Any], labels: dict[tuple[str, str], str] | None = None
) -> ItemChange:
    """Field by field, attribute by attribute and relationship by relationship, ``old`` → ``new``."""
    labels = labels or {}
    old_fields, new_fields = old.get("fields", {}), new.get("fields", {})
    change = ItemChange(
        ci_id=ci_id,
        reference=new.get("reference") or old.get("reference", ""),
        name=new_fields.get("name") or old_fields.get("name", ""),
    )
    for name in SNAPSHOT_FIELDS:
        before, after = old_fields.get(name), new_fields.get(name)
        if _blank(before) != _blank(after):
            change.fields.append(
                Change(
                    name,
                    field_label(name),
                    before,
                    after,
                    display_value(name, before),
                    display_value(name, after),
                )
            )
    type_code = new_fields.get("type") or old_fields.get("type", "")
    old_attributes, new_attributes = old.get("attributes") or {}, new.get("attributes") or {}
    for key in sorted(set(old_attributes) | set(new_attributes)):
        before, after = old_attributes.get(key), new_attributes.get(key)
        if before != after:
            label = labels.get((type_code, key), key)
            change.attributes.append(
                Change(key, label, before, after, display_value(key, before), display_value(key, after))
            )
    old_links = {r["key"]: r for r in old.get("relationships") or []}
    new_links = {r["key"]: r for r in new.get("relationships") or []}
    change.relationships_added = [new_links[k] for k in sorted(set(new_links) - set(old_links))]
    change.relationships_removed = [old_links[k] for k in sorted(set(old_links) - set(new_links))]
    return change


def compare_snapshots(
    old: dict[int, dict[str, Any]], new: dict[int, dict[str, Any]], *, old_label: str, new_label: str
) -> Comparison:
    """CIs added (only in ``new``), removed (only in ``old``) and changed (in both, differing)."""
    comparison = Comparison(old_label=old_label, new_label=new_label)
    types = {s.get("fields", {}).get("type", "") for s in [*old.values(), *new.values()]}
    labels = attribute_labels(types)
    by_reference = lambda pair: (pair[1].get("reference", ""), pair[0])  # noqa: E731
    for ci_id, snapshot in sorted(new.items(), key=by_reference):
        if ci_id not in old:
            comparison.added.append(_summary(ci_id, snapshot))
            continue
        change = diff_snapshot(ci_id, old[ci_id], snapshot, labels)
        if change.is_change:
            comparison.changed.append(change)
        else:
            comparison.unchanged += 1
    comparison.removed = [_summary(i, s) for i, s in sorted(old.items(), key=by_reference) if i not in new]
    return comparison


def _label(baseline: Baseline) -> str:
    taken = timezone.localtime(baseline.taken_at).strftime("%Y-%m-%d %H:%M") if baseline.taken_at else ""
    return f"{baseline.reference} {baseline.name} ({taken})".strip()


def compare_baselines(first: Baseline, second: Baseline) -> Comparison:
    """Compare two taken baselines, the older one as "before" (two queries plus labels)."""
    old, new = sorted([first, second], key=lambda b: (b.taken_at or timezone.now(), b.pk))
    return compare_snapshots(
        baseline_snapshots(old), baseline_snapshots(new), old_label=_label(old), new_label=_label(new)
    )


def compare_with_live(baseline: Baseline) -> Comparison:
    """Compare a taken baseline with the CIs its scope selects in the live CMDB now."""
    return compare_snapshots(
        baseline_snapshots(baseline),
        snapshots_of(scope_queryset(baseline.scope_filter)),
        old_label=_label(baseline),
        new_label=_("Live CMDB now"),
    )


# "As of" --------------------------------------------------------------------------------------------


@dataclass
class AsOf:
    """A CI as it was at ``at``: its history row then, and the snapshot built from it."""

    ci: ConfigurationItem
    at: datetime.datetime
    history_date: datetime.datetime
    history_user: str
    history_reason: str
    snapshot: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ci": self.ci.pk,
            "reference": self.ci.reference,
            "as_of": self.at.isoformat(),
            "recorded_at": self.history_date.isoformat(),
            "recorded_by": self.history_user,
            "reason": self.history_reason,
            **self.snapshot,
        }


def parse_as_of(value: str | None) -> datetime.datetime | None:
    """``YYYY-MM-DD`` (the end of that day in the current time zone) or an ISO date-time; None if
    neither."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        pass
    else:
        end = datetime.datetime.combine(day, datetime.time.max)
        return timezone.make_aware(end, timezone.get_current_timezone())
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def _relationships_as_of(ci: ConfigurationItem, at: datetime.datetime) -> list[dict[str, Any]]:
    """The CI's links (both ways) that existed at ``at``, from the relationships' history."""
    latest: dict[int, Any] = {}
    rows = (
        Relationship.history.filter(Q(source_id=ci.pk) | Q(target_id=ci.pk), history_date__lte=at)
        .order_by("id", "history_date", "history_id")
        .values(
            "id",
            "history_type",
            "source_id",
            "target_id",
            "target_service_id",
            "target_component_id",
            "relationship_type_id",
        )
    )
    for row in rows:
        latest[row["id"]] = row
    alive = [row for row in latest.values() if row["history_type"] != "-"]
    if not alive:
        return []
    types = RelationshipType.objects.in_bulk({r["relationship_type_id"] for r in alive})
    ci_ids = {r["source_id"] for r in alive} | {r["target_id"] for r in alive if r["target_id"]}
    cis = {
        pk: (reference, name)
        for pk, reference, name in ConfigurationItem.objects.filter(pk__in=ci_ids).values_list(
            "pk", "reference", "name"
        )
    }
    services = Service.objects.in_bulk({r["target_service_id"] for r in alive if r["target_service_id"]})
    components = ServiceComponent.objects.select_related("service").in_bulk(
        {r["target_component_id"] for r in alive if r["target_component_id"]}
    )
    entries = []
    for row in alive:
        rtype = types[row["relationship_type_id"]]
        if row["source_id"] == ci.pk:
            direction, label = "out", rtype.name
            if row["target_id"]:
                other, other_name = cis.get(row["target_id"], (str(row["target_id"]), ""))
            elif row["target_service_id"]:
                service = services.get(row["target_service_id"])
                other = f"service:{service.code if service else row['target_service_id']}"
                other_name = service.name if service else ""
            else:
                component = components.get(row["target_component_id"])
                other = f"component:{row['target_component_id']}"
                other_name = f"{component.service.name} / {component.name}" if component else ""
        else:
            direction, label = "in", rtype.inverse_name
            other, other_name = cis.get(row["source_id"], (str(row["source_id"]), ""))
        entries.append(_link(direction, rtype.code, label, other, other_name))
    return sorted(entries, key=lambda r: r["key"])


def ci_as_of(ci: ConfigurationItem, at: datetime.datetime) -> AsOf | None:
    """The CI at ``at`` from its history (fields, attributes, version, state) and its relationships'
    history; None when the CI did not exist yet."""
    row = (
        ci.history.filter(history_date__lte=at)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if row is None:
        return None
    owner = (
        User.objects.filter(pk=row.owner_id).values_list("username", flat=True).first()
        if row.owner_id
        else ""
    )
    team = Team.objects.filter(pk=row.team_id).values_list("code", flat=True).first() if row.team_id else ""
    snapshot = {
        "reference": row.reference,
        "fields": _fields_of(row, type_code=ci.ci_type.code, owner=owner or "", team=team or ""),
        "attributes": dict(row.attributes or {}),
        "relationships": _relationships_as_of(ci, at),
    }
    return AsOf(
        ci=ci,
        at=at,
        history_date=row.history_date,
        history_user=str(row.history_user) if row.history_user else "",
        history_reason=row.history_change_reason or "",
        snapshot=snapshot,
    )


def live_snapshot(ci: ConfigurationItem) -> dict[str, Any]:
    """The CI's snapshot now (three queries)."""
    return snapshots_of(ConfigurationItem.objects.filter(pk=ci.pk)).get(ci.pk, {})
