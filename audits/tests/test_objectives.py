"""Service management objectives: who may set them, validation, history, pages and API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from audits.models import Objective
from audits.services import objective_create, objective_update
from audits.tests.factories import ObjectiveFactory
from itsm.choices import Role


def test_management_representative_sets_an_objective_with_history(make_user: Any) -> None:
    mr = make_user(Role.MANAGEMENT_REPRESENTATIVE)
    objective = objective_create(
        actor=mr,
        data={"code": "csat", "name": "Satisfaction", "target": Decimal("85"), "unit": "points", "owner": mr},
    )
    objective_update(objective=objective, actor=mr, data={"target": Decimal("90")}, reason="annual review")
    rows = list(objective.history.order_by("history_id"))
    assert [r.history_change_reason for r in rows] == ["create", "annual review"]
    assert all(r.history_user == mr for r in rows)
    assert rows[-1].target == Decimal("90")


def test_an_agent_cannot_change_objectives(make_user: Any) -> None:
    objective = ObjectiveFactory()
    with pytest.raises(PermissionDenied):
        objective_update(objective=objective, actor=make_user(Role.SERVICE_DESK_AGENT), data={"target": 1})
    objective.refresh_from_db()
    assert objective.target == Decimal("95")


def test_percentages_above_100_are_refused_by_form_and_database(make_user: Any) -> None:
    mr = make_user(Role.MANAGEMENT_REPRESENTATIVE)
    with pytest.raises(ValidationError) as excinfo:
        objective_create(actor=mr, data={"code": "x", "name": "X", "target": Decimal("120"), "owner": mr})
    assert "target" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Objective.objects.create(code="y", name="Y", target=Decimal("120"), unit="percent", owner=mr)


def test_create_page_keeps_input_on_error_then_saves(client: Client, make_user: Any) -> None:
    mr = make_user(Role.MANAGEMENT_REPRESENTATIVE)
    client.force_login(mr)
    data = {
        "code": "uptime",
        "name": "Availability",
        "comparison": "gte",
        "target": "130",
        "unit": "percent",
        "owner": mr.pk,
        "review_interval_months": 12,
        "status": "active",
    }
    response = client.post("/audits/objectives/new/", data)
    assert response.status_code == 400
    assert "A percentage target cannot be above 100." in response.content.decode()
    assert 'value="Availability"' in response.content.decode()
    response = client.post("/audits/objectives/new/", {**data, "target": "99.5"})
    objective = Objective.objects.get(code="uptime")
    assert response.status_code == 302
    assert objective.target_display == "≥ 99.5 %"


def test_api_create_and_update_go_through_the_services(api_client: Any, make_user: Any) -> None:
    gm = make_user(Role.TOP_MANAGEMENT)
    api_client.force_authenticate(gm)
    response = api_client.post(
        "/api/v1/objectives/",
        {"code": "repair", "name": "Repair", "target": "95", "owner": gm.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = api_client.patch(f"/api/v1/objectives/{pk}/", {"target": "101"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"target": ["A percentage target cannot be above 100."]}
    assert Objective.objects.get(pk=pk).history.latest().history_user == gm


def test_api_list_query_count_is_constant(
    api_client: Any, make_user: Any, django_assert_num_queries: Any
) -> None:
    api_client.force_authenticate(make_user(Role.SERVICE_DESK_AGENT))
    ObjectiveFactory.create_batch(2)
    api_client.get("/api/v1/objectives/")
    # One query for the page (owner and department joined); permissions come from the user's cache.
    with django_assert_num_queries(1):
        api_client.get("/api/v1/objectives/")
    ObjectiveFactory.create_batch(20)
    with django_assert_num_queries(1):
        response = api_client.get("/api/v1/objectives/")
    assert len(response.json()["results"]) == 22
