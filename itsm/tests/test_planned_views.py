"""Planned activities in the browser and the API: badges, filters, done versus due, edits with a reason,
constant query counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from itsm.choices import Role
from itsm.planned import PlannedActivity, planned_activities_run, planned_activity_create

D = datetime.date


@pytest.fixture
def mr(make_user: Any) -> Any:
    return make_user(Role.MANAGEMENT_REPRESENTATIVE)


def make(actor: Any, n: int = 1, **data: Any) -> list[PlannedActivity]:
    today = timezone.localdate()
    values = {
        "kind": "task",
        "owner": actor,
        "interval_months": 12,
        "next_due": today + datetime.timedelta(days=90),
    }
    values.update(data)
    return [
        planned_activity_create(actor=actor, data={**values, "title": f"Activity {i:03d}"}) for i in range(n)
    ]


def test_the_list_shows_status_badges_and_filters_overdue(client: Any, mr: Any) -> None:
    today = timezone.localdate()
    planned_activity_create(
        actor=mr,
        data={
            "kind": "task",
            "title": "Late review",
            "owner": mr,
            "interval_months": 12,
            "next_due": today - datetime.timedelta(days=3),
        },
    )
    planned_activity_create(
        actor=mr,
        data={
            "kind": "task",
            "title": "Far review",
            "owner": mr,
            "interval_months": 12,
            "next_due": today + datetime.timedelta(days=200),
        },
    )
    client.force_login(mr)
    page = client.get("/planned-activities/").content.decode()
    assert 'data-status="breached"' in page
    assert "Overdue" in page
    assert "On schedule" in page
    filtered = client.get("/planned-activities/?status=overdue").content.decode()
    assert "Late review" in filtered
    assert "Far review" not in filtered
    csv = b"".join(client.get("/planned-activities/?format=csv").streaming_content).decode()
    assert "Overdue" in csv
    assert "<span" not in csv


def test_the_list_query_count_does_not_grow_with_rows(
    client: Any, mr: Any, django_assert_num_queries: Any
) -> None:
    make(mr, 3)
    client.force_login(mr)
    client.get("/planned-activities/")
    # Session, user, permissions (2), the page, the unread count, the owner and team filter choices.
    with django_assert_num_queries(8) as first:
        client.get("/planned-activities/")
    make(mr, 30, next_due=timezone.localdate() + datetime.timedelta(days=10))
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get("/planned-activities/")
    assert response.content.decode().count("Activity 0") == 33


def test_the_detail_lists_cycles_done_versus_due_and_history(client: Any, mr: Any, make_user: Any) -> None:
    owner = make_user(Role.CONFIGURATION_MANAGER)
    activity = planned_activity_create(
        actor=mr,
        data={
            "kind": "task",
            "title": "DR test",
            "owner": owner,
            "interval_months": 12,
            "next_due": D(2025, 1, 10),
        },
    )
    planned_activities_run(today=D(2026, 1, 1))  # 2025 missed, 2026 drafted
    client.force_login(owner)
    page = client.get(f"/planned-activities/{activity.pk}/").content.decode()
    assert "2 due: 0 done, 1 missed, 1 open." in page
    assert "Mark done" in page  # the owner completes a task by hand
    client.force_login(make_user(Role.SERVICE_DESK_AGENT))
    page = client.get(f"/planned-activities/{activity.pk}/").content.decode()
    assert "Mark done" not in page
    assert "Edit" not in page
    partial = client.get(f"/planned-activities/{activity.pk}/?tab=history", HTTP_HX_REQUEST="true")
    assert "HX-Request" in partial["Vary"]
    assert "<html" not in partial.content.decode()
    assert "next cycle scheduled" in partial.content.decode()


def test_an_edit_needs_a_reason_which_lands_in_history(client: Any, mr: Any) -> None:
    (activity,) = make(mr)
    client.force_login(mr)
    url = f"/planned-activities/{activity.pk}/edit/"
    form = client.get(url)
    assert form.status_code == 200
    data = {
        "title": activity.title,
        "owner": mr.pk,
        "interval_months": "6",
        "interval_days": "",
        "next_due": activity.next_due.isoformat(),
        "lead_days": "30",
        "reminder_days": "7",
        "escalate_after_days": "7",
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert PlannedActivity.objects.get(pk=activity.pk).interval_months == 12

    response = client.post(url, {**data, "reason": "Semi-annual from the management review"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.interval_months == 6
    row = activity.history.latest()
    assert (row.history_user, row.history_change_reason) == (mr, "Semi-annual from the management review")

    response = client.post(url, {**data, "interval_months": "", "reason": "No interval"})
    assert response.status_code == 400
    assert "Set an interval" in response.content.decode()


def test_the_create_page_offers_the_kinds_one_may_set_up(client: Any, mr: Any) -> None:
    client.force_login(mr)
    page = client.get("/planned-activities/new/").content.decode()
    assert 'value="task"' in page
    response = client.post(
        "/planned-activities/new/",
        {
            "kind": "task",
            "title": "Customer satisfaction survey",
            "owner": mr.pk,
            "interval_months": "12",
            "next_due": "2027-06-30",
            "lead_days": "45",
            "reminder_days": "14",
            "escalate_after_days": "7",
        },
    )
    assert response.status_code == 302
    activity = PlannedActivity.objects.get(title="Customer satisfaction survey")
    assert (activity.draft_on, activity.history.latest().history_user) == (D(2027, 5, 16), mr)


def test_the_dashboard_widget_counts_due_and_overdue(client: Any, mr: Any) -> None:
    today = timezone.localdate()
    make(mr, 2, next_due=today - datetime.timedelta(days=1))
    make(mr, 1, next_due=today + datetime.timedelta(days=20))
    make(mr, 1, next_due=today + datetime.timedelta(days=120))
    client.force_login(mr)
    page = client.get("/dashboard/").content.decode()
    assert 'data-widget="planned-activities"' in page
    assert "2 overdue" in page
    assert "1 due in 30 days" in page


# API -----------------------------------------------------------------------------------------------


def test_api_list_query_count_is_constant(api_client: Any, mr: Any, django_assert_num_queries: Any) -> None:
    make(mr, 2, next_due=timezone.localdate() + datetime.timedelta(days=5))
    planned_activities_run()
    api_client.force_authenticate(mr)
    api_client.get("/api/v1/planned-activities/")
    # The page (owner and team joined) and the drafts the activities link to (one per record type).
    with django_assert_num_queries(2) as first:
        api_client.get("/api/v1/planned-activities/")
    make(mr, 20, next_due=timezone.localdate() + datetime.timedelta(days=5))
    planned_activities_run()
    with django_assert_num_queries(len(first.captured_queries)):
        response = api_client.get("/api/v1/planned-activities/")
    rows = response.json()["results"]
    assert len(rows) == 22
    assert rows[0]["last_created"]["type"] == "itsm.plannedoccurrence"
    assert rows[0]["status"] == "due"

    api_client.get("/api/v1/planned-occurrences/")
    with django_assert_num_queries(2):
        response = api_client.get("/api/v1/planned-occurrences/?state=draft_created")
    assert len(response.json()["results"]) == 22


def test_api_update_goes_through_the_service_and_needs_a_reason(
    api_client: Any, mr: Any, make_user: Any
) -> None:
    (activity,) = make(mr)
    url = f"/api/v1/planned-activities/{activity.pk}/"
    api_client.force_authenticate(make_user(Role.SERVICE_DESK_AGENT))
    assert api_client.patch(url, {"lead_days": 5, "reason": "x"}, format="json").status_code == 403
    api_client.force_authenticate(mr)
    response = api_client.patch(url, {"lead_days": 5}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    response = api_client.patch(url, {"kind": "other", "reason": "x"}, format="json")
    assert response.status_code == 400
    assert "kind" in response.json()["fields"]
    response = api_client.patch(url, {"interval_months": None, "reason": "x"}, format="json")
    assert response.status_code == 400
    assert PlannedActivity.objects.get(pk=activity.pk).lead_days == 30

    response = api_client.patch(url, {"lead_days": 5, "reason": "Short lead from now"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["lead_days"] == 5
    assert activity.history.latest().history_change_reason == "Short lead from now"


def test_api_create_and_the_occurrence_filters(api_client: Any, mr: Any, make_user: Any) -> None:
    body = {
        "kind": "task",
        "title": "BCP test",
        "owner": mr.pk,
        "interval_months": 12,
        "next_due": "2026-03-01",
    }
    api_client.force_authenticate(make_user(Role.SERVICE_LEVEL_MANAGER))
    assert api_client.post("/api/v1/planned-activities/", body, format="json").status_code == 403
    api_client.force_authenticate(mr)
    assert (
        api_client.post("/api/v1/planned-activities/", {**body, "kind": "nope"}, format="json").status_code
        == 400
    )
    response = api_client.post("/api/v1/planned-activities/", body, format="json")
    assert response.status_code == 201, response.content
    planned_activities_run(today=D(2027, 2, 15))  # 2026 missed, 2027 drafted
    missed = api_client.get("/api/v1/planned-occurrences/?state=missed&kind=task").json()["results"]
    assert [(o["due"], o["title"]) for o in missed] == [("2026-03-01", "BCP test")]
    in_2027 = api_client.get("/api/v1/planned-occurrences/?due_after=2027-01-01&due_before=2027-12-31").json()
    assert [o["state"] for o in in_2027["results"]] == ["draft_created"]
