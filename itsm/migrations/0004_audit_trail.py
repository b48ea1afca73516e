"""The audit trail's tables, and triggers that make the database refuse UPDATE and DELETE on them.

``create_append_only_triggers`` / ``drop_append_only_triggers`` are also used by the tests (to tamper
as a superuser would, then restore the protection) and after every flush of a test database.
"""

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

PROTECTED_TABLES = ("itsm_auditentry", "itsm_auditcheckpoint")
MESSAGE = "the audit trail is append-only"


def _sqlite_statements(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{event.lower()} BEFORE {event} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
        for event in ("UPDATE", "DELETE")
    ]


POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION itsm_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = '{MESSAGE}: ' || TG_OP || ' on ' || TG_TABLE_NAME || ' refused',
        ERRCODE = 'integrity_constraint_violation';
END;
$$;
"""


def _postgresql_statements(table: str) -> list[str]:
    return [
        f"CREATE OR REPLACE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION itsm_audit_append_only();",
        f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION itsm_audit_append_only();",
    ]


def create_append_only_triggers(apps, schema_editor):
    """Create the triggers (idempotent) on SQLite or PostgreSQL; other databases are not supported."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = [s for table in PROTECTED_TABLES for s in _sqlite_statements(table)]
    elif vendor == "postgresql":
        statements = [
            POSTGRESQL_FUNCTION,
            *(s for table in PROTECTED_TABLES for s in _postgresql_statements(table)),
        ]
    else:
        raise NotImplementedError(f"No append-only triggers for the {vendor} database.")
    for statement in statements:
        schema_editor.execute(statement)


def drop_append_only_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in PROTECTED_TABLES:
        if vendor == "sqlite":
            for event in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event};")
        elif vendor == "postgresql":
            for name in ("no_update_delete", "no_truncate"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table};")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS itsm_audit_append_only();")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("itsm", "0003_capability_permissions_tuple"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(editable=False, unique=True, verbose_name="date")),
                ("seq", models.BigIntegerField(editable=False, verbose_name="sequence number")),
                ("hash", models.CharField(editable=False, max_length=64, verbose_name="hash")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
            ],
            options={
                "verbose_name": "audit-trail checkpoint",
                "verbose_name_plural": "audit-trail checkpoints",
                "ordering": ["-date"],
                "default_permissions": ("view",),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("seq__gte", 0)), name="itsm_auditcheckpoint_seq_not_negative"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            django.db.models.lookups.Exact(django.db.models.functions.text.Length("hash"), 64)
                        ),
                        name="itsm_auditcheckpoint_hash_length",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.BigIntegerField(editable=False, unique=True, verbose_name="sequence number")),
                ("recorded_at", models.DateTimeField(editable=False, verbose_name="recorded at")),
                ("object_id", models.CharField(editable=False, max_length=64, verbose_name="record id")),
                ("object_repr", models.CharField(editable=False, max_length=200, verbose_name="record")),
                ("action", models.CharField(editable=False, max_length=64, verbose_name="action")),
                ("reason", models.TextField(blank=True, editable=False, verbose_name="reason")),
                ("payload", models.TextField(editable=False, verbose_name="payload")),
                ("prev_hash", models.CharField(editable=False, max_length=64, verbose_name="previous hash")),
                ("hash", models.CharField(editable=False, max_length=64, unique=True, verbose_name="hash")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="record type",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit-trail entry",
                "verbose_name_plural": "audit-trail entries",
                "ordering": ["seq"],
                "default_permissions": ("view",),
                "indexes": [models.Index(fields=["content_type", "object_id"], name="itsm_audit_record_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("seq__gte", 1)), name="itsm_auditentry_seq_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            django.db.models.lookups.Exact(
                                django.db.models.functions.text.Length("hash"), 64
                            ),
                            django.db.models.lookups.Exact(
                                django.db.models.functions.text.Length("prev_hash"), 64
                            ),
                        ),
                        name="itsm_auditentry_hash_length",
                    ),
                ],
            },
        ),
        migrations.RunPython(create_append_only_triggers, drop_append_only_triggers),
    ]
