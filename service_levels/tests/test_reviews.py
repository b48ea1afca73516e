"""Service reviews: planned by the planned-activity job with the performance attached, held with
minutes, closed or cancelled; overdue marking; report definitions; pages and API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from itsm import planned
from itsm.choices import Role
from itsm.notifications import Notification
from itsm.records import TransitionLog
from service_levels import review_services, services
from service_levels.models import ReportDefinition, ServiceReview

from .report_fixtures import Catalogue, make_agreement, make_catalogue, make_clock, make_incident

UTC = datetime.UTC


@pytest.fixture
def slm(make_user: Any) -> Any:
    return make_user(Role.SERVICE_LEVEL_MANAGER)


@pytest.fixture
def cat(slm: Any) -> Catalogue:
    return make_catalogue(slm)


def _performance_clocks(cat: Catalogue, slm: Any) -> None:
    """In 2025 for the Acme SLA: response 1 met + 1 breached, resolution 1 met."""
    one = make_incident(owner=slm, customer=cat.acme, service=cat.email)
    two = make_incident(owner=slm, customer=cat.acme, service=cat.erp)
    start = datetime.datetime(2025, 3, 3, 9, tzinfo=UTC)
    hour = datetime.timedelta(hours=1)
    make_clock(
        record=one,
        agreement=cat.sla_acme,
        kind="response",
        state="met",
        started_at=start,
        due_at=start + hour,
        stopped_at=start + hour / 2,
    )
    make_clock(
        record=one,
        agreement=cat.sla_acme,
        kind="resolution",
        state="met",
        started_at=start,
        due_at=start + 8 * hour,
        stopped_at=start + 2 * hour,
    )
    make_clock(
        record=two,
        agreement=cat.sla_acme,
        kind="response",
        state="breached",
        started_at=start,
        due_at=start + hour,
        breached_at=start + hour,
        stopped_at=start + 3 * hour,
        priority="P1",
    )
    # Another agreement's clock: not in Acme's performance.
    make_clock(record=two, agreement=cat.sla_globex, kind="response", state="breached", started_at=start,
               due_at=start + hour, breached_at=start + hour, stopped_at=start + 3 * hour)  # fmt: skip


def _review(cat: Catalogue, slm: Any, **kwargs: Any) -> ServiceReview:
    values = {
        "agreement": cat.sla_acme,
        "due_on": datetime.date(2026, 1, 15),
        "period_start": datetime.date(2025, 1, 1),
        "period_end": datetime.date(2025, 12, 31),
    }
    values.update(kwargs)
    return review_services.service_review_create(actor=slm, **values)


def test_a_review_carries_the_agreements_performance(cat: Catalogue, slm: Any) -> None:
    _performance_clocks(cat, slm)
    review = _review(cat, slm)
    assert review.reference.startswith("SLR-")
    assert review.owner == slm
    assert review.state == "planned"
    perf = review.performance
    assert perf["period"] == {"from": "2025-01-01", "to": "2025-12-31"}
    assert perf["agreement"]["reference"] == cat.sla_acme.reference
    assert perf["total"]["response"] == {"met": 1, "breached": 1, "total": 2, "percent": "50.0"}
    assert perf["total"]["resolution"] == {"met": 1, "breached": 0, "total": 1, "percent": "100.0"}
    assert [row["key"] for row in perf["by_priority"]] == ["P1", "P2"]
    assert [row["label"] for row in perf["by_month"]] == ["2025-03"]
    assert perf["records"] == 2
    assert perf["breach_count"] == 1
    assert perf["complete"] is True
    assert [h.history_change_reason for h in review.history.all()] == ["create"]


def test_refreshing_the_performance_while_planned(cat: Catalogue, slm: Any) -> None:
    review = _review(cat, slm)
    assert review.performance["total"]["response"]["total"] == 0
    _performance_clocks(cat, slm)
    review_services.service_review_refresh_performance(review=review, actor=slm)
    assert review.performance["total"]["response"]["total"] == 2
    review_services.service_review_hold(review=review, actor=slm, minutes="Discussed")
    with pytest.raises(PermissionDenied):  # what was discussed stays as it was
        review_services.service_review_refresh_performance(review=review, actor=slm)


def test_hold_needs_minutes_then_close(cat: Catalogue, slm: Any) -> None:
    review = _review(cat, slm)
    with pytest.raises(ValidationError) as error:
        review_services.service_review_hold(review=review, actor=slm, minutes="  ")
    assert "minutes" in error.value.message_dict
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        review_services.service_review_hold(review=review, actor=slm, minutes="m", held_on=tomorrow)
    review.refresh_from_db()
    assert review.state == "planned"
    review_services.service_review_hold(
        review=review,
        actor=slm,
        minutes="Targets met except P1 response.",
        actions="Add a P1 rota",
        attendees="A, B",
    )
    review.refresh_from_db()
    assert (review.state, review.held_on, review.actions) == ("held", timezone.localdate(), "Add a P1 rota")
    review_services.service_review_close(review=review, actor=slm)
    assert review.state == "closed"
    assert list(
        TransitionLog.objects.filter(reference=review.reference).values_list("transition", flat=True)
    ) == [
        "hold",
        "close",
    ]
    with pytest.raises(TransitionNotAllowed):
        review_services.service_review_cancel(review=review, actor=slm, note="too late")


def test_cancel_needs_a_reason_and_only_planned_reviews_are_edited(cat: Catalogue, slm: Any) -> None:
    review = _review(cat, slm)
    review_services.service_review_update(review=review, actor=slm, data={"title": "Annual review with Acme"})
    assert review.title == "Annual review with Acme"
    with pytest.raises(ValidationError):
        review_services.service_review_update(review=review, actor=slm, data={"minutes": "sneaky"})
    with pytest.raises(ValidationError):
        review_services.service_review_cancel(review=review, actor=slm, note="")
    review_services.service_review_cancel(review=review, actor=slm, note="Customer postponed to next year")
    assert review.state == "cancelled"
    with pytest.raises(PermissionDenied):
        review_services.service_review_update(review=review, actor=slm, data={"title": "x"})


def test_only_service_level_managers_write_reviews(cat: Catalogue, slm: Any, make_user: Any) -> None:
    agent = make_user(Role.SERVICE_DESK_AGENT)
    with pytest.raises(PermissionDenied):
        _review(cat, agent)
    review = _review(cat, slm)
    with pytest.raises(PermissionDenied):
        review_services.service_review_hold(review=review, actor=agent, minutes="m")
    review.refresh_from_db()
    assert review.state == "planned"
    assert ServiceReview.objects.count() == 1


def test_overdue_marking(cat: Catalogue, slm: Any) -> None:
    today = timezone.localdate()
    late = _review(cat, slm, due_on=today - datetime.timedelta(days=3))
    on_time = _review(cat, slm, due_on=today + datetime.timedelta(days=3))
    assert review_services.review_is_overdue(late)
    assert not review_services.review_is_overdue(on_time)
    review_services.service_review_hold(review=late, actor=slm, minutes="Held late")
    assert not review_services.review_is_overdue(late)


# The planned activity ------------------------------------------------------------------------------


def _agree(cat: Catalogue, slm: Any, **kwargs: Any) -> Any:
    draft = make_agreement(
        kind="sla",
        title="Acme SLA 2026",
        owner=slm,
        calendar=cat.calendar,
        customer=cat.acme,
        services=[cat.email],
        state="draft",
        **kwargs,
    )
    return services.agreement_agree(agreement=draft, actor=slm)


def test_agreeing_an_agreement_plans_its_review(cat: Catalogue, slm: Any) -> None:
    agreement = _agree(cat, slm, effective_from=timezone.localdate())
    activity = planned.activities_for(agreement).get()
    assert activity.kind == "sla_review"
    assert activity.owner == slm
    assert activity.interval_months == 12
    assert activity.next_due == planned.add_months(timezone.localdate(), 12)
    assert activity.lead_days == 30
    # Ensuring again changes nothing.
    assert review_services.agreement_review_plan_ensure(agreement=agreement, actor=slm) == activity
    assert planned.activities_for(agreement).count() == 1


def test_a_back_dated_agreement_plans_its_next_review_not_missed_ones(cat: Catalogue, slm: Any) -> None:
    today = timezone.localdate()
    agreement = _agree(cat, slm, effective_from=today - datetime.timedelta(days=800))
    activity = planned.activities_for(agreement).get()
    assert today <= activity.next_due <= planned.add_months(today, 12)


def test_the_planned_job_creates_the_review_ahead_with_performance(cat: Catalogue, slm: Any) -> None:
    _performance_clocks(cat, slm)
    activity = review_services.agreement_review_plan_ensure(agreement=cat.sla_acme, actor=slm)
    # cat.sla_acme took effect on 2025-01-01: first review due 2026-01-01 or later.
    due = activity.next_due
    assert planned.planned_activities_run(today=due - datetime.timedelta(days=31)).drafts_created == 0
    summary = planned.planned_activities_run(today=due - datetime.timedelta(days=30))
    assert summary.drafts_created == 1
    review = ServiceReview.objects.get()
    assert (review.agreement, review.due_on, review.owner) == (cat.sla_acme, due, slm)
    assert review.period_start == datetime.date(2025, 1, 1)
    assert review.period_end == due - datetime.timedelta(days=1)
    assert review.performance["total"]["response"]["percent"] == "50.0"
    assert review.history.get().history_change_reason == "planned_draft"
    # Running again creates nothing more.
    assert planned.planned_activities_run(today=due - datetime.timedelta(days=30)).drafts_created == 0
    assert ServiceReview.objects.count() == 1


def test_holding_the_review_completes_the_cycle_and_the_next_covers_the_period_since(
    cat: Catalogue, slm: Any
) -> None:
    activity = review_services.agreement_review_plan_ensure(agreement=cat.sla_acme, actor=slm)
    due = activity.next_due
    planned.planned_activities_run(today=due - datetime.timedelta(days=30))
    review = ServiceReview.objects.get()
    review_services.service_review_hold(
        review=review, actor=slm, minutes="All fine", held_on=timezone.localdate()
    )
    activity.refresh_from_db()
    assert activity.next_due == planned.add_months(due, 12)
    occurrence = activity.occurrences.get(due=due)
    assert occurrence.state == "done"
    planned.planned_activities_run(today=activity.next_due - datetime.timedelta(days=30))
    second = ServiceReview.objects.exclude(pk=review.pk).get()
    assert second.period_start == review.period_end + datetime.timedelta(days=1)
    assert second.period_end == activity.next_due - datetime.timedelta(days=1)


def test_a_missed_review_is_escalated(cat: Catalogue, slm: Any) -> None:
    activity = review_services.agreement_review_plan_ensure(agreement=cat.sla_acme, actor=slm)
    due = activity.next_due
    planned.planned_activities_run(today=due - datetime.timedelta(days=30))
    review = ServiceReview.objects.get()
    summary = planned.planned_activities_run(
        today=due + datetime.timedelta(days=activity.escalate_after_days)
    )
    assert summary.escalated == 1
    assert Notification.objects.filter(event="planned.escalation", url=review.get_absolute_url()).exists()
    assert review_services.review_is_overdue(review, today=due + datetime.timedelta(days=1))


def test_a_revision_takes_over_the_review_schedule(cat: Catalogue, slm: Any) -> None:
    first = review_services.agreement_review_plan_ensure(agreement=cat.sla_acme, actor=slm)
    revision = services.agreement_revise(agreement=cat.sla_acme, actor=slm)
    revision.effective_from = timezone.localdate()
    revision.save()
    services.agreement_agree(agreement=revision, actor=slm)
    second = planned.activities_for(revision).get()
    first.refresh_from_db()
    assert second.next_due == first.next_due
    assert first.is_active is False
    assert first.history.first().history_change_reason == f"Superseded by {revision.reference}"


# Report definitions ---------------------------------------------------------------------------------

DEFINITION = {
    "code": "acme-monthly",
    "name": "Acme monthly service report",
    "purpose": "Show Acme the attainment of its SLA",
    "audience": "Acme IT manager",
    "frequency": "monthly",
    "source": "sla_attainment",
    "agreed_with": "Acme IT manager, 2025-01-10",
}


def test_report_definitions_are_written_by_service_level_managers(
    cat: Catalogue, slm: Any, make_user: Any
) -> None:
    definition = review_services.report_definition_create(
        actor=slm, data={**DEFINITION, "owner": slm, "customer": cat.acme}
    )
    review_services.report_definition_update(
        definition=definition, actor=slm, data={"frequency": "quarterly"}
    )
    assert [h.history_change_reason for h in definition.history.order_by("history_id")] == [
        "create",
        "update",
    ]
    with pytest.raises(PermissionDenied):
        review_services.report_definition_create(
            actor=make_user(Role.INTERNAL_AUDITOR), data={**DEFINITION, "code": "x", "owner": slm}
        )
    assert ReportDefinition.objects.count() == 1


# Pages ----------------------------------------------------------------------------------------------


def test_review_pages(client: Client, cat: Catalogue, slm: Any) -> None:
    _performance_clocks(cat, slm)
    late = _review(cat, slm, due_on=timezone.localdate() - datetime.timedelta(days=2))
    client.force_login(slm)
    listing = client.get("/service-levels/reviews/").content.decode()
    assert late.reference in listing
    assert 'data-overdue="1"' in listing
    assert late.reference in client.get("/service-levels/reviews/?overdue=true").content.decode()
    assert late.reference not in client.get("/service-levels/reviews/?overdue=false").content.decode()
    detail = client.get(late.get_absolute_url()).content.decode()
    assert 'data-testid="overdue"' in detail
    assert 'data-testid="performance-total"' in detail
    assert "50.0 %" in detail
    assert 'data-transition="cancel"' in detail
    assert 'data-transition="close"' not in detail
    assert "Record the meeting" in detail
    assert client.get(f"{late.get_absolute_url()}?tab=timeline").status_code == 200
    csv_text = b"".join(client.get("/service-levels/reviews/?format=csv").streaming_content).decode()
    assert "(overdue)" in csv_text
    assert "<span" not in csv_text


def test_holding_a_review_in_the_browser(client: Client, cat: Catalogue, slm: Any) -> None:
    review = _review(cat, slm)
    client.force_login(slm)
    url = f"/service-levels/reviews/{review.pk}/hold/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"held_on": timezone.localdate().isoformat(), "minutes": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    response = client.post(
        url, {"held_on": timezone.localdate().isoformat(), "minutes": "We met.", "actions": "None"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == "held"
    assert client.get(url).status_code == 200  # the form shows; posting again is refused
    response = client.post(url, {"held_on": timezone.localdate().isoformat(), "minutes": "Again"})
    assert "not allowed in the record" in response.content.decode()
    response = client.post(f"/service-levels/reviews/{review.pk}/close/", follow=True)
    assert "Done:" in response.content.decode()
    review.refresh_from_db()
    assert review.state == "closed"
    assert client.get(f"/service-levels/reviews/{review.pk}/close/").status_code == 405


def test_creating_and_editing_a_review_in_the_browser(client: Client, cat: Catalogue, slm: Any) -> None:
    client.force_login(slm)
    assert client.get("/service-levels/reviews/new/").status_code == 200
    response = client.post(
        "/service-levels/reviews/new/",
        {
            "agreement": cat.sla_acme.pk,
            "due_on": "2026-03-01",
            "period_start": "2025-12-31",
            "period_end": "2025-01-01",
        },
    )
    assert response.status_code == 400
    assert not ServiceReview.objects.exists()
    response = client.post(
        "/service-levels/reviews/new/",
        {
            "agreement": cat.sla_acme.pk,
            "due_on": "2026-03-01",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
    )
    review = ServiceReview.objects.get()
    assert response["Location"] == review.get_absolute_url()
    assert review.owner == slm
    assert review.title.startswith("Service review of SLA-")
    response = client.post(
        f"/service-levels/reviews/{review.pk}/edit/",
        {"title": "Acme annual review", "owner": slm.pk, "due_on": "2026-03-02", "period_start": "2025-01-01",
         "period_end": "2025-12-31", "attendees": "Acme IT manager"},
    )  # fmt: skip
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.title, review.due_on) == ("Acme annual review", datetime.date(2026, 3, 2))


def test_report_definition_pages(client: Client, cat: Catalogue, slm: Any) -> None:
    client.force_login(slm)
    response = client.post(
        "/service-levels/report-definitions/new/", {**DEFINITION, "owner": slm.pk, "is_active": "on"}
    )
    definition = ReportDefinition.objects.get()
    assert response["Location"] == definition.get_absolute_url()
    page = client.get(definition.get_absolute_url()).content.decode()
    assert "Acme IT manager" in page
    assert "Run the report" in page
    assert "acme-monthly" in client.get("/service-levels/report-definitions/").content.decode()
    assert client.get(f"{definition.get_absolute_url()}?tab=history").status_code == 200
    response = client.post(
        f"/service-levels/report-definitions/{definition.pk}/edit/",
        {**DEFINITION, "owner": slm.pk, "audience": ""},
    )
    assert response.status_code == 400


# API ------------------------------------------------------------------------------------------------


def test_review_api(api_client: Any, cat: Catalogue, slm: Any, make_user: Any) -> None:
    _performance_clocks(cat, slm)
    api_client.force_authenticate(slm)
    response = api_client.post(
        "/api/v1/service-reviews/",
        {
            "agreement": cat.sla_acme.pk,
            "due_on": "2026-02-01",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["performance"]["total"]["response"]["percent"] == "50.0"
    assert sorted(body["allowed_transitions"]) == ["cancel", "hold"]
    pk = body["id"]
    response = api_client.post(f"/api/v1/service-reviews/{pk}/hold/", {"minutes": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "minutes" in response.json()["fields"]
    response = api_client.post(f"/api/v1/service-reviews/{pk}/refresh-performance/", format="json")
    assert response.status_code == 200
    response = api_client.post(
        f"/api/v1/service-reviews/{pk}/hold/", {"minutes": "Met", "actions": "A1"}, format="json"
    )
    assert response.json()["state"] == "held"
    assert (
        api_client.post(f"/api/v1/service-reviews/{pk}/cancel/", {"note": "x"}, format="json").status_code
        == 400
    )
    assert (
        api_client.post(f"/api/v1/service-reviews/{pk}/close/", {}, format="json").json()["state"] == "closed"
    )
    listing = api_client.get("/api/v1/service-reviews/?state=closed").json()
    assert [r["id"] for r in listing["results"]] == [pk]
    api_client.force_authenticate(make_user(Role.SERVICE_DESK_AGENT))
    assert api_client.get(f"/api/v1/service-reviews/{pk}/").status_code == 200
    assert (
        api_client.post(f"/api/v1/service-reviews/{pk}/cancel/", {"note": "x"}, format="json").status_code
        == 403
    )


def test_report_definition_api(api_client: Any, cat: Catalogue, slm: Any, make_user: Any) -> None:
    api_client.force_authenticate(slm)
    response = api_client.post("/api/v1/report-definitions/", {**DEFINITION, "owner": slm.pk}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = api_client.patch(f"/api/v1/report-definitions/{pk}/", {"source": "breaches"}, format="json")
    assert response.json()["source"] == "breaches"
    bad = api_client.patch(f"/api/v1/report-definitions/{pk}/", {"source": "tea-leaves"}, format="json")
    assert bad.status_code == 400
    assert "source" in bad.json()["fields"]
    api_client.force_authenticate(make_user(Role.INTERNAL_AUDITOR))
    assert api_client.get("/api/v1/report-definitions/").status_code == 200
    assert (
        api_client.patch(f"/api/v1/report-definitions/{pk}/", {"name": "x"}, format="json").status_code == 403
    )


def test_review_list_queries_do_not_grow(client: Client, cat: Catalogue, slm: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(slm)
    _review(cat, slm)
    client.get("/service-levels/reviews/")
    with CaptureQueriesContext(connection) as one:
        client.get("/service-levels/reviews/")
    for i in range(20):
        _review(cat, slm, due_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=i))
    with CaptureQueriesContext(connection) as many:
        client.get("/service-levels/reviews/")
    assert len(one) == len(many)
