"""Full-text search of incidents in the database itself: PostgreSQL full-text search or SQLite FTS5.

* **PostgreSQL**: a GIN index on ``to_tsvector('simple', reference || title || description ||
  resolution notes)``; queries use ``websearch_to_tsquery`` (words, "phrases", ``-not``, ``or``) with the
  same expression, so the planner uses the index.
* **SQLite**: an FTS5 table ``incidents_incident_fts`` with the trigram tokenizer (substring matching of
  three characters or more, which also suits Chinese text), kept current by triggers on the incident
  table. Django rebuilds a SQLite table (dropping its triggers) for some later schema changes, so
  ``ensure_search_index`` runs after every ``migrate`` and puts back what is missing.

``incidents.selectors.incident_search(queryset, text)`` is the one entry point for callers.
"""

from __future__ import annotations

from typing import Any

COLUMNS = ("reference", "title", "description", "resolution_notes")

PG_DOCUMENT = (
    "to_tsvector('simple'::regconfig, "
    + " || ' ' || ".join(f'coalesce("incidents_incident"."{c}", \'\')' for c in COLUMNS)
    + ")"
)
PG_INDEX = "incidents_incident_fulltext"

FTS_TABLE = "incidents_incident_fts"
_COLS = "reference, title, description, resolution_notes"
FTS_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS incidents_incident_fts USING fts5("
    "reference, title, description, resolution_notes, "
    "content='incidents_incident', content_rowid='id', tokenize='trigram')"
)
FTS_REBUILD = "INSERT INTO incidents_incident_fts(incidents_incident_fts) VALUES ('rebuild')"
SQLITE_TRIGGERS = {
    "incidents_incident_fts_ai": (
        "CREATE TRIGGER IF NOT EXISTS incidents_incident_fts_ai AFTER INSERT ON incidents_incident BEGIN "
        "INSERT INTO incidents_incident_fts(rowid, reference, title, description, resolution_notes) "
        "VALUES (new.id, new.reference, new.title, new.description, new.resolution_notes); END"
    ),
    "incidents_incident_fts_ad": (
        "CREATE TRIGGER IF NOT EXISTS incidents_incident_fts_ad AFTER DELETE ON incidents_incident BEGIN "
        "INSERT INTO incidents_incident_fts"
        "(incidents_incident_fts, rowid, reference, title, description, resolution_notes) "
        "VALUES ('delete', old.id, old.reference, old.title, old.description, old.resolution_notes); END"
    ),
    "incidents_incident_fts_au": (
        "CREATE TRIGGER IF NOT EXISTS incidents_incident_fts_au "
        "AFTER UPDATE OF reference, title, description, resolution_notes ON incidents_incident BEGIN "
        "INSERT INTO incidents_incident_fts"
        "(incidents_incident_fts, rowid, reference, title, description, resolution_notes) "
        "VALUES ('delete', old.id, old.reference, old.title, old.description, old.resolution_notes); "
        "INSERT INTO incidents_incident_fts(rowid, reference, title, description, resolution_notes) "
        "VALUES (new.id, new.reference, new.title, new.description, new.resolution_notes); END"
    ),
}


def create_search_index(schema_editor: Any) -> None:
    """Migration step: the index of the database in use (nothing on other databases)."""
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON incidents_incident USING gin (({PG_DOCUMENT}))"
        )
    elif connection.vendor == "sqlite":
        ensure_search_index(connection)


def drop_search_index(schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    elif connection.vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def ensure_search_index(connection: Any) -> bool:
    """SQLite: create the FTS5 table and its triggers where missing, and rebuild the index when anything
    was missing (rows may have changed meanwhile). Returns whether anything was repaired."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        if "incidents_incident" not in present:
            return False
        missing = [name for name in (FTS_TABLE, *SQLITE_TRIGGERS) if name not in present]
        if not missing:
            return False
        cursor.execute(FTS_CREATE)
        for sql in SQLITE_TRIGGERS.values():
            cursor.execute(sql)
        cursor.execute(FTS_REBUILD)
    return True


def fts5_query(text: str) -> str | None:
    """The user's words as an FTS5 query: each word quoted (so operators in the input are plain text),
    all words required. Words shorter than three characters cannot match a trigram index and are left
    out; None when nothing is left."""
    words = [w for w in text.split() if len(w) >= 3]
    if not words:
        return None
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)
