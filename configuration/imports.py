"""CSV import of CIs and relationships: a dry run that reports every error by row and column, then
an all-or-nothing commit.

Both steps run the same code: each row goes through the real services (``ci_create``,
``relationship_add``) inside one transaction, so the checks are exactly theirs (the type's attribute
schema and naming rule, unique names, allowed relationship types, loops, RFCs of controlled CIs). A dry
run, or a commit with any error, rolls the whole transaction back: nothing is written, not even the
reference numbers. A clean commit keeps every row, each with the history reason "csv import".

CI files have the columns ``type`` (code or name), ``name``, ``description``, ``version``,
``location``, ``owner`` (user name or e-mail), ``team`` (code or name), ``importance``, ``supplier``,
``contract``, ``asset_tag``, ``licence_model``, ``licence_quantity``, ``licence_expires_on`` and one
``attributes.<key>`` column per attribute of the type. Relationship files have ``source``,
``relationship`` (type code or name), one of ``target`` / ``target_service`` (code) /
``target_component`` (``service code/component name``), ``description`` and ``rfc_reference``. CIs
are named by reference (``CI-000123``) or by name.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from itsm.history import REASON_LABELS
from itsm.models import Team, User
from itsm.policy import policy
from service_levels.models import Service, ServiceComponent

from . import services
from .attributes import REFERENCE_PATTERN
from .choices import AttributeType, CIState, Importance, LicenceModel
from .models import CIType, ConfigurationItem, Relationship, RelationshipType

IMPORT_REASON = "csv import"
REASON_LABELS.update({IMPORT_REASON: gettext_lazy("imported from a CSV file")})

#: Largest file and most rows one import takes.
IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 2000
ATTRIBUTE_PREFIX = "attributes."


class ImportKind(models.TextChoices):
    CIS = "cis", gettext_lazy("Configuration items")
    RELATIONSHIPS = "relationships", gettext_lazy("Relationships")


#: CI columns → ``ci_create`` field names.
CI_COLUMNS = {
    "type": "ci_type",
    "name": "name",
    "description": "description",
    "version": "version",
    "location": "location",
    "owner": "owner",
    "team": "team",
    "importance": "importance",
    "supplier": "supplier_reference",
    "contract": "contract_reference",
    "asset_tag": "asset_tag",
    "licence_model": "licence_model",
    "licence_quantity": "licence_quantity",
    "licence_expires_on": "licence_expires_on",
}
RELATIONSHIP_COLUMNS = {
    "source": "source",
    "relationship": "relationship_type",
    "target": "target",
    "target_service": "target_service",
    "target_component": "target_component",
    "description": "description",
    "rfc_reference": "rfc_reference",
}
_FIELD_TO_COLUMN = {
    **{f: c for c, f in CI_COLUMNS.items()},
    **{f: c for c, f in RELATIONSHIP_COLUMNS.items()},
    "attributes": "attributes",
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (not UTF-8 text, not a CSV, too big, no rows)."""


@dataclass(frozen=True)
class RowError:
    row: int  # the line of the file, the header being line 1
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    """What an import did or would do: the rows read, what they created, and every error."""

    kind: str
    committed: bool = False
    rows: int = 0
    created: list[tuple[int, str]] = field(default_factory=list)  # (row, what was created)
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""

    @property
    def kind_label(self) -> str:
        return str(ImportKind(self.kind).label)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error

    def errors_by_row(self) -> list[tuple[int, list[RowError]]]:
        grouped: dict[int, list[RowError]] = defaultdict(list)
        for error in self.errors:
            grouped[error.row].append(error)
        return sorted(grouped.items())

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "committed": self.committed,
            "rows": self.rows,
            "created": [{"row": row, "record": label} for row, label in self.created],
            "errors": [e.as_dict() for e in self.errors],
            "file_error": self.file_error,
        }


# Reading the file ---------------------------------------------------------------------------------


def decode(content: bytes | str) -> str:
    """The file's text; ``ImportFileError`` unless it is UTF-8 text of a reasonable size."""
    if isinstance(content, str):
        text = content
    else:
        if len(content) > IMPORT_MAX_BYTES:
            raise ImportFileError(
                _("The file is larger than %(size)s MB; split it.")
                % {"size": IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        if b"\x00" in content[:8192]:
            raise ImportFileError(_("This is not a CSV file."))
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError(
                _("The file is not UTF-8 text. Save it as “CSV UTF-8 (comma delimited)” and try again.")
            ) from None
    if "\x00" in text:
        raise ImportFileError(_("This is not a CSV file."))
    return text.lstrip("\ufeff")


def read_rows(
    content: bytes | str, known_columns: Iterable[str]
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the rows (with their line numbers) of a CSV file; commas or semicolons."""
    text = decode(content)
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        known = set(known_columns)
        unknown = [c for c in header if c and c not in known and not c.startswith(ATTRIBUTE_PREFIX)]
        if not any(c in known for c in header):
            raise ImportFileError(
                _("The first row must name the columns (%(columns)s); see the template.")
                % {"columns": ", ".join(sorted(known))}
            )
        if unknown:
            raise ImportFileError(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
        duplicates = sorted({c for c in header if c and header.count(c) > 1})
        if duplicates:
            raise ImportFileError(_("Columns named twice: %(columns)s.") % {"columns": ", ".join(duplicates)})
        rows: list[tuple[int, dict[str, str]]] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= IMPORT_MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(rows)s rows; split it.") % {"rows": IMPORT_MAX_ROWS}
                )
            line = reader.line_num
            if len(cells) > len(header):
                raise ImportFileError(
                    _("Row %(row)s has more cells than the header has columns.") % {"row": line}
                )
            rows.append(
                (line, {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name})
            )
    except csv.Error as exc:
        raise ImportFileError(_("This is not a valid CSV file: %(error)s") % {"error": exc}) from None
    if not rows:
        raise ImportFileError(_("The file has a header but no rows."))
    return header, rows


# Looking things up (a few queries per file, never one per row) -------------------------------------


def _index(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    return {key.lower(): value for key, value in pairs if key}


class _CIFinder:
    """CIs named in a file, by reference or (unambiguous) name: one query for the whole file."""

    def __init__(self, names: Iterable[str]) -> None:
        wanted = {n for n in names if n}
        references = {n.upper() for n in wanted if REFERENCE_PATTERN.match(n.upper())}
        plain = {n.lower() for n in wanted} - {r.lower() for r in references}
        rows = ConfigurationItem.objects.exclude(state=CIState.DISPOSED).annotate(lname=Lower("name"))
        rows = rows.filter(Q(reference__in=references) | Q(lname__in=plain)).select_related("ci_type")
        self.by_reference: dict[str, ConfigurationItem] = {}
        self.by_name: dict[str, list[ConfigurationItem]] = defaultdict(list)
        for ci in rows:
            self.by_reference[ci.reference] = ci
            self.by_name[ci.name.lower()].append(ci)

    def find(self, value: str, *, type_code: str = "") -> ConfigurationItem:
        """The CI, or ``ValueError`` with a message."""
        if REFERENCE_PATTERN.match(value.upper()):
            ci = self.by_reference.get(value.upper())
            if ci is None:
                raise ValueError(_("No CI %(reference)s exists.") % {"reference": value.upper()})
            return ci
        matches = [
            ci
            for ci in self.by_name.get(value.lower(), [])
            if ci.state != CIState.RETIRED and (not type_code or ci.ci_type.code == type_code)
        ]
        if not matches:
            raise ValueError(_("No CI named “%(name)s” exists.") % {"name": value})
        if len(matches) > 1:
            raise ValueError(
                _("Several CIs are named “%(name)s” (%(refs)s); use the reference.")
                % {"name": value, "refs": ", ".join(sorted(ci.reference for ci in matches))}
            )
        return matches[0]


def _choice(value: str, choices: type[models.TextChoices]) -> str:
    lowered = value.strip().lower()
    for code, label in choices.choices:
        if lowered in (str(code).lower(), str(label).lower()):
            return str(code)
    raise ValueError(_("Choose one of %(choices)s.") % {"choices": ", ".join(str(c) for c in choices.values)})


def _errors_of(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            (_FIELD_TO_COLUMN.get(name, "" if name == "__all__" else name), message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [("", message) for message in exc.messages]


# CIs ----------------------------------------------------------------------------------------------


def _ci_data(
    row: dict[str, str],
    *,
    types: dict[str, CIType],
    default_type: CIType | None,
    people: dict[str, User],
    teams: dict[str, Team],
    finder: _CIFinder,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """``ci_create`` data from a row, and the errors found before the service runs."""
    errors: list[tuple[str, str]] = []
    data: dict[str, Any] = {}
    type_name = row.get("type", "")
    ci_type = types.get(type_name.lower()) if type_name else default_type
    if ci_type is None:
        errors.append(
            (
                "type",
                _("No CI type “%(type)s”.") % {"type": type_name} if type_name else _("Name the CI type."),
            )
        )
    else:
        data["ci_type"] = ci_type
    for column in ("name", "description", "version", "location", "supplier", "contract", "asset_tag"):
        if row.get(column):
            data[CI_COLUMNS[column]] = row[column]
    data.setdefault("name", "")
    if row.get("owner"):
        owner = people.get(row["owner"].lower())
        if owner is None:
            errors.append(("owner", _("No active person “%(name)s”.") % {"name": row["owner"]}))
        data["owner"] = owner
    if row.get("team"):
        team = teams.get(row["team"].lower())
        if team is None:
            errors.append(("team", _("No team “%(name)s”.") % {"name": row["team"]}))
        data["team"] = team
    for column, choices in (("importance", Importance), ("licence_model", LicenceModel)):
        if row.get(column):
            try:
                data[column] = _choice(row[column], choices)
            except ValueError as exc:
                errors.append((column, str(exc)))
    if row.get("licence_quantity"):
        try:
            quantity = int(row["licence_quantity"])
            if quantity < 0:
                raise ValueError
            data["licence_quantity"] = quantity
        except ValueError:
            errors.append(("licence_quantity", _("Enter a whole number, 0 or more.")))
    if row.get("licence_expires_on"):
        try:
            data["licence_expires_on"] = datetime.date.fromisoformat(row["licence_expires_on"])
        except ValueError:
            errors.append(("licence_expires_on", _("Enter a date as YYYY-MM-DD.")))
    attributes: dict[str, Any] = {}
    schema = {
        f["key"]: f for f in (ci_type.attributes if ci_type else []) if isinstance(f, dict) and "key" in f
    }
    for column, value in row.items():
        if not column.startswith(ATTRIBUTE_PREFIX) or not value:
            continue
        key = column[len(ATTRIBUTE_PREFIX) :]
        spec = schema.get(key)
        if (
            spec is not None
            and spec.get("type") == AttributeType.REFERENCE
            and not REFERENCE_PATTERN.match(value.upper())
        ):
            try:
                value = finder.find(value, type_code=str(spec.get("reference_type") or "")).reference
            except ValueError as exc:
                errors.append((column, str(exc)))
                continue
        attributes[key] = value
    data["attributes"] = attributes
    return data, errors


def _import_cis(
    rows: list[tuple[int, dict[str, str]]], *, actor: User, result: ImportResult, default_type: CIType | None
) -> None:
    types = {
        **_index((t.name, t) for t in CIType.objects.filter(is_active=True)),
        **_index((t.code, t) for t in CIType.objects.filter(is_active=True)),
    }
    names = {r.get("owner", "") for _line, r in rows} - {""}
    people = User.objects.filter(is_active=True, is_system=False).filter(
        Q(username__in=names) | Q(email__in=names)
    )
    people_index = {**_index((p.email, p) for p in people), **_index((p.username, p) for p in people)}
    teams = {
        **_index((t.name, t) for t in Team.objects.all()),
        **_index((t.code, t) for t in Team.objects.all()),
    }
    references = {
        value for _line, r in rows for column, value in r.items() if column.startswith(ATTRIBUTE_PREFIX)
    }
    finder = _CIFinder(references)
    seen: dict[tuple[int, str], int] = {}
    for line, row in rows:
        data, errors = _ci_data(
            row, types=types, default_type=default_type, people=people_index, teams=teams, finder=finder
        )
        ci_type = data.get("ci_type")
        if ci_type is not None and data.get("name"):
            key = (ci_type.pk, data["name"].lower())
            if key in seen:
                errors.append(("name", _("The same name is on row %(row)s.") % {"row": seen[key]}))
            else:
                seen[key] = line
        if errors:
            result.errors.extend(RowError(line, column, message) for column, message in errors)
            continue
        try:  # ci_create is atomic: a failing row rolls back to its own savepoint
            ci = services.ci_create(actor=actor, data=data, reason=IMPORT_REASON)
        except ValidationError as exc:
            result.errors.extend(RowError(line, column, message) for column, message in _errors_of(exc))
        except IntegrityError:
            result.errors.append(RowError(line, "name", _("Another CI of this type already has this name.")))
        else:
            result.created.append((line, f"{ci.reference} {ci.name}"))


# Relationships --------------------------------------------------------------------------------------


def _import_relationships(
    rows: list[tuple[int, dict[str, str]]], *, actor: User, result: ImportResult
) -> None:
    finder = _CIFinder({r.get(c, "") for _line, r in rows for c in ("source", "target")})
    rtypes = {
        **_index((t.name, t) for t in RelationshipType.objects.all()),
        **_index((t.code, t) for t in RelationshipType.objects.all()),
    }
    service_index = _index((s.code, s) for s in Service.objects.all())
    component_index = _index(
        (f"{c.service.code}/{c.name}", c) for c in ServiceComponent.objects.select_related("service")
    )
    seen: dict[tuple[Any, ...], int] = {}
    for line, row in rows:
        errors: list[tuple[str, str]] = []
        data: dict[str, Any] = {
            "description": row.get("description", ""),
            "rfc_reference": row.get("rfc_reference", ""),
        }
        try:
            data["source"] = finder.find(row.get("source", "")) if row.get("source") else None
            if data["source"] is None:
                errors.append(("source", _("Name the source CI.")))
        except ValueError as exc:
            errors.append(("source", str(exc)))
        rtype = rtypes.get(row.get("relationship", "").lower())
        if rtype is None:
            errors.append(
                (
                    "relationship",
                    _("No relationship type “%(type)s”.") % {"type": row.get("relationship", "")},
                )
            )
        else:
            data["relationship_type"] = rtype
        targets = [c for c in ("target", "target_service", "target_component") if row.get(c)]
        if len(targets) != 1:
            errors.append(("target", _("Fill exactly one of target, target_service and target_component.")))
        elif targets[0] == "target":
            try:
                data["target"] = finder.find(row["target"])
            except ValueError as exc:
                errors.append(("target", str(exc)))
        elif targets[0] == "target_service":
            data["target_service"] = service_index.get(row["target_service"].lower())
            if data["target_service"] is None:
                errors.append(
                    ("target_service", _("No service “%(code)s”.") % {"code": row["target_service"]})
                )
        else:
            data["target_component"] = component_index.get(row["target_component"].lower())
            if data["target_component"] is None:
                errors.append(
                    (
                        "target_component",
                        _("No service component “%(name)s” (write service code/component name).")
                        % {"name": row["target_component"]},
                    )
                )
        if not errors:
            key = tuple(
                getattr(data.get(k), "pk", None)
                for k in ("source", "relationship_type", "target", "target_service", "target_component")
            )
            if key in seen:
                errors.append(("target", _("The same relationship is on row %(row)s.") % {"row": seen[key]}))
            else:
                seen[key] = line
        if errors:
            result.errors.extend(RowError(line, column, message) for column, message in errors)
            continue
        try:  # relationship_add is atomic: a failing row rolls back to its own savepoint
            relationship = services.relationship_add(actor=actor, reason=IMPORT_REASON, **data)
        except ValidationError as exc:
            result.errors.extend(RowError(line, column, message) for column, message in _errors_of(exc))
        except IntegrityError:
            result.errors.append(RowError(line, "target", _("This relationship already exists.")))
        else:
            result.created.append((line, str(relationship)))


# The import -------------------------------------------------------------------------------------------


def import_csv(
    *, actor: User, kind: str, content: bytes | str, commit: bool = False, default_type: CIType | None = None
) -> ImportResult:
    """Check (``commit=False``) or import a CSV file of CIs or relationships, all or nothing.

    ``PermissionDenied`` if the actor may not create CIs (or relationships); a file that cannot be read
    comes back as ``file_error``; every row problem as a ``RowError`` with its line and column. Nothing is
    written unless ``commit`` is set and no row has an error.
    """
    if kind not in ImportKind.values:
        raise ValidationError({"kind": _("Import CIs or relationships.")})
    model = ConfigurationItem if kind == ImportKind.CIS else Relationship
    policy.require(actor, "add", model)
    result = ImportResult(kind=kind)
    columns = CI_COLUMNS if kind == ImportKind.CIS else RELATIONSHIP_COLUMNS
    try:
        _header, rows = read_rows(content, columns)
    except ImportFileError as exc:
        result.file_error = str(exc)
        return result
    result.rows = len(rows)
    with transaction.atomic():
        if kind == ImportKind.CIS:
            _import_cis(rows, actor=actor, result=result, default_type=default_type)
        else:
            _import_relationships(rows, actor=actor, result=result)
        if not commit or result.errors:
            transaction.set_rollback(True)
        else:
            result.committed = True
    return result


def template_columns(kind: str, ci_type: CIType | None = None) -> list[str]:
    """The header of an import file: every column, and for CIs the attributes of ``ci_type``."""
    if kind == ImportKind.RELATIONSHIPS:
        return list(RELATIONSHIP_COLUMNS)
    attributes = [
        f"{ATTRIBUTE_PREFIX}{f['key']}" for f in (ci_type.attributes if ci_type else []) if "key" in f
    ]
    return [*CI_COLUMNS, *attributes]


def template_csv(kind: str, ci_type: CIType | None = None) -> str:
    """A template to fill in: the header only, with a byte-order mark so that spreadsheets read the
    file as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = template_columns(kind, ci_type)
    writer.writerow(columns)
    return "\ufeff" + buffer.getvalue()
