"""Service reporting and service reviews: every page and endpoint for anonymous, unpermitted and
permitted users (the rows of the permission matrix for reports and reviews).

Service level managers write; staff with the service-levels area and auditors read; requesters (and
staff without the area, e.g. resolvers) are denied.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from itsm.testing import check_endpoint, check_page

PAGES = [
    ("/service-levels/reports/", "requester", "agent"),
    ("/service-levels/reports/?date_from=2026-10-01&date_to=2026-10-31", "resolver", "auditor"),
    ("/service-levels/reports/csv/agreements/", "requester", "auditor"),
    ("/service-levels/reports/csv/breaches/?date_from=2026-01-01", "resolver", "agent"),
    ("/service-levels/reports/csv/at-risk/", "requester", "slm"),
    ("/service-levels/reports/breaches/{breach}/cause/", "agent", "slm"),
    ("/service-levels/report-definitions/", "requester", "agent"),
    ("/service-levels/report-definitions/?source=sla_attainment", "resolver", "auditor"),
    ("/service-levels/report-definitions/{definition}/", "requester", "auditor"),
    ("/service-levels/report-definitions/{definition}/?tab=history", "resolver", "agent"),
    ("/service-levels/report-definitions/{definition}/run/", "requester", "auditor"),
    ("/service-levels/report-definitions/new/", "agent", "slm"),
    ("/service-levels/report-definitions/{definition}/edit/", "auditor", "slm"),
    ("/service-levels/reviews/", "requester", "agent"),
    ("/service-levels/reviews/?overdue=true&state=planned", "resolver", "auditor"),
    ("/service-levels/reviews/{review}/", "requester", "auditor"),
    ("/service-levels/reviews/{review}/?tab=timeline", "requester", "agent"),
    ("/service-levels/reviews/{review}/?tab=notes", "requester", "agent"),
    ("/service-levels/reviews/{review}/?tab=attachments", "requester", "agent"),
    ("/service-levels/reviews/new/", "agent", "slm"),
    ("/service-levels/reviews/{review}/edit/", "auditor", "slm"),
    ("/service-levels/reviews/{review}/hold/", "agent", "slm"),
]

ENDPOINTS = [
    ("/api/v1/report-definitions/", "requester", "agent"),
    ("/api/v1/report-definitions/{definition}/", "requester", "auditor"),
    ("/api/v1/service-reviews/", "requester", "agent"),
    ("/api/v1/service-reviews/?overdue=true", "resolver", "auditor"),
    ("/api/v1/service-reviews/{review}/", "requester", "auditor"),
    ("/api/v1/service-reviews/{review}/timeline/", "requester", "agent"),
    ("/api/v1/service-reviews/{review}/notes/", "requester", "agent"),
    ("/api/v1/service-reviews/{review}/attachments/", "requester", "agent"),
    ("/api/v1/sla-reports/attainment/", "requester", "agent"),
    ("/api/v1/sla-reports/attainment/?from=2026-10-01&to=2026-10-31&group_by=team", "resolver", "auditor"),
    ("/api/v1/sla-reports/trend/", "requester", "auditor"),
    ("/api/v1/sla-reports/at-risk/", "resolver", "slm"),
]


def fill(url: str, demo: dict[str, Any]) -> str:
    values = {
        "definition": lambda: _definition(demo).pk,
        "review": lambda: _review(demo).pk,
        "breach": lambda: _breach(demo).pk,
    }
    return url.format(**{name: value() for name, value in values.items() if f"{{{name}}}" in url})


def _agreement() -> Any:
    from service_levels.models import Agreement

    return Agreement.objects.filter(kind="sla", state="agreed").order_by("pk").first()


def _definition(demo: dict[str, Any]) -> Any:
    from service_levels.models import ReportDefinition
    from service_levels.review_services import report_definition_create

    existing = ReportDefinition.objects.order_by("pk").first()
    if existing is not None:
        return existing
    return report_definition_create(
        actor=demo["slm"],
        data={
            "code": "monthly-sla",
            "name": "Monthly SLA report",
            "purpose": "Attainment of every SLA",
            "audience": "Customers' IT managers",
            "frequency": "monthly",
            "source": "sla_attainment",
            "owner": demo["slm"],
        },
    )


def _review(demo: dict[str, Any]) -> Any:
    from service_levels.models import ServiceReview
    from service_levels.review_services import service_review_create

    existing = ServiceReview.objects.filter(state="planned").order_by("pk").first()
    if existing is not None:
        return existing
    return service_review_create(
        actor=demo["slm"],
        agreement=_agreement(),
        due_on=datetime.date(2026, 12, 1),
        period_start=datetime.date(2025, 12, 1),
        period_end=datetime.date(2026, 11, 30),
    )


def _breach(demo: dict[str, Any]) -> Any:
    from service_levels.models import Clock

    from .report_fixtures import make_clock, make_incident

    breached = Clock.objects.filter(breached_at__isnull=False, target_seconds__isnull=False).first()
    if breached is not None:
        return breached
    agreement = _agreement()
    incident = make_incident(
        owner=demo["agent"], customer=agreement.customer, service=agreement.services.first()
    )
    start = datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)
    return make_clock(
        record=incident,
        agreement=agreement,
        kind="response",
        state="breached",
        started_at=start,
        due_at=start + datetime.timedelta(hours=1),
        breached_at=start + datetime.timedelta(hours=1),
        stopped_at=start + datetime.timedelta(hours=2),
    )


@pytest.mark.parametrize(("url", "denied", "allowed"), PAGES)
def test_page_permissions(
    client: Client, demo: dict[str, Any], url: str, denied: str | None, allowed: str
) -> None:
    check_page(client, demo, fill(url, demo), denied, allowed)


@pytest.mark.parametrize(("url", "denied", "allowed"), ENDPOINTS)
def test_endpoint_permissions(
    api_client: Any, demo: dict[str, Any], url: str, denied: str | None, allowed: str
) -> None:
    check_endpoint(api_client, demo, fill(url, demo), denied, allowed)


def test_a_denied_write_changes_nothing(client: Client, demo: dict[str, Any]) -> None:
    review = _review(demo)
    client.force_login(demo["auditor"])
    assert client.post(f"/service-levels/reviews/{review.pk}/cancel/", {"note": "no"}).status_code == 403
    assert client.post(f"/service-levels/reviews/{review.pk}/hold/", {"minutes": "m"}).status_code == 403
    assert client.post(f"/service-levels/reviews/{review.pk}/refresh/").status_code == 403
    client.force_login(demo["requester"])
    assert client.post(f"/service-levels/reviews/{review.pk}/cancel/", {"note": "no"}).status_code == 403
    review.refresh_from_db()
    assert review.state == "planned"
    assert review.history.count() == 1
