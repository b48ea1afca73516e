"""The pages of the catalogue, customers, calendars and agreements as people use them: what they show,
forms with inline errors, transitions as buttons, htmx partials."""

from __future__ import annotations

from typing import Any

from django.test import Client

from service_levels.models import Agreement, BusinessCalendar, Customer, Service


def _page(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_dependency_trees_both_ways(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["resolver"])
    erp = Service.objects.get(code="erp")
    page = _page(client, f"{erp.get_absolute_url()}?tab=dependencies", **{"HX-Request": "true"})
    assert "<html" not in page
    needs, needed = page.split("Who needs ERP")
    assert "Hosting" in needs
    assert "Network" in needs
    assert "Internet sales platform" in needed
    assert "through its component Inventory and orders" in needed
    assert "Remove" not in page  # resolvers read the catalogue, they do not change it


def test_service_detail_shows_components_customers_and_agreements(
    client: Client, demo: dict[str, Any]
) -> None:
    erp = Service.objects.get(code="erp")
    client.force_login(demo["agent"])
    page = _page(client, erp.get_absolute_url())
    assert "Finance ledger" in page
    assert "Finance department" in page
    assert "IT services for the finance department" in page
    client.force_login(demo["resolver"])  # no service-levels area: the catalogue without agreements
    page = _page(client, erp.get_absolute_url())
    assert "Finance ledger" in page
    assert "IT services for the finance department" not in page


def test_service_form_errors_stay_inline(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["slm"])
    response = client.post(
        "/service-levels/services/new/",
        {"code": "erp", "name": "", "kind": "supporting", "status": "live", "owner": demo["slm"].pk},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Service with this Code already exists." in page
    assert 'aria-invalid="true"' in page
    response = client.post(
        "/service-levels/services/new/",
        {
            "code": "t-fax",
            "name": "Fax",
            "kind": "supporting",
            "status": "live",
            "owner": demo["slm"].pk,
            "authorising_change": "please",
        },
    )
    assert response.status_code == 400
    assert "e.g. RFC-000123" in response.content.decode()
    assert not Service.objects.filter(code="t-fax").exists()


def test_dependency_cycle_is_an_inline_error(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["slm"])
    network = Service.objects.get(code="network")
    shop = Service.objects.get(code="sales-platform")
    response = client.post(
        f"/service-levels/services/{network.pk}/dependencies/new/",
        {"depends_on": shop.pk, "kind": "requires"},
    )
    assert response.status_code == 400
    assert "This would make a cycle" in response.content.decode()
    assert not network.dependencies.exists()


def test_retire_page(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["slm"])
    network = Service.objects.get(code="network")
    response = client.post(f"/service-levels/services/{network.pk}/retire/", {"authorising_change": "RFC-1"})
    assert response.status_code == 400
    assert "still depend on it" in response.content.decode()
    desk = Service.objects.get(code="service-desk")
    response = client.post(f"/service-levels/services/{desk.pk}/retire/", {"authorising_change": "RFC-2"})
    assert response.status_code == 302
    desk.refresh_from_db()
    assert (desk.status, desk.authorising_change) == ("retired", "RFC-2")


def test_customer_page_shows_owner_contacts_services_and_agreements(
    client: Client, demo: dict[str, Any]
) -> None:
    client.force_login(demo["auditor"])
    customer = Customer.objects.get(code="finance-department")
    page = _page(client, customer.get_absolute_url())
    assert "Chen Jing" in page  # the relationship owner
    assert "Wang Fang" in page
    assert "primary" in page
    assert "ERP" in page
    assert "IT services for the finance department" in page
    assert "Add a contact" not in page


def test_calendar_page_week_holidays_makeup_days_and_versions(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["agent"])
    calendar = BusinessCalendar.objects.get(code="china-business-hours")
    page = _page(client, f"{calendar.get_absolute_url()}?year=2026")
    assert 'data-testid="week-grid"' in page
    assert "09:00-12:00, 13:30-18:00" in page
    assert "Chinese New Year (Spring Festival)" in page
    assert "2026-02-14" in page
    assert "worked instead of 2026-02-20" in page
    assert "Year-end stocktaking" in page  # the calendar's own closed day (version 2)
    assert "Extra closed days" in page  # version 2's "what changed"
    old = _page(client, f"{calendar.get_absolute_url()}?version=1&year=2026")
    assert "earlier version" in old
    assert "Year-end stocktaking" not in old.split('data-testid="versions"')[0]
    partial = _page(client, f"{calendar.get_absolute_url()}?year=2027", **{"HX-Request": "true"})
    assert "<html" not in partial
    assert "2027-" in partial


def test_calendar_revise_form(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["slm"])
    calendar = BusinessCalendar.objects.get(code="24x7")
    page = _page(client, f"/service-levels/calendars/{calendar.pk}/revise/")
    assert "00:00-24:00" in page  # prefilled from the latest version
    data = {
        "time_zone": "Asia/Shanghai",
        "makeup_weekday": "0",
        "note": "",
        "hours_0": "9-18",
        "hours_1": "08:00-",
    }
    response = client.post(f"/service-levels/calendars/{calendar.pk}/revise/", data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "9-18 is not a span like 09:00-18:00." in text
    assert "08:00- is not a span like 09:00-18:00." in text
    assert "This field is required." in text
    data = {
        "time_zone": "Asia/Shanghai",
        "makeup_weekday": "0",
        "note": "Weekdays only",
        **{f"hours_{d}": "08:00-20:00" for d in range(5)},
        "holiday_country": "CN",
        "closed_dates": "2026-12-31 Year end\n",
    }
    response = client.post(f"/service-levels/calendars/{calendar.pk}/revise/", data)
    assert response.status_code == 302, response.content.decode()
    version = calendar.versions.get(number=2)
    assert version.weekly_hours[0] == [["08:00", "20:00"]]
    assert version.weekly_hours[5] == []
    assert version.closed_dates == [{"date": "2026-12-31", "name": "Year end"}]
    assert calendar.versions.get(number=1).always_open


def test_agreement_page_shows_the_gap_and_the_transitions(client: Client, demo: dict[str, Any]) -> None:
    agreement = Agreement.objects.get(title="IT services for the finance department")
    client.force_login(demo["agent"])
    page = _page(client, agreement.get_absolute_url())
    assert 'data-testid="gaps"' in page
    assert "No target for P4" in page
    assert 'data-priority="P4" class="table-warning"' in page
    assert "data-transition=" not in page
    assert "Revise" not in page
    client.force_login(demo["slm"])
    page = _page(client, agreement.get_absolute_url())
    assert 'data-transition="expire"' in page
    assert "Revise" in page
    assert "Edit targets" not in page  # agreed: revised, not edited


def test_revise_then_edit_targets_then_agree_in_the_browser(client: Client, demo: dict[str, Any]) -> None:
    old = Agreement.objects.get(title="IT services for the finance department")
    client.force_login(demo["slm"])
    response = client.post(f"/service-levels/agreements/{old.pk}/revise/", follow=True)
    assert "is a draft revision of" in response.content.decode()
    draft = Agreement.objects.get(supersedes=old)
    page = _page(client, draft.get_absolute_url())
    assert 'data-testid="missing"' in page
    assert "Set the date the agreement takes effect." in page
    targets_url = f"/service-levels/agreements/{draft.pk}/targets/"
    assert 'value="22h 30m"' in _page(client, targets_url)
    response = client.post(
        targets_url,
        {
            "P1_respond": "15m",
            "P1_resolve": "4h",
            "P2_respond": "2h",
            "P2_resolve": "1h",
            "P4_resolve": "later",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Type a duration like 15m, 4h or 1h 30m." in text
    response = client.post(
        targets_url,
        {"P1_respond": "15m", "P1_resolve": "4h", "P2_respond": "2h", "P2_resolve": "1h"},
    )
    assert response.status_code == 400
    assert "the time to resolve cannot be shorter than the time to respond" in response.content.decode()
    response = client.post(
        targets_url,
        {
            "P1_respond": "15",
            "P1_resolve": "4h",
            "P2_respond": "30m",
            "P2_resolve": "8h",
            "P4_resolve": "1h 30m",
        },
    )
    assert response.status_code == 302
    assert {t.priority: t.resolve_minutes for t in draft.targets.all()} == {"P1": 240, "P2": 480, "P4": 90}
    form = {
        "title": draft.title,
        "customer": draft.customer_id,
        "services": [s.pk for s in draft.services.all()],
        "calendar": draft.calendar_id,
        "owner": demo["slm"].pk,
        "effective_from": "2026-12-01",
        "review_interval_months": 12,
        "warn_percent": 75,
        "critical_percent": 90,
    }
    response = client.post(f"/service-levels/agreements/{draft.pk}/edit/", form)
    assert response.status_code == 302, response.content.decode()
    response = client.post(f"/service-levels/agreements/{draft.pk}/agree/", {"note": "signed"}, follow=True)
    assert "Done:" in response.content.decode()
    old.refresh_from_db()
    assert old.state == "superseded"


def test_agreement_form_explains_kind_rules(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["slm"])
    calendar = BusinessCalendar.objects.get(code="24x7")
    response = client.post(
        "/service-levels/agreements/new/",
        {
            "kind": "ola",
            "title": "x",
            "calendar": calendar.pk,
            "owner": demo["slm"].pk,
            "customer": Customer.objects.first().pk,
            "review_interval_months": 12,
            "warn_percent": 90,
            "critical_percent": 75,
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "An OLA is agreed with an internal team: choose one." in text
    assert "An OLA is agreed with a team, not a customer" in text
    assert "The critical threshold must be above the warning threshold." in text
    assert "Constraint" not in text


def test_remove_buttons_are_post_only(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["slm"])
    contact = Customer.objects.get(code="huaxin-retail").contacts.get(is_primary=False)
    assert client.get(f"/service-levels/contacts/{contact.pk}/remove/").status_code == 405
    client.force_login(demo["agent"])
    assert client.post(f"/service-levels/contacts/{contact.pk}/remove/").status_code == 403
    client.force_login(demo["slm"])
    response = client.post(f"/service-levels/contacts/{contact.pk}/remove/", follow=True)
    assert "Removed" in response.content.decode()
    assert not Customer.objects.get(code="huaxin-retail").contacts.filter(pk=contact.pk).exists()


def test_admin_is_read_only(client: Client, demo: dict[str, Any]) -> None:
    client.force_login(demo["admin"])
    agreement = Agreement.objects.first()
    assert client.get("/admin/service_levels/agreement/").status_code == 200
    page = _page(client, f"/admin/service_levels/agreement/{agreement.pk}/change/")
    assert 'name="_save"' not in page
    assert client.get("/admin/service_levels/service/add/").status_code == 403
