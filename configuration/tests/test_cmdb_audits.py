"""CMDB audits: risk-weighted, reproducible sampling, independence, verification, corrections, the
accuracy rate, and the planned activity that creates them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from configuration import audit_services as audits
from configuration.choices import AuditVerdict, CIState, CMDBAuditState, Importance, SampleReason
from configuration.models import CMDBAudit, CMDBAuditItem
from itsm import planned
from itsm.choices import Role
from itsm.policy import policy

from .factories import CITypeFactory, make_ci

TODAY = datetime.date(2026, 11, 21)


@pytest.fixture
def people(cfg: Any, make_user: Any) -> dict[str, Any]:
    return {
        "cfg": cfg,
        "auditor": make_user(Role.INTERNAL_AUDITOR, username="aud"),
        "second": make_user(Role.INTERNAL_AUDITOR, username="aud2"),
        "owner": make_user(Role.RESOLVER, username="owner"),
        "agent": make_user(Role.SERVICE_DESK_AGENT, username="agent"),
    }


@pytest.fixture
def cmdb(people: dict[str, Any]) -> dict[str, Any]:
    """40 live CIs: 4 critical (one owned by the auditor), 16 owned by the auditor, 20 by someone else;
    a retired CI that is never sampled."""
    cfg, auditor, owner = people["cfg"], people["auditor"], people["owner"]
    kind = CITypeFactory(code="server", name="Server")
    cis: dict[str, Any] = {}
    for n in range(4):
        cis[f"crit{n}"] = make_ci(
            cfg,
            kind,
            f"crit{n}",
            state=CIState.LIVE,
            importance=Importance.CRITICAL,
            owner=auditor if n == 0 else owner,
        )
    for n in range(16):
        cis[f"mine{n}"] = make_ci(cfg, kind, f"mine{n}", state=CIState.LIVE, owner=auditor)
    for n in range(20):
        cis[f"other{n}"] = make_ci(cfg, kind, f"other{n}", state=CIState.LIVE, owner=owner)
    cis["old"] = make_ci(cfg, kind, "old", state=CIState.RETIRED, importance=Importance.CRITICAL)
    return cis


def _audit(people: dict[str, Any], **data: Any) -> CMDBAudit:
    values = {
        "title": "Q4 CMDB audit",
        "auditor": people["auditor"],
        "period_start": datetime.date(2026, 8, 1),
        "period_end": datetime.date(2026, 10, 31),
        "sample_minimum": 0,
        **data,
    }
    return audits.cmdbaudit_create(actor=people["cfg"], data=values)


def _sampled(audit: CMDBAudit) -> dict[str, str]:
    return dict(CMDBAuditItem.objects.filter(audit=audit).values_list("ci__name", "sample_reason"))


def test_the_sample_holds_every_critical_ci_and_a_random_share_never_owned_by_the_auditor(
    people: dict[str, Any], cmdb: dict[str, Any]
) -> None:
    audit = _audit(people)

    sampled = _sampled(audit)
    critical = {name for name, why in sampled.items() if why == SampleReason.CRITICAL}
    random_share = {name for name, why in sampled.items() if why == SampleReason.RANDOM}
    assert critical == {"crit0", "crit1", "crit2", "crit3"}
    # 10 % of the 20 CIs the auditor does not own, rounded up; none of the auditor's own.
    assert len(random_share) == 2
    assert all(name.startswith("other") for name in random_share)
    assert "old" not in sampled
    assert audit.sample_percent == 10


def test_the_sample_is_reproducible_from_the_audit_number(
    people: dict[str, Any], cmdb: dict[str, Any]
) -> None:
    audit = _audit(people, sample_percent=50)
    again = audits.draw_sample(audit)
    assert again == audits.draw_sample(CMDBAudit.objects.get(pk=audit.pk))
    assert {pk for pk, _why in again} == set(
        CMDBAuditItem.objects.filter(audit=audit).values_list("ci_id", flat=True)
    )
    assert audit.random_seed == int(audit.reference.split("-")[1])
    audit.random_seed += 1
    assert audits.draw_sample(audit) != again


def test_a_minimum_sample_size_tops_up_the_random_share(people: dict[str, Any], cmdb: dict[str, Any]) -> None:
    audit = _audit(people, sample_minimum=12, sample_percent=0)
    sampled = _sampled(audit)
    assert len(sampled) == 12
    assert sum(why == SampleReason.RANDOM for why in sampled.values()) == 8
    everything = _audit(people, sample_minimum=1000)
    assert len(_sampled(everything)) == 24  # 4 critical + the 20 the auditor does not own


def test_a_critical_ci_the_auditor_owns_needs_a_second_auditor(
    people: dict[str, Any], cmdb: dict[str, Any]
) -> None:
    audit = _audit(people)
    audits.cmdbaudit_start(audit=audit, actor=people["auditor"])
    own = CMDBAuditItem.objects.get(audit=audit, ci=cmdb["crit0"])

    assert not policy.allows(people["auditor"], "verify", own)
    with pytest.raises(PermissionDenied):
        audits.cmdbaudit_item_verify(item=own, actor=people["auditor"], verdict=AuditVerdict.CORRECT)
    own.refresh_from_db()
    assert own.verdict == AuditVerdict.PENDING

    audits.cmdbaudit_item_verify(item=own, actor=people["second"], verdict=AuditVerdict.CORRECT)
    own.refresh_from_db()
    assert own.verified_by == people["second"]


def test_nobody_verifies_a_ci_they_own_and_others_may_not_verify_at_all(
    people: dict[str, Any], cmdb: dict[str, Any], make_user: Any
) -> None:
    audit = _audit(people)
    audits.cmdbaudit_start(audit=audit, actor=people["auditor"])
    item = CMDBAuditItem.objects.get(audit=audit, ci=cmdb["crit1"])  # owned by "owner"
    owning_auditor = make_user(Role.INTERNAL_AUDITOR)
    cmdb["crit1"].owner = owning_auditor
    cmdb["crit1"].save()
    item.refresh_from_db()
    for person in (owning_auditor, people["agent"], people["cfg"]):
        with pytest.raises(PermissionDenied):
            audits.cmdbaudit_item_verify(item=item, actor=person, verdict=AuditVerdict.CORRECT)
    item.refresh_from_db()
    assert item.verdict == AuditVerdict.PENDING


def test_items_are_verified_only_while_the_audit_runs_and_a_discrepancy_needs_a_note(
    people: dict[str, Any], cmdb: dict[str, Any]
) -> None:
    audit = _audit(people)
    item = CMDBAuditItem.objects.filter(audit=audit, ci__owner=people["owner"]).first()
    assert item is not None
    with pytest.raises(PermissionDenied):
        audits.cmdbaudit_item_verify(item=item, actor=people["auditor"], verdict=AuditVerdict.CORRECT)
    audits.cmdbaudit_start(audit=audit, actor=people["auditor"])
    item.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        audits.cmdbaudit_item_verify(
            item=item, actor=people["auditor"], verdict=AuditVerdict.DISCREPANCY, note=" "
        )
    assert "note" in caught.value.message_dict
    with pytest.raises(ValidationError):
        audits.cmdbaudit_item_verify(item=item, actor=people["auditor"], verdict="maybe")
    audits.cmdbaudit_item_verify(
        item=item, actor=people["auditor"], verdict=AuditVerdict.DISCREPANCY, note="Location is rack B4"
    )
    item.refresh_from_db()
    assert item.verdict == AuditVerdict.DISCREPANCY
    assert item.verified_by == people["auditor"]
    assert item.history.order_by("-history_id").first().history_change_reason == "verify"


def _verify_all(audit: CMDBAudit, people: dict[str, Any], wrong: int) -> list[CMDBAuditItem]:
    items = list(CMDBAuditItem.objects.filter(audit=audit).select_related("ci").order_by("pk"))
    discrepancies = []
    for n, item in enumerate(items):
        actor = people["second"] if item.ci.owner_id == people["auditor"].pk else people["auditor"]
        if n < wrong:
            audits.cmdbaudit_item_verify(
                item=item, actor=actor, verdict=AuditVerdict.DISCREPANCY, note="wrong"
            )
            discrepancies.append(item)
        else:
            audits.cmdbaudit_item_verify(item=item, actor=actor, verdict=AuditVerdict.CORRECT)
    return discrepancies


def test_completing_needs_every_item_verified_and_records_the_accuracy_rate(
    people: dict[str, Any], cmdb: dict[str, Any]
) -> None:
    audit = _audit(people)  # 6 items
    audits.cmdbaudit_start(audit=audit, actor=people["auditor"])
    first = CMDBAuditItem.objects.filter(audit=audit, ci__owner=people["owner"]).first()
    assert first is not None
    audits.cmdbaudit_item_verify(item=first, actor=people["auditor"], verdict=AuditVerdict.CORRECT)
    with pytest.raises(ValidationError) as caught:
        audits.cmdbaudit_complete(audit=audit, actor=people["auditor"])
    assert "5 sampled CIs" in str(caught.value)
    audit.refresh_from_db()
    assert audit.state == CMDBAuditState.IN_PROGRESS

    _verify_all(audit, people, wrong=2)
    assert audits.verdict_counts(audit) == {
        "total": 6,
        "pending": 0,
        "correct": 4,
        "discrepancy": 2,
        "open": 2,
    }
    audits.cmdbaudit_complete(audit=audit, actor=people["auditor"])

    audit.refresh_from_db()
    assert audit.state == CMDBAuditState.COMPLETED
    assert audit.accuracy == Decimal("66.67")
    assert "4 correct, 2 discrepancies" in audit.report
    cmdb["crit1"].refresh_from_db()
    assert cmdb["crit1"].last_verified_at is not None
    assert cmdb["crit1"].history.order_by("-history_id").first().history_change_reason == "cmdb audit"
    cmdb["mine1"].refresh_from_db()
    assert cmdb["mine1"].last_verified_at is None


def test_accuracy_is_correct_over_verified() -> None:
    assert audits.accuracy_of(3, 4) == Decimal("75.00")
    assert audits.accuracy_of(2, 3) == Decimal("66.67")
    assert audits.accuracy_of(0, 0) is None


def test_a_discrepancy_becomes_a_correction_of_the_ci_or_an_rfc(
    people: dict[str, Any], cmdb: dict[str, Any]
) -> None:
    audit = _audit(people)
    audits.cmdbaudit_start(audit=audit, actor=people["auditor"])
    wrong, other = _verify_all(audit, people, wrong=2)
    correct = CMDBAuditItem.objects.filter(audit=audit, verdict=AuditVerdict.CORRECT).first()
    assert correct is not None

    with pytest.raises(PermissionDenied):  # auditors verify; configuration managers correct
        audits.cmdbaudit_item_correct(item=wrong, actor=people["auditor"], data={"location": "B4"})
    with pytest.raises(ValidationError):
        audits.cmdbaudit_item_correct(item=correct, actor=people["cfg"], data={"location": "B4"})
    with pytest.raises(ValidationError):
        audits.cmdbaudit_item_correct(item=wrong, actor=people["cfg"], data={})

    audits.cmdbaudit_item_correct(item=wrong, actor=people["cfg"], data={"location": "Rack B4"})
    wrong.refresh_from_db()
    assert wrong.corrected
    wrong.ci.refresh_from_db()
    assert wrong.ci.location == "Rack B4"
    last = wrong.ci.history.order_by("-history_id").first()
    assert last.history_change_reason == "cmdb audit correction"
    assert last.history_user == people["cfg"]

    with pytest.raises(ValidationError):
        audits.cmdbaudit_item_raise_rfc(item=other, actor=people["cfg"], rfc_reference="soon")
    audits.cmdbaudit_item_raise_rfc(item=other, actor=people["cfg"], rfc_reference="rfc-000042")
    other.refresh_from_db()
    assert other.rfc_reference == "RFC-000042"
    assert audits.verdict_counts(audit)["open"] == 0


def test_a_new_auditor_draws_a_new_sample_without_their_own_cis(
    people: dict[str, Any], cmdb: dict[str, Any]
) -> None:
    audit = _audit(people, auditor=people["second"], sample_percent=100)
    assert len(_sampled(audit)) == 4 + 36  # nobody's CIs excluded: the second auditor owns none
    audits.cmdbaudit_update(audit=audit, actor=people["cfg"], data={"auditor": people["auditor"]})
    sampled = _sampled(audit)
    assert not any(name.startswith("mine") for name in sampled)
    assert len(sampled) == 24
    deleted = CMDBAuditItem.history.filter(history_type="-", history_change_reason="resampled").count()
    assert deleted == 40


def test_people_who_may_not_plan_audits_plan_none(people: dict[str, Any], cmdb: dict[str, Any]) -> None:
    for person in (people["agent"], people["auditor"]):
        with pytest.raises(PermissionDenied):
            audits.cmdbaudit_create(
                actor=person,
                data={
                    "title": "Mine",
                    "auditor": people["auditor"],
                    "period_start": TODAY,
                    "period_end": TODAY,
                },
            )
    assert not CMDBAudit.objects.exists()


def test_the_auditor_must_be_someone_who_reads_the_cmdb(people: dict[str, Any], make_user: Any) -> None:
    requester = make_user(Role.REQUESTER)
    with pytest.raises(ValidationError) as caught:
        _audit(people, auditor=requester)
    assert "auditor" in caught.value.message_dict


def test_a_planned_activity_creates_the_audit_every_three_months(
    people: dict[str, Any], cmdb: dict[str, Any]
) -> None:
    assert planned.get_kind("cmdb_audit") is not None
    activity = audits.cmdbaudit_schedule_ensure(
        actor=people["cfg"], owner=people["auditor"], next_due=TODAY + datetime.timedelta(days=10)
    )
    assert activity.interval_months == 3
    assert audits.cmdbaudit_schedule_ensure(actor=people["cfg"], owner=people["cfg"]) == activity

    summary = planned.planned_activities_run(today=TODAY)
    assert summary.drafts_created == 1
    audit = CMDBAudit.objects.get()
    assert audit.auditor == people["auditor"]
    assert audit.period_end == TODAY + datetime.timedelta(days=10)
    assert audit.period_start == datetime.date(2026, 9, 1)
    assert set(_sampled(audit)) >= {"crit0", "crit1", "crit2", "crit3"}
    assert not any(name.startswith("mine") for name in _sampled(audit))

    audits.cmdbaudit_start(audit=audit, actor=people["auditor"])
    _verify_all(audit, people, wrong=0)
    audits.cmdbaudit_complete(audit=audit, actor=people["auditor"])
    occurrence = activity.occurrences.get()
    assert occurrence.state == planned.OccurrenceState.DONE
    activity.refresh_from_db()
    assert activity.next_due == planned.add_months(TODAY + datetime.timedelta(days=10), 3)


# Pages and API --------------------------------------------------------------------------------------


def test_the_audit_page_lets_the_auditor_verify_inline_and_flags_own_cis(
    client: Any, people: dict[str, Any], cmdb: dict[str, Any]
) -> None:
    audit = _audit(people)
    audits.cmdbaudit_start(audit=audit, actor=people["auditor"])
    client.force_login(people["auditor"])
    page = client.get(audit.get_absolute_url())
    assert page.status_code == 200
    assert page.content.count(b'data-testid="second-auditor"') == 1
    item = CMDBAuditItem.objects.get(audit=audit, ci=cmdb["crit1"])
    url = f"/configuration/cmdb-audits/{audit.pk}/items/{item.pk}/verify/"
    assert url.encode() in page.content

    refused = client.post(url, {"verdict": "discrepancy", "note": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400
    assert b"Describe the discrepancy" in refused.content
    assert b"<html" not in refused.content
    done = client.post(url, {"verdict": "discrepancy", "note": "wrong rack"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 200
    assert done["HX-Trigger"] == "record-changed"
    assert b"wrong rack" in done.content
    item.refresh_from_db()
    assert item.verdict == AuditVerdict.DISCREPANCY

    own = CMDBAuditItem.objects.get(audit=audit, ci=cmdb["crit0"])
    assert (
        client.post(
            f"/configuration/cmdb-audits/{audit.pk}/items/{own.pk}/verify/", {"verdict": "correct"}
        ).status_code
        == 403
    )
    plain = client.post(url, {"verdict": "correct"})
    assert plain.status_code == 302


def test_completing_from_the_page_and_the_report_tab(
    client: Any, people: dict[str, Any], cmdb: dict[str, Any]
) -> None:
    audit = _audit(people)
    client.force_login(people["auditor"])
    client.post(f"/configuration/cmdb-audits/{audit.pk}/start/")
    audit.refresh_from_db()
    assert audit.state == CMDBAuditState.IN_PROGRESS
    client.post(f"/configuration/cmdb-audits/{audit.pk}/complete/")
    audit.refresh_from_db()
    assert audit.state == CMDBAuditState.IN_PROGRESS  # items still pending: refused with a message
    _verify_all(audit, people, wrong=1)
    client.post(f"/configuration/cmdb-audits/{audit.pk}/complete/", {"note": "One CI in the wrong rack."})
    audit.refresh_from_db()
    assert audit.state == CMDBAuditState.COMPLETED
    assert audit.report == "One CI in the wrong rack."
    report = client.get(f"{audit.get_absolute_url()}?tab=report")
    assert b"83.33 %" in report.content
    assert b'data-testid="discrepancies"' in report.content


def test_correcting_a_discrepancy_from_the_page(
    client: Any, people: dict[str, Any], cmdb: dict[str, Any]
) -> None:
    audit = _audit(people)
    audits.cmdbaudit_start(audit=audit, actor=people["auditor"])
    (wrong,) = _verify_all(audit, people, wrong=1)
    url = f"/configuration/cmdb-audits/{audit.pk}/items/{wrong.pk}/correct/"
    client.force_login(people["auditor"])
    assert client.get(url).status_code == 403
    client.force_login(people["cfg"])
    form = client.get(url)
    assert form.status_code == 200
    ci = wrong.ci
    data = {
        "name": ci.name,
        "importance": ci.importance,
        "licence_model": ci.licence_model,
        "location": "Rack B4",
        "owner": ci.owner_id or "",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    ci.refresh_from_db()
    assert ci.location == "Rack B4"
    wrong.refresh_from_db()
    assert wrong.corrected
    rfc = client.post(
        f"/configuration/cmdb-audits/{audit.pk}/items/{wrong.pk}/rfc/", {"rfc_reference": "RFC-000007"}
    )
    assert rfc.status_code == 302
    wrong.refresh_from_db()
    assert wrong.rfc_reference == "RFC-000007"


def test_planning_from_the_page_draws_the_sample(
    client: Any, people: dict[str, Any], cmdb: dict[str, Any]
) -> None:
    client.force_login(people["cfg"])
    form = client.get("/configuration/cmdb-audits/new/")
    assert form.context["form"].initial["sample_percent"] == 10
    response = client.post(
        "/configuration/cmdb-audits/new/",
        {
            "title": "Q1",
            "auditor": people["auditor"].pk,
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "sample_percent": 10,
            "sample_minimum": 0,
            "include_critical": "on",
        },
    )
    assert response.status_code == 302
    assert CMDBAuditItem.objects.filter(audit__title="Q1").count() == 6
    schedule = client.post("/configuration/cmdb-audits/schedule/")
    assert schedule.status_code == 302
    assert audits.cmdbaudit_schedule().get().interval_months == 3
    dashboard = client.get("/dashboard/")
    assert b'data-testid="cmdb-audit-widget"' in dashboard.content


def test_the_audit_api_runs_an_audit_end_to_end(
    api_client: Any, people: dict[str, Any], cmdb: dict[str, Any]
) -> None:
    audit = _audit(people)
    api_client.force_authenticate(people["auditor"])
    assert api_client.post(f"/api/v1/cmdb-audits/{audit.pk}/start/", {}, format="json").status_code == 200
    items = api_client.get(f"/api/v1/cmdb-audits/{audit.pk}/items/").json()
    assert len(items) == 6
    assert sum(i["needs_second_auditor"] for i in items) == 1
    for item in items:
        actor = people["second"] if item["needs_second_auditor"] else people["auditor"]
        api_client.force_authenticate(actor)
        response = api_client.post(
            f"/api/v1/cmdb-audits/{audit.pk}/verify/",
            {"item": item["id"], "verdict": "correct"},
            format="json",
        )
        assert response.status_code == 200, response.json()
    bad = api_client.post(
        f"/api/v1/cmdb-audits/{audit.pk}/verify/", {"item": 999999, "verdict": "correct"}, format="json"
    )
    assert bad.status_code == 404
    missing_note = api_client.post(
        f"/api/v1/cmdb-audits/{audit.pk}/verify/",
        {"item": items[1]["id"], "verdict": "discrepancy"},
        format="json",
    )
    assert missing_note.status_code == 400
    assert "note" in missing_note.json()["fields"]
    api_client.force_authenticate(people["auditor"])
    done = api_client.post(f"/api/v1/cmdb-audits/{audit.pk}/complete/", {"note": ""}, format="json")
    assert done.status_code == 200
    assert done.json()["accuracy"] == "100.00"
    report = api_client.get(f"/api/v1/cmdb-audits/{audit.pk}/report/").json()
    assert report["counts"]["correct"] == 6
    assert report["discrepancies"] == []
    late = api_client.post(
        f"/api/v1/cmdb-audits/{audit.pk}/verify/",
        {"item": items[1]["id"], "verdict": "correct"},
        format="json",
    )
    assert late.status_code == 403


def test_the_audit_lists_cost_the_same_queries_for_few_or_many(
    client: Any, api_client: Any, people: dict[str, Any], cmdb: dict[str, Any]
) -> None:
    client.force_login(people["cfg"])
    api_client.force_authenticate(people["cfg"])
    first = _audit(people)

    def count(url: str, api: bool = False) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert (api_client if api else client).get(url).status_code == 200
        return len(captured)

    urls = [("/configuration/cmdb-audits/", False), ("/api/v1/cmdb-audits/", True)]
    before = [count(url, api) for url, api in urls]
    items_before = count(f"/api/v1/cmdb-audits/{first.pk}/items/", True)
    detail_before = count(first.get_absolute_url())
    for _n in range(4):
        _audit(people)
    bigger = _audit(people, sample_percent=100)
    assert [count(url, api) for url, api in urls] == before
    assert count(f"/api/v1/cmdb-audits/{bigger.pk}/items/", True) == items_before
    assert count(bigger.get_absolute_url()) == detail_before


def test_the_demo_has_a_taken_baseline_a_completed_audit_and_the_schedule(demo: dict[str, Any]) -> None:
    from configuration.models import Baseline

    baseline = Baseline.objects.get(name="ERP production")
    assert baseline.state == "taken"
    assert baseline.items.count() > 5
    audit = CMDBAudit.objects.get(title="Quarterly CMDB audit")
    assert audit.state == CMDBAuditState.COMPLETED
    assert audit.auditor == demo["auditor"]
    counts = audits.verdict_counts(audit)
    assert counts["discrepancy"] == 3
    assert counts["open"] == 1
    assert audit.accuracy == audits.accuracy_of(counts["correct"], counts["total"])
    assert audits.cmdbaudit_schedule().get().interval_months == 3
