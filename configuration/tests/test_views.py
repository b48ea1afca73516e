"""CMDB pages: the list and its filters, the form built from the type's schema, the RFC rule in the
browser, the relationship editor, the impact graph, and query counts that do not grow with rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from configuration import services
from configuration.choices import CIState
from configuration.models import ConfigurationItem, Relationship
from service_levels.models import Service

from .factories import CITypeFactory, make_ci

SCHEMA = [
    {"key": "hostname", "label": "Host name", "type": "text", "required": True},
    {"key": "ram_gb", "label": "RAM (GB)", "type": "number"},
    {"key": "os", "label": "Operating system", "type": "choice", "choices": ["Linux", "Windows"]},
    {"key": "bought", "label": "Bought", "type": "date"},
]


@pytest.fixture
def server(rel: dict[str, Any]) -> Any:
    return CITypeFactory(
        code="server",
        name="Server",
        attribute_schema=SCHEMA,
        change_controlled=True,
        naming_rule=r"^srv-[a-z0-9-]+$",
        naming_rule_help="srv-<role>-<nn>",
        relationship_types=list(rel.values()),
    )


@pytest.fixture
def signed_in(client: Client, cfg: Any) -> Client:
    client.force_login(cfg)
    return client


def test_creating_a_ci_starts_with_the_type_and_shows_its_attributes(signed_in: Client, server: Any) -> None:
    page = signed_in.get("/configuration/cis/new/").content.decode()
    assert f"?type={server.pk}" in page
    page = signed_in.get(f"/configuration/cis/new/?type={server.pk}").content.decode()
    for label in ("Host name", "RAM (GB)", "Operating system", "Bought"):
        assert label in page
    response = signed_in.post(
        f"/configuration/cis/new/?type={server.pk}",
        {
            "name": "Mail",
            "importance": "high",
            "licence_model": "none",
            "attr_os": "Linux",
            "attr_ram_gb": "x",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "srv-&lt;role&gt;-&lt;nn&gt;" in page  # the naming rule, explained
    assert 'id="id_attr_hostname_error"' in page
    assert 'id="id_attr_ram_gb_error"' in page
    assert not ConfigurationItem.objects.exists()
    response = signed_in.post(
        f"/configuration/cis/new/?type={server.pk}",
        {
            "name": "srv-mail-01",
            "importance": "high",
            "licence_model": "none",
            "attr_hostname": "mail01",
            "attr_ram_gb": "64",
            "attr_os": "Linux",
            "attr_bought": "2025-02-03",
        },
    )
    ci = ConfigurationItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == ci.get_absolute_url()
    assert ci.attributes == {"hostname": "mail01", "ram_gb": 64, "os": "Linux", "bought": "2025-02-03"}
    page = signed_in.get(ci.get_absolute_url()).content.decode()
    assert "mail01" in page
    assert "RAM (GB)" in page


def test_editing_a_live_controlled_ci_asks_for_the_rfc(signed_in: Client, cfg: Any, server: Any) -> None:
    ci = make_ci(cfg, server, "srv-db-01", state=CIState.LIVE, attributes={"hostname": "db01"})
    form = {"name": "srv-db-01", "importance": "medium", "licence_model": "none", "attr_hostname": "db01"}
    response = signed_in.post(f"/configuration/cis/{ci.pk}/edit/", {**form, "location": "Room 9"})
    assert response.status_code == 400
    assert 'id="id_rfc_reference_error"' in response.content.decode()
    assert ConfigurationItem.objects.get(pk=ci.pk).location == ""
    response = signed_in.post(
        f"/configuration/cis/{ci.pk}/edit/", {**form, "location": "Room 9", "rfc_reference": "RFC-000077"}
    )
    assert response.status_code == 302
    ci.refresh_from_db()
    assert (ci.location, ci.rfc_reference) == ("Room 9", "RFC-000077")


def test_lifecycle_buttons_ask_for_an_rfc_on_controlled_cis(signed_in: Client, cfg: Any, server: Any) -> None:
    ci = make_ci(cfg, server, "srv-db-01", state=CIState.IN_TEST, attributes={"hostname": "db01"})
    page = signed_in.get(ci.get_absolute_url()).content.decode()
    assert 'data-transition="go_live"' in page
    assert 'id="rfc-go_live"' in page
    response = signed_in.post(f"/configuration/cis/{ci.pk}/go_live/", {"note": ""}, follow=True)
    assert "under change control" in response.content.decode()
    assert ConfigurationItem.objects.get(pk=ci.pk).state == CIState.IN_TEST
    signed_in.post(f"/configuration/cis/{ci.pk}/go_live/", {"rfc_reference": "RFC-000010"})
    assert ConfigurationItem.objects.get(pk=ci.pk).state == CIState.LIVE
    assert signed_in.get(f"/configuration/cis/{ci.pk}/go_live/").status_code == 405


def test_the_relationship_editor_adds_explains_and_removes(
    signed_in: Client, cfg: Any, server: Any, rel: dict[str, Any]
) -> None:
    app_type = CITypeFactory(code="app", name="Application", relationship_types=list(rel.values()))
    app = make_ci(cfg, app_type, "Web shop")
    host = make_ci(cfg, server, "srv-web-01", attributes={"hostname": "web01"})
    page = signed_in.get(f"{app.get_absolute_url()}?tab=relationships", HTTP_HX_REQUEST="true")
    assert "HX-Request" in page["Vary"]
    assert "<html" not in page.content.decode()
    assert 'id="relationship-form"' in page.content.decode()
    url = f"/configuration/cis/{app.pk}/relationships/new/"
    response = signed_in.post(
        url,
        {
            "relationship_type": rel["runs_on"].pk,
            "target_kind": "ci",
            "target": "no such thing",
            "reason": "x",
        },
    )
    assert response.status_code == 400
    assert "No CI has this reference or name." in response.content.decode()
    response = signed_in.post(
        url,
        {
            "relationship_type": rel["runs_on"].pk,
            "target_kind": "ci",
            "target": host.reference,
            "reason": "built",
        },
    )
    assert response.status_code == 302
    link = Relationship.objects.get()
    assert (link.source, link.target) == (app, host)
    # The loop back is refused with the reason, inline.
    response = signed_in.post(
        f"/configuration/cis/{host.pk}/relationships/new/",
        {"relationship_type": rel["runs_on"].pk, "target_kind": "ci", "target": "Web shop", "reason": "x"},
    )
    assert response.status_code == 400
    assert "close a loop" in response.content.decode()
    # Both directions are shown, with the inverse name on the target's page.
    page = signed_in.get(f"{host.get_absolute_url()}?tab=relationships").content.decode()
    assert "inverse of runs on" not in page
    assert "hosts" in page
    assert "Web shop" in page
    service = Service.objects.create(code="shop", name="Shop", owner=cfg)
    response = signed_in.post(
        url,
        {
            "relationship_type": rel["part_of"].pk,
            "target_kind": "service",
            "target_service": service.pk,
            "reason": "x",
        },
    )
    assert response.status_code == 302
    response = signed_in.post(f"/configuration/relationships/{link.pk}/remove/", {"reason": ""})
    assert response.status_code == 400
    response = signed_in.post(f"/configuration/relationships/{link.pk}/remove/", {"reason": "moved"})
    assert response.status_code == 302
    assert not Relationship.objects.filter(pk=link.pk).exists()


def test_the_impact_page_draws_the_graph_and_lists_everything(
    signed_in: Client, cfg: Any, server: Any, rel: dict[str, Any]
) -> None:
    host = make_ci(cfg, server, "srv-esx-01", attributes={"hostname": "esx"})
    for n in range(3):
        vm = make_ci(cfg, server, f"srv-vm-{n}", attributes={"hostname": f"vm{n}"})
        services.relationship_add(
            actor=cfg, source=vm, relationship_type=rel["runs_on"], target=host, reason="t"
        )
    service = Service.objects.create(code="mail", name="Mail <b>", owner=cfg)
    services.relationship_add(
        actor=cfg, source=vm, relationship_type=rel["part_of"], target_service=service, reason="t"
    )
    page = signed_in.get(f"/configuration/cis/{host.pk}/impact/").content.decode()
    assert "<svg" in page
    assert page.count('class="impact-node impact-ci"') == 4
    assert "Mail &lt;b&gt;" in page  # names are escaped, in the picture and the table
    assert 'data-kind="service"' in page
    tab = signed_in.get(f"{host.get_absolute_url()}?tab=impact", HTTP_HX_REQUEST="true").content.decode()
    assert "<svg" in tab
    assert "<html" not in tab


def test_the_list_filters_by_type_state_attribute_and_service(
    signed_in: Client, cfg: Any, server: Any, rel: dict[str, Any]
) -> None:
    linux = make_ci(cfg, server, "srv-a", attributes={"hostname": "a", "os": "Linux"})
    windows = make_ci(cfg, server, "srv-b", state=CIState.LIVE, attributes={"hostname": "b", "os": "Windows"})
    service = Service.objects.create(code="mail", name="Mail", owner=cfg)
    services.relationship_add(
        actor=cfg, source=linux, relationship_type=rel["part_of"], target_service=service, reason="t"
    )

    def names(query: str) -> set[str]:
        response = signed_in.get(f"/configuration/cis/?{query}&format=csv")
        body = b"".join(response.streaming_content).decode()
        return {name for name in ("srv-a", "srv-b") if name in body}

    assert names("attribute=os%3Dwind") == {"srv-b"}
    assert names("attribute=linux") == {"srv-a"}
    assert names("state=live") == {"srv-b"}
    assert names(f"service={service.pk}") == {"srv-a"}
    assert names(f"ci_type={server.pk}") == {"srv-a", "srv-b"}
    assert windows.reference in signed_in.get("/configuration/cis/?q=srv-b").content.decode()


def test_list_page_queries_do_not_grow_with_rows(
    signed_in: Client, cfg: Any, server: Any, django_assert_num_queries: Any
) -> None:
    make_ci(cfg, server, "srv-0", attributes={"hostname": "h"})
    signed_in.get("/configuration/cis/")  # warm the session and content types

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert signed_in.get("/configuration/cis/?state=planned").status_code == 200
        return len(queries)

    few = count()
    for n in range(1, 12):
        make_ci(cfg, server, f"srv-{n}", attributes={"hostname": "h"}, owner=cfg)
    assert count() == few
    with django_assert_num_queries(few):
        signed_in.get("/configuration/cis/?state=planned")
