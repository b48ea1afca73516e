"""Full-text search index (PostgreSQL GIN / SQLite FTS5) and the default priority matrix."""

from typing import Any

from django.db import migrations

# impact (rows) x urgency (columns) -> priority; the incident manager changes it in the product.
DEFAULT_MATRIX = {
    1: ["P1", "P1", "P2", "P3"],
    2: ["P1", "P2", "P3", "P3"],
    3: ["P2", "P3", "P3", "P4"],
    4: ["P3", "P3", "P4", "P4"],
}


def create_search(apps: Any, schema_editor: Any) -> None:
    from incidents.search import create_search_index

    create_search_index(schema_editor)


def drop_search(apps: Any, schema_editor: Any) -> None:
    from incidents.search import drop_search_index

    drop_search_index(schema_editor)


def default_matrix(apps: Any, schema_editor: Any) -> None:
    cell = apps.get_model("incidents", "PriorityMatrix")
    for impact, row in DEFAULT_MATRIX.items():
        for urgency, priority in enumerate(row, start=1):
            cell.objects.get_or_create(impact=impact, urgency=urgency, defaults={"priority": priority})


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_incidents_requests_major_incidents")]

    operations = [
        migrations.RunPython(create_search, drop_search),
        migrations.RunPython(default_matrix, migrations.RunPython.noop),
    ]
