"""Writes of configuration management: one keyword-only service per write, with actor and reason.

Rules the services enforce (clause 9.1):

- a CI of a change-controlled type, once live (or in maintenance), changes only with an RFC
  reference: edits, lifecycle moves out of or into live, and its relationships;
- a CI is retired only when no live CI depends on it;
- attributes are validated against the CI type's schema, with a message per field;
- a relationship's type must be allowed for the source CI's type, and a type that forbids cycles
  refuses a link that would close one.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from itsm.history import create_audited, save_with_history, update_audited, validate
from itsm.models import User
from itsm.policy import policy
from itsm.records import record_create, run_transition

from . import selectors
from .attributes import validate_attributes, validate_schema
from .choices import CONTROLLED_STATES, CIState
from .models import CIType, ConfigurationItem, Relationship, RelationshipType

RFC_PATTERN = re.compile(r"^RFC-\d{1,12}$")


# RFC references -----------------------------------------------------------------------------------


def clean_rfc_reference(value: str) -> str:
    """The normalised RFC reference (``RFC-000123``), or a ``ValidationError`` on ``rfc_reference``.

    Change management will check here that the RFC exists and is approved; until then the reference
    is checked for its form and recorded with the change.
    """
    reference = (value or "").strip().upper()
    if not RFC_PATTERN.match(reference):
        raise ValidationError({"rfc_reference": _("Enter an RFC reference such as RFC-000123.")})
    return reference


def _needs_rfc(ci: ConfigurationItem) -> bool:
    return ci.is_controlled and ci.state in CONTROLLED_STATES


def _require_rfc(ci: ConfigurationItem, rfc_reference: str, *, what: str) -> str:
    if not (rfc_reference or "").strip():
        raise ValidationError(
            {
                "rfc_reference": _(
                    "%(type)s is under change control: %(what)s needs the reference of an approved RFC."
                )
                % {"type": ci.ci_type.name, "what": what}
            }
        )
    return clean_rfc_reference(rfc_reference)


# CI types and relationship types --------------------------------------------------------------------


def _schema_breaks(ci_type: CIType, schema: list[dict[str, Any]]) -> list[str]:
    """References of CIs of this type whose attributes the new schema would refuse."""
    broken = []
    queryset = ConfigurationItem.objects.filter(ci_type=ci_type).exclude(state=CIState.DISPOSED)
    for reference, attributes in queryset.values_list("reference", "attributes").iterator(chunk_size=2000):
        _cleaned, errors = validate_attributes(schema, attributes or {}, check_references=False)
        if errors:
            broken.append(reference)
    return broken


@transaction.atomic
def citype_create(
    *, actor: User, data: dict[str, Any], allowed_relationship_types: list[RelationshipType] | None = None
) -> CIType:
    ci_type = create_audited(CIType, actor=actor, data=data)
    if allowed_relationship_types:
        ci_type._history_user = actor  # type: ignore[attr-defined]
        ci_type._change_reason = "create"  # type: ignore[attr-defined]
        ci_type.allowed_relationship_types.set(allowed_relationship_types)
    return ci_type


@transaction.atomic
def citype_update(
    *,
    ci_type: CIType,
    actor: User,
    data: dict[str, Any],
    allowed_relationship_types: list[RelationshipType] | None = None,
    reason: str = "update",
) -> CIType:
    """Edit a type's definition. A schema change that existing CIs would fail (a new required
    attribute, a changed type or choice list) is refused, naming those CIs."""
    policy.require(actor, "change", ci_type)
    schema = data.get("attribute_schema")
    stored_schema = CIType.objects.values_list("attribute_schema", flat=True).get(pk=ci_type.pk)
    # A malformed schema is reported by update_audited's validation; a valid one must fit the CIs.
    if schema is not None and schema != stored_schema and not validate_schema(schema):
        broken = _schema_breaks(ci_type, schema)
        if broken:
            more = len(broken) - 10
            message = _("%(count)s CIs of this type would not fit the new schema: %(cis)s") % {
                "count": len(broken),
                "cis": ", ".join(broken[:10]) + (f" (+{more})" if more > 0 else ""),
            }
            raise ValidationError({"attribute_schema": message})
    update_audited(ci_type, actor=actor, data=data, reason=reason)
    if allowed_relationship_types is not None and set(allowed_relationship_types) != set(
        ci_type.allowed_relationship_types.all()
    ):
        ci_type._history_user = actor  # type: ignore[attr-defined]
        ci_type._change_reason = reason  # type: ignore[attr-defined]
        ci_type.allowed_relationship_types.set(allowed_relationship_types)
    return ci_type


@transaction.atomic
def relationshiptype_create(*, actor: User, data: dict[str, Any]) -> RelationshipType:
    return create_audited(RelationshipType, actor=actor, data=data)


@transaction.atomic
def relationshiptype_update(
    *, relationship_type: RelationshipType, actor: User, data: dict[str, Any], reason: str = "update"
) -> RelationshipType:
    if data.get("acyclic") and not relationship_type.acyclic:
        raise ValidationError(
            {"acyclic": _("Existing links of this type may already form loops; create a new type instead.")}
        )
    return update_audited(relationship_type, actor=actor, data=data, reason=reason)


# Configuration items --------------------------------------------------------------------------------


@transaction.atomic
def ci_create(*, actor: User, data: dict[str, Any], reason: str = "create") -> ConfigurationItem:
    """Register a CI (state planned); the name follows the type's naming rule and the attributes
    its schema. ``reason`` goes to its first history row (e.g. "csv import")."""
    data = dict(data)
    if data.get("rfc_reference"):
        data["rfc_reference"] = clean_rfc_reference(data["rfc_reference"])
    ci_type = data.get("ci_type")
    if isinstance(ci_type, CIType) and not ci_type.is_active:
        raise ValidationError({"ci_type": _("This CI type is no longer in use.")})
    return record_create(ConfigurationItem, actor=actor, data=data, reason=reason)


@transaction.atomic
def ci_update(
    *, ci: ConfigurationItem, actor: User, data: dict[str, Any], reason: str = "update"
) -> ConfigurationItem:
    """Edit a CI. Its type never changes. A live CI of a controlled type changes only with the
    reference of the RFC that authorises the change (``rfc_reference`` in ``data``)."""
    policy.require(actor, "change", ci)
    data = dict(data)
    stored = ConfigurationItem.objects.select_related("ci_type").get(pk=ci.pk)
    if "ci_type" in data and getattr(data["ci_type"], "pk", data["ci_type"]) != stored.ci_type_id:
        raise ValidationError({"ci_type": _("A CI keeps its type; retire it and register a new CI instead.")})
    data.pop("ci_type", None)
    rfc = data.pop("rfc_reference", "")
    changed = [name for name, value in data.items() if getattr(stored, name) != value]
    if changed and _needs_rfc(stored):
        data["rfc_reference"] = _require_rfc(stored, rfc, what=_("an edit"))
    elif rfc:
        data["rfc_reference"] = clean_rfc_reference(rfc)
    ci.ci_type = stored.ci_type
    ci.updated_by = actor
    return update_audited(ci, actor=actor, data=data, reason=reason)


def _move(
    ci: ConfigurationItem,
    name: str,
    *,
    actor: User,
    note: str,
    rfc_reference: str = "",
    rfc_needed: bool = False,
    **arguments: Any,
) -> ConfigurationItem:
    if rfc_needed and ci.is_controlled:
        rfc_reference = _require_rfc(ci, rfc_reference, what=_("this step"))
    elif rfc_reference:
        rfc_reference = clean_rfc_reference(rfc_reference)
    if rfc_reference:
        arguments["rfc_reference"] = rfc_reference
    return run_transition(ci, name, actor=actor, comment=note, **arguments)


@transaction.atomic
def ci_start_build(*, ci: ConfigurationItem, actor: User, note: str = "", rfc_reference: str = "") -> Any:
    return _move(ci, "start_build", actor=actor, note=note)


@transaction.atomic
def ci_start_test(*, ci: ConfigurationItem, actor: User, note: str = "", rfc_reference: str = "") -> Any:
    return _move(ci, "start_test", actor=actor, note=note)


@transaction.atomic
def ci_return_to_build(*, ci: ConfigurationItem, actor: User, note: str = "", rfc_reference: str = "") -> Any:
    if not note.strip():
        raise ValidationError({"note": _("Say what the test found.")})
    return _move(ci, "return_to_build", actor=actor, note=note)


@transaction.atomic
def ci_go_live(*, ci: ConfigurationItem, actor: User, note: str = "", rfc_reference: str = "") -> Any:
    """Put the CI into live use; a controlled CI needs the RFC (or release) that authorises it."""
    return _move(ci, "go_live", actor=actor, note=note, rfc_reference=rfc_reference, rfc_needed=True)


@transaction.atomic
def ci_start_maintenance(
    *, ci: ConfigurationItem, actor: User, note: str = "", rfc_reference: str = ""
) -> Any:
    return _move(
        ci, "start_maintenance", actor=actor, note=note, rfc_reference=rfc_reference, rfc_needed=True
    )


@transaction.atomic
def ci_end_maintenance(*, ci: ConfigurationItem, actor: User, note: str = "", rfc_reference: str = "") -> Any:
    return _move(ci, "end_maintenance", actor=actor, note=note, rfc_reference=rfc_reference, rfc_needed=True)


@transaction.atomic
def ci_retire(*, ci: ConfigurationItem, actor: User, note: str = "", rfc_reference: str = "") -> Any:
    """Take the CI out of use. Refused while live CIs depend on it (naming them)."""
    policy.require(actor, "retire", ci)
    if not note.strip():
        raise ValidationError({"note": _("Say why the CI is retired.")})
    dependants = list(ci.live_dependants().order_by("reference")[:6])
    if dependants:
        names = ", ".join(str(d) for d in dependants[:5]) + (" …" if len(dependants) > 5 else "")
        raise ValidationError(
            {
                "note": _("Live CIs still depend on this CI: %(cis)s. Move or retire them first.")
                % {"cis": names}
            }
        )
    return _move(
        ci,
        "retire",
        actor=actor,
        note=note,
        rfc_reference=rfc_reference,
        rfc_needed=ci.state in CONTROLLED_STATES,
    )


@transaction.atomic
def ci_dispose(*, ci: ConfigurationItem, actor: User, note: str = "", rfc_reference: str = "") -> Any:
    """Record the disposal (clause 5.2: data disposed of or transferred, licences handled); the note
    is the disposal record."""
    if not note.strip():
        raise ValidationError({"note": _("Record how data, licences and hardware were disposed of.")})
    return _move(ci, "dispose", actor=actor, note=note, disposal_note=note.strip())


# Transition name → service; pages and the API look services up here. Each takes ``ci``, ``actor``,
# ``note`` and ``rfc_reference``.
CI_TRANSITIONS = {
    "start_build": ci_start_build,
    "start_test": ci_start_test,
    "return_to_build": ci_return_to_build,
    "go_live": ci_go_live,
    "start_maintenance": ci_start_maintenance,
    "end_maintenance": ci_end_maintenance,
    "retire": ci_retire,
    "dispose": ci_dispose,
}
#: Transitions that need an RFC reference when the CI's type is under change control.
RFC_TRANSITIONS = {"go_live", "start_maintenance", "end_maintenance", "retire"}
#: Transitions whose note is required (it is the reason or the record of what was done).
NOTE_REQUIRED = {"return_to_build", "retire", "dispose"}


@transaction.atomic
def ci_mark_verified(
    *, ci: ConfigurationItem, actor: User, at: Any, reason: str = "verified"
) -> ConfigurationItem:
    """Record that the CI was checked against reality (by a CMDB audit or a discovery run)."""
    policy.require(actor, "change", ci)
    ci.last_verified_at = at
    save_with_history(ci, actor=actor, reason=reason)
    return ci


# Relationships --------------------------------------------------------------------------------------


@transaction.atomic
def relationship_add(
    *,
    actor: User,
    source: ConfigurationItem,
    relationship_type: RelationshipType,
    target: ConfigurationItem | None = None,
    target_service: Any = None,
    target_component: Any = None,
    description: str = "",
    rfc_reference: str = "",
    reason: str = "",
) -> Relationship:
    """Link ``source`` to a CI, a catalogue service or a service component.

    Refused when the type is not allowed for the source's CI type, when the link exists, when it
    points at the CI itself or at a disposed CI, when it would close a loop of a type that forbids
    loops, and, for a live CI of a controlled type, without an RFC reference.
    """
    policy.require(actor, "add", Relationship)
    # Serialise links of one type, so that two people cannot close a loop between them.
    relationship_type = RelationshipType.objects.select_for_update().get(pk=relationship_type.pk)
    errors: dict[str, Any] = {}
    if source.state == CIState.DISPOSED:
        errors["source"] = _("A disposed CI takes no new relationships.")
    if not relationship_type.is_active:
        errors["relationship_type"] = _("This relationship type is no longer in use.")
    elif not source.ci_type.allowed_relationship_types.filter(pk=relationship_type.pk).exists():
        errors["relationship_type"] = _("A %(type)s may not start a “%(relationship)s” relationship.") % {
            "type": source.ci_type.name,
            "relationship": relationship_type.name,
        }
    if target is not None and target.state == CIState.DISPOSED:
        errors["target"] = _("A disposed CI takes no new relationships.")
    if errors:
        raise ValidationError(errors)
    if _needs_rfc(source):
        rfc_reference = _require_rfc(source, rfc_reference, what=_("a new relationship"))
    elif rfc_reference:
        rfc_reference = clean_rfc_reference(rfc_reference)
    relationship = Relationship(
        source=source,
        relationship_type=relationship_type,
        target=target,
        target_service=target_service,
        target_component=target_component,
        description=description,
        rfc_reference=rfc_reference,
        created_by=actor,
    )
    validate(relationship)
    if (
        target is not None
        and relationship_type.acyclic
        and selectors.creates_cycle(
            source_id=source.pk, target_id=target.pk, relationship_type_id=relationship_type.pk
        )
    ):
        raise ValidationError(
            {
                "target": _(
                    "%(target)s already leads back to %(source)s through “%(relationship)s” links; "
                    "this link would close a loop."
                )
                % {"target": target, "source": source, "relationship": relationship_type.name}
            }
        )
    save_with_history(relationship, actor=actor, reason=reason.strip() or "create")
    return relationship


@transaction.atomic
def relationship_remove(
    *, relationship: Relationship, actor: User, reason: str, rfc_reference: str = ""
) -> None:
    """Remove a link; the reason is kept in its history and the audit trail."""
    policy.require(actor, "delete", relationship)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the relationship is removed.")})
    source = relationship.source
    if _needs_rfc(source):
        rfc_reference = _require_rfc(source, rfc_reference, what=_("removing a relationship"))
    elif rfc_reference:
        rfc_reference = clean_rfc_reference(rfc_reference)
    reason = reason.strip()
    relationship._history_user = actor  # type: ignore[attr-defined]
    relationship._change_reason = f"{reason} ({rfc_reference})" if rfc_reference else reason  # type: ignore[attr-defined]
    relationship.delete()
