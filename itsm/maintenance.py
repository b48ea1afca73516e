"""Database upkeep that the embedded SQLite database has no daemon for."""

from __future__ import annotations

from django.db import connection

# Rows SQLite samples per index (``PRAGMA analysis_limit``): enough for the planner to tell a team of
# a million incidents from a list of twenty ids, and an ANALYZE of a million-row table in well under a
# second.
ANALYSIS_LIMIT = 1000
# Tables from this size on get statistics.
BIG_TABLE_ROWS = 10_000


def refresh_statistics() -> str:
    """Give the query planner statistics of the big tables as they are now.

    SQLite keeps none by itself: without them it takes any index equality for a handful of rows and
    may walk a team's million incidents to find the twenty a search matched (bench S3b). Small tables
    (teams, services, customers) are left without: with exact counts of a few rows SQLite would loop
    over them first and then sort a whole queue instead of reading it in index order (bench S3 went
    from 1x to 36x). PostgreSQL's autovacuum analyses tables as they grow: nothing to do there.
    """
    if connection.vendor != "sqlite":
        return "skipped: the database keeps its own statistics"
    analysed = []
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        # Ordinary rowid tables of the schema (not views, full-text shadow tables or SQLite's own).
        cursor.execute("PRAGMA main.table_list")
        tables = [row[1] for row in cursor.fetchall() if row[2] == "table" and not row[4]]
        for table in (name for name in tables if not name.startswith("sqlite_")):
            quoted = connection.ops.quote_name(table)
            # The highest rowid: the table's size without counting its rows.
            cursor.execute(f"SELECT MAX(rowid) FROM {quoted}")  # noqa: S608 (a table name of the schema)
            if (cursor.fetchone()[0] or 0) >= BIG_TABLE_ROWS:
                cursor.execute(f"ANALYZE {quoted}")
                analysed.append(table)
    return f"analysed {len(analysed)} tables: {', '.join(analysed)}" if analysed else "analysed 0 tables"
