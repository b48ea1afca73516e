"""Every page and endpoint of service level management for anonymous, unpermitted and permitted users.

Rows are ``(url, user who is denied or None, user who is allowed)`` with ``{placeholders}`` filled from
the demo data by ``fill``. Helpers adding pages append rows here (and placeholders to ``fill``).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from itsm.testing import check_endpoint, check_page

PAGES = [
    # The catalogue: every staff member reads it; service level managers write it.
    ("/service-levels/services/", "requester", "resolver"),
    ("/service-levels/services/?status=live&kind=supporting", "requester", "agent"),
    ("/service-levels/services/{service}/", "requester", "resolver"),
    ("/service-levels/services/{service}/?tab=dependencies", "requester", "auditor"),
    ("/service-levels/services/{service}/?tab=history", "requester", "agent"),
    ("/service-levels/services/new/", "agent", "slm"),
    ("/service-levels/services/{service}/edit/", "auditor", "slm"),
    ("/service-levels/services/{service}/retire/", "agent", "slm"),
    ("/service-levels/services/{service}/components/new/", "agent", "slm"),
    ("/service-levels/service-components/{component}/edit/", "agent", "slm"),
    ("/service-levels/services/{service}/dependencies/new/", "incident.manager", "slm"),
    # Customers and contacts: the service-levels area and auditors read.
    ("/service-levels/customers/", "resolver", "agent"),
    ("/service-levels/customers/{customer}/", "requester", "auditor"),
    ("/service-levels/customers/{customer}/?tab=history", "resolver", "agent"),
    ("/service-levels/customers/new/", "agent", "slm"),
    ("/service-levels/customers/{customer}/edit/", "auditor", "slm"),
    ("/service-levels/customers/{customer}/contacts/new/", "agent", "slm"),
    ("/service-levels/contacts/{contact}/edit/", "agent", "slm"),
    # Business calendars: every staff member reads them.
    ("/service-levels/calendars/", "requester", "resolver"),
    ("/service-levels/calendars/{calendar}/", "requester", "agent"),
    ("/service-levels/calendars/{calendar}/?version=1&year=2027", "requester", "auditor"),
    ("/service-levels/calendars/new/", "agent", "slm"),
    ("/service-levels/calendars/{calendar}/edit/", "auditor", "slm"),
    ("/service-levels/calendars/{calendar}/revise/", "agent", "slm"),
    # Agreements: the service-levels area and auditors read; requesters never.
    ("/service-levels/agreements/", "requester", "agent"),
    ("/service-levels/agreements/?kind=sla&state=agreed", "resolver", "auditor"),
    ("/service-levels/agreements/{agreement}/", "requester", "auditor"),
    ("/service-levels/agreements/{agreement}/?tab=timeline", "requester", "agent"),
    ("/service-levels/agreements/{agreement}/?tab=history", "resolver", "agent"),
    ("/service-levels/agreements/{agreement}/?tab=notes", "requester", "agent"),
    ("/service-levels/agreements/{agreement}/?tab=attachments", "requester", "agent"),
    ("/service-levels/agreements/new/", "agent", "slm"),
    ("/service-levels/agreements/{draft}/edit/", "agent", "slm"),
    ("/service-levels/agreements/{draft}/targets/", "auditor", "slm"),
]

ENDPOINTS: list[tuple[str, str | None, str]] = [
    ("/api/v1/services/", "requester", "resolver"),
    ("/api/v1/services/?status=live&kind=customer_facing", "requester", "agent"),
    ("/api/v1/services/{service}/", "requester", "resolver"),
    ("/api/v1/service-components/", "requester", "agent"),
    ("/api/v1/service-components/{component}/", "requester", "auditor"),
    ("/api/v1/service-dependencies/", "requester", "agent"),
    ("/api/v1/service-dependencies/{dependency}/", "requester", "resolver"),
    ("/api/v1/customers/", "resolver", "agent"),
    ("/api/v1/customers/{customer}/", "requester", "auditor"),
    ("/api/v1/contacts/", "resolver", "agent"),
    ("/api/v1/contacts/{contact}/", "requester", "slm"),
    ("/api/v1/business-calendars/", "requester", "resolver"),
    ("/api/v1/business-calendars/{calendar}/", "requester", "agent"),
    ("/api/v1/business-calendars/{calendar}/versions/", "requester", "auditor"),
    ("/api/v1/agreements/", "resolver", "agent"),
    ("/api/v1/agreements/?kind=ola&state=agreed", "requester", "auditor"),
    ("/api/v1/agreements/{agreement}/", "requester", "auditor"),
    ("/api/v1/agreements/{agreement}/timeline/", "requester", "agent"),
    ("/api/v1/agreements/{agreement}/notes/", "requester", "agent"),
    ("/api/v1/agreements/{agreement}/attachments/", "requester", "agent"),
]


def fill(url: str, demo: dict[str, Any]) -> str:
    from service_levels.models import (
        Agreement,
        BusinessCalendar,
        Contact,
        Customer,
        Service,
        ServiceComponent,
        ServiceDependency,
    )

    values = {
        "service": lambda: Service.objects.get(code="erp").pk,
        "component": lambda: ServiceComponent.objects.filter(service__code="erp").first().pk,
        "dependency": lambda: ServiceDependency.objects.filter(service__code="erp").first().pk,
        "customer": lambda: Customer.objects.get(code="finance-department").pk,
        "contact": lambda: Contact.objects.filter(customer__code="finance-department").first().pk,
        "calendar": lambda: BusinessCalendar.objects.get(code="china-business-hours").pk,
        "agreement": lambda: Agreement.objects.get(title="IT services for the finance department").pk,
        "draft": lambda: _draft(demo).pk,
    }
    return url.format(**{name: value() for name, value in values.items() if f"{{{name}}}" in url})


def _draft(demo: dict[str, Any]) -> Any:
    from service_levels.models import Agreement
    from service_levels.services import agreement_revise

    draft = Agreement.objects.filter(state="draft").first()
    if draft is not None:
        return draft
    agreed = Agreement.objects.get(title="IT services for the finance department")
    return agreement_revise(agreement=agreed, actor=demo["slm"])


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
