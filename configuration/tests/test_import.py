"""CSV import of CIs and relationships: dry run, per-row errors with row and column, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from configuration import services
from configuration.choices import CIState
from configuration.imports import IMPORT_REASON, ImportKind, import_csv, template_columns, template_csv
from configuration.models import ConfigurationItem, Relationship
from itsm.choices import Role
from itsm.records import ReferenceSequence
from service_levels.models import Service, ServiceComponent

from .factories import CITypeFactory, make_ci

SCHEMA = [
    {"key": "ram_gb", "label": "RAM (GB)", "type": "number", "required": True},
    {"key": "os", "label": "Operating system", "type": "choice", "choices": ["Linux", "Windows"]},
    {"key": "cluster", "label": "Cluster", "type": "reference", "reference_type": "cluster"},
]
HEADER = "type,name,owner,importance,attributes.ram_gb,attributes.os,attributes.cluster\n"


@pytest.fixture
def types(cfg: Any, rel: dict[str, Any]) -> dict[str, Any]:
    cluster = CITypeFactory(code="cluster", name="Cluster", relationship_types=list(rel.values()))
    server = CITypeFactory(
        code="server",
        name="Server",
        attribute_schema=SCHEMA,
        naming_rule=r"^srv-[a-z0-9-]+$",
        relationship_types=[rel["runs_on"], rel["depends_on"], rel["part_of"]],
    )
    return {"cluster": cluster, "server": server, "c1": make_ci(cfg, cluster, "c1", state=CIState.LIVE)}


def _sequence() -> int:
    row = ReferenceSequence.objects.filter(prefix="CI").first()
    return row.last_value if row else 0


def test_a_dry_run_checks_every_row_and_writes_nothing(cfg: Any, types: dict[str, Any]) -> None:
    before, sequence = ConfigurationItem.objects.count(), _sequence()
    content = HEADER + "server,srv-a,cfg,high,64,Linux,c1\nServer,srv-b,,,32,,CI-000001\n"

    result = import_csv(actor=cfg, kind=ImportKind.CIS, content=content.encode())

    assert result.ok
    assert result.rows == 2
    assert [row for row, _label in result.created] == [2, 3]
    assert not result.committed
    assert ConfigurationItem.objects.count() == before
    assert _sequence() == sequence


def test_a_commit_creates_every_row_with_the_history_reason_csv_import(
    cfg: Any, types: dict[str, Any]
) -> None:
    content = HEADER + "server,srv-a,cfg,high,64,Linux,c1\nserver,srv-b,,,32.5,,\n"

    result = import_csv(actor=cfg, kind=ImportKind.CIS, content=content, commit=True)

    assert result.committed
    srv_a = ConfigurationItem.objects.get(name="srv-a")
    assert srv_a.owner == cfg
    assert srv_a.importance == "high"
    assert srv_a.attributes == {"ram_gb": 64, "os": "Linux", "cluster": types["c1"].reference}
    assert ConfigurationItem.objects.get(name="srv-b").attributes == {"ram_gb": 32.5}
    history = srv_a.history.get()
    assert history.history_change_reason == IMPORT_REASON
    assert history.history_user == cfg


def test_row_errors_name_the_row_and_the_column_and_a_commit_writes_nothing(
    cfg: Any, types: dict[str, Any]
) -> None:
    make_ci(cfg, types["server"], "srv-taken", attributes={"ram_gb": 1})
    before, sequence = ConfigurationItem.objects.count(), _sequence()
    content = (
        HEADER
        + "server,srv-good,,,8,,\n"  # 2: fine
        + "router,srv-x,,,8,,\n"  # 3: bad type
        + "server,srv-y,,,,,\n"  # 4: missing required attribute
        + "server,srv-z,,,8,,nowhere\n"  # 5: unknown reference
        + "server,srv-good,,,8,,\n"  # 6: duplicate in the file
        + "server,srv-taken,,,8,,\n"  # 7: duplicate of an existing CI
        + "server,Bad Name,,,8,,\n"  # 8: naming rule
        + "server,srv-w,nobody,urgent,eight,BSD,\n"  # 9: owner, importance, number, choice
    )

    result = import_csv(actor=cfg, kind=ImportKind.CIS, content=content, commit=True)

    assert not result.committed
    errors = {(e.row, e.column) for e in result.errors}
    assert (3, "type") in errors
    assert (4, "attributes") in errors
    assert any(e.row == 4 and "RAM (GB)" in e.message for e in result.errors)
    assert (5, "attributes.cluster") in errors
    assert (6, "name") in errors
    assert any(e.row == 6 and "row 2" in e.message for e in result.errors)
    assert (7, "name") in errors
    assert (8, "name") in errors
    assert {(9, "owner"), (9, "importance")} <= errors
    assert not any(e.row == 2 for e in result.errors)
    assert [row for row, _label in result.created] == [2]
    assert ConfigurationItem.objects.count() == before
    assert _sequence() == sequence
    assert result.as_dict()["errors"][0]["row"] == 3


def test_a_row_that_passes_the_import_checks_but_fails_the_service_is_reported(
    cfg: Any, types: dict[str, Any]
) -> None:
    result = import_csv(actor=cfg, kind=ImportKind.CIS, content=HEADER + "server,srv-w,,,8,BSD,\n")
    assert [(e.row, e.column) for e in result.errors] == [(2, "attributes")]
    assert "Operating system" in result.errors[0].message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("type,name\nserver,srv-é\n".encode("latin-1"), "UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV"),
        (b"", "empty"),
        (b"type,name\n", "no rows"),
        (b"colour,size\nred,big\n", "first row must name the columns"),
        (b"type,name,colour\nserver,srv-a,red\n", "Unknown columns: colour"),
        (b"type,name,name\nserver,srv-a,srv-b\n", "named twice"),
        (b'type,name\nserver,"srv-a\n', "not a valid CSV"),
    ],
)
def test_a_file_that_is_not_a_readable_csv_is_refused_as_a_whole(
    cfg: Any, types: dict[str, Any], content: bytes, message: str
) -> None:
    before = ConfigurationItem.objects.count()
    result = import_csv(actor=cfg, kind=ImportKind.CIS, content=content, commit=True)
    assert message in result.file_error
    assert not result.committed
    assert ConfigurationItem.objects.count() == before


def test_semicolons_a_byte_order_mark_and_a_default_type_are_accepted(
    cfg: Any, types: dict[str, Any]
) -> None:
    content = "\ufeffname;attributes.ram_gb\nsrv-a;4\n".encode()
    result = import_csv(
        actor=cfg, kind=ImportKind.CIS, content=content, commit=True, default_type=types["server"]
    )
    assert result.committed
    assert ConfigurationItem.objects.get(name="srv-a").attributes == {"ram_gb": 4}
    without_type = import_csv(actor=cfg, kind=ImportKind.CIS, content="name;attributes.ram_gb\nsrv-b;4\n")
    assert [(e.row, e.column) for e in without_type.errors] == [(2, "type")]


def test_people_who_may_not_create_cis_import_nothing(make_user: Any, types: dict[str, Any]) -> None:
    agent = make_user(Role.SERVICE_DESK_AGENT)
    with pytest.raises(PermissionDenied):
        import_csv(actor=agent, kind=ImportKind.CIS, content=HEADER + "server,srv-a,,,8,,\n", commit=True)
    with pytest.raises(PermissionDenied):
        import_csv(actor=agent, kind=ImportKind.RELATIONSHIPS, content="source\nx\n")
    assert not ConfigurationItem.objects.filter(name="srv-a").exists()


def test_templates_list_the_columns_of_a_type(types: dict[str, Any]) -> None:
    columns = template_columns(ImportKind.CIS, types["server"])
    assert columns[:2] == ["type", "name"]
    assert columns[-3:] == ["attributes.ram_gb", "attributes.os", "attributes.cluster"]
    assert template_csv(ImportKind.RELATIONSHIPS).startswith("\ufeffsource,relationship,target,")


@pytest.fixture
def network(cfg: Any, types: dict[str, Any]) -> dict[str, Any]:
    server = types["server"]
    erp = Service.objects.create(code="erp", name="ERP", owner=cfg)
    return {
        "a": make_ci(cfg, server, "srv-a", attributes={"ram_gb": 1}),
        "b": make_ci(cfg, server, "srv-b", attributes={"ram_gb": 1}),
        "erp": erp,
        "component": ServiceComponent.objects.create(service=erp, name="database"),
    }


REL_HEADER = "source,relationship,target,target_service,target_component,description\n"


def test_relationships_are_imported_by_reference_or_name_to_cis_services_and_components(
    cfg: Any, network: dict[str, Any]
) -> None:
    a, b = network["a"], network["b"]
    content = (
        REL_HEADER
        + f"{a.reference},runs-on,srv-b,,,\n"
        + "srv-a,part of,,erp,,the ERP\n"
        + "SRV-B,part-of,,,erp/database,\n"
    )
    dry = import_csv(actor=cfg, kind=ImportKind.RELATIONSHIPS, content=content)
    assert dry.ok
    assert not Relationship.objects.exists()

    result = import_csv(actor=cfg, kind=ImportKind.RELATIONSHIPS, content=content, commit=True)
    assert result.committed
    assert Relationship.objects.filter(source=a, target=b).exists()
    assert Relationship.objects.get(target_service=network["erp"]).description == "the ERP"
    assert Relationship.objects.filter(source=b, target_component=network["component"]).exists()
    assert {h.history_change_reason for h in Relationship.history.all()} == {IMPORT_REASON}


def test_relationship_rows_with_errors_are_reported_and_nothing_is_linked(
    cfg: Any, network: dict[str, Any], rel: dict[str, Any]
) -> None:
    a, b = network["a"], network["b"]
    services.relationship_add(actor=cfg, source=b, relationship_type=rel["runs_on"], target=a)
    content = (
        REL_HEADER
        + "srv-a,depends-on,srv-b,,,\n"  # 2: fine
        + "CI-999999,runs-on,srv-b,,,\n"  # 3: unknown source
        + "srv-a,flies-to,srv-b,,,\n"  # 4: unknown type
        + "srv-a,connects-to,srv-b,,,\n"  # 5: not allowed for servers
        + "srv-a,runs-on,srv-b,,,\n"  # 6: closes a loop
        + "srv-b,runs-on,srv-a,,,\n"  # 7: exists already
        + "srv-a,depends-on,srv-b,,,\n"  # 8: twice in the file
        + "srv-a,part-of,srv-b,erp,,\n"  # 9: two targets
        + "srv-a,part-of,,nope,,\n"  # 10: unknown service
        + "srv-a,part-of,,,erp/nothing,\n"  # 11: unknown component
    )
    result = import_csv(actor=cfg, kind=ImportKind.RELATIONSHIPS, content=content, commit=True)

    errors = {(e.row, e.column) for e in result.errors}
    assert errors >= {
        (3, "source"),
        (4, "relationship"),
        (5, "relationship"),
        (6, "target"),
        (8, "target"),
        (9, "target"),
        (10, "target_service"),
        (11, "target_component"),
    }
    assert any(e.row == 7 for e in result.errors)
    assert not any(e.row == 2 for e in result.errors)
    assert not result.committed
    assert Relationship.objects.count() == 1


# Pages, API and the CI list's export ------------------------------------------------------------------


def test_the_ci_list_exports_the_typed_attributes_as_columns_when_one_type_is_chosen(
    client: Any, cfg: Any, types: dict[str, Any]
) -> None:
    make_ci(cfg, types["server"], "srv-a", attributes={"ram_gb": 64, "os": "Linux"})
    client.force_login(cfg)
    response = client.get(f"/configuration/cis/?format=csv&ci_type={types['server'].pk}")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].endswith("RAM (GB),Operating system,Cluster")
    assert lines[1].endswith("64,Linux,")
    plain = client.get("/configuration/cis/?format=csv")
    header = b"".join(plain.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert "RAM (GB)" not in header


def test_the_import_page_checks_then_imports_all_or_nothing(
    client: Any, cfg: Any, types: dict[str, Any]
) -> None:
    client.force_login(cfg)
    assert client.get("/configuration/imports/").status_code == 200
    good = SimpleUploadedFile("cis.csv", (HEADER + "server,srv-a,,,8,,\n").encode(), content_type="text/csv")
    response = client.post("/configuration/imports/", {"kind": "cis", "file": good})
    assert response.status_code == 200
    assert b'data-testid="preview-ok"' in response.content
    assert not ConfigurationItem.objects.filter(name="srv-a").exists()
    content = response.context["commit_form"].initial["content"]

    response = client.post("/configuration/imports/", {"kind": "cis", "ci_type": "", "content": content})
    assert response.status_code == 200
    assert b'data-testid="imported"' in response.content
    assert ConfigurationItem.objects.get(name="srv-a").history.get().history_change_reason == IMPORT_REASON

    again = client.post("/configuration/imports/", {"kind": "cis", "ci_type": "", "content": content})
    assert again.status_code == 400  # the name is taken now: nothing more is written
    assert b'data-testid="row-errors"' in again.content
    assert ConfigurationItem.objects.filter(name="srv-a").count() == 1


def test_the_import_page_shows_row_errors_and_file_errors(
    client: Any, cfg: Any, types: dict[str, Any]
) -> None:
    client.force_login(cfg)
    bad = SimpleUploadedFile("cis.csv", (HEADER + "router,srv-a,,,8,,\n").encode(), content_type="text/csv")
    response = client.post("/configuration/imports/", {"kind": "cis", "file": bad})
    assert response.status_code == 400
    assert b"router" in response.content
    assert response.context["commit_form"] is None
    latin = SimpleUploadedFile("cis.csv", "type,name\nserver,srv-é\n".encode("latin-1"))
    response = client.post("/configuration/imports/", {"kind": "cis", "file": latin})
    assert response.status_code == 400
    assert b'data-testid="file-error"' in response.content
    response = client.post("/configuration/imports/", {"kind": "cis"})
    assert response.status_code == 400  # no file: the form says so


def test_templates_download_as_csv(client: Any, cfg: Any, types: dict[str, Any]) -> None:
    client.force_login(cfg)
    response = client.get(f"/configuration/imports/template/?kind=cis&ci_type={types['server'].pk}")
    assert response["Content-Disposition"] == 'attachment; filename="import-cis-server.csv"'
    assert "attributes.ram_gb" in response.content.decode("utf-8-sig")


def test_the_import_api_checks_commits_and_answers_errors_in_the_one_shape(
    api_client: Any, cfg: Any, types: dict[str, Any]
) -> None:
    api_client.force_authenticate(cfg)

    def post(content: bytes, commit: bool) -> Any:
        upload = SimpleUploadedFile("cis.csv", content, content_type="text/csv")
        return api_client.post(
            "/api/v1/ci-imports/", {"kind": "cis", "file": upload, "commit": commit}, format="multipart"
        )

    checked = post((HEADER + "server,srv-a,,,8,,\nrouter,srv-b,,,8,,\n").encode(), False)
    assert checked.status_code == 200
    assert checked.json()["errors"] == [{"row": 3, "column": "type", "message": "No CI type “router”."}]
    refused = post((HEADER + "server,srv-a,,,8,,\nrouter,srv-b,,,8,,\n").encode(), True)
    assert refused.status_code == 400
    assert refused.json()["code"] == "validation_error"
    assert refused.json()["fields"]["rows"]["3"]["type"] == ["No CI type “router”."]
    assert not ConfigurationItem.objects.filter(name="srv-a").exists()
    unreadable = post(b"\x00\x01\x02", True)
    assert unreadable.status_code == 400
    assert unreadable.json()["fields"]["file"] == ["This is not a CSV file."]
    done = post((HEADER + "server,srv-a,,,8,,\n").encode(), True)
    assert done.status_code == 200
    assert done.json()["committed"] is True
