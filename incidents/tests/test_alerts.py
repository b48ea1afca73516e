"""Alert ingest semantics (PagerDuty Events API v2 through the real endpoint): open, repeat, acknowledge,
resolve, trigger after resolve, storms, durability and the follow-up from committed rows."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from incidents import alert_services
from incidents.alert_choices import AlertStatus, AutoResolve
from incidents.alert_models import Alert, AlertStorm
from incidents.choices import Channel, IncidentState, ResolutionCode
from incidents.models import Incident
from itsm.choices import NoteKind
from itsm.notes import Note
from itsm.notifications import Notification

from .alert_helpers import make_integration, send, trigger_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(client: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """Send an event and run what is scheduled after its commit (the follow-up task, eager here)."""

    def send_and_process(body: dict[str, Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return send(client, body)

    return send_and_process


def test_first_trigger_opens_an_alert_and_a_classified_assigned_incident(world: Any, sent: Any) -> None:
    integration, key = make_integration(world)
    response = sent(trigger_body(key, severity="critical"))
    assert response.status_code == 202
    assert response.json() == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": "disk-full/db01",
    }
    alert = Alert.objects.get()
    assert (alert.status, alert.occurrences, alert.severity) == (AlertStatus.TRIGGERED, 1, "critical")
    assert alert.open_dedup_key == f"{integration.pk}:disk-full/db01"
    incident = alert.incident
    assert incident is not None
    assert not alert.needs_processing
    assert incident.channel == Channel.MONITORING
    assert incident.title == "Disk /var is 95% full on db01"
    assert (incident.service, incident.category) == (world.service, world.category)
    assert (incident.impact, incident.urgency) == (1, 1)
    assert incident.priority == "P1"
    assert incident.state == IncidentState.ASSIGNED
    assert incident.assignment_team == world.team
    assert incident.reported_by_id == integration.actor_id
    assert "db01.example.com" in incident.description


def test_severity_mapping_of_the_integration_decides_impact_and_urgency(world: Any, sent: Any) -> None:
    mapping = {"warning": {"impact": 2, "urgency": 4}}
    _integration, key = make_integration(world, severity_map=mapping)
    sent(trigger_body(key, severity="warning"))
    incident = Alert.objects.get().incident
    assert (incident.impact, incident.urgency) == (2, 4)


def test_repeats_only_count_with_one_statement_and_no_history(
    world: Any, sent: Any, client: Any, django_assert_num_queries: Any
) -> None:
    _integration, key = make_integration(world)
    sent(trigger_body(key))
    incident = Alert.objects.get().incident
    history_rows = incident.history.count()
    first_seen = Alert.objects.get().first_seen_at
    for _ in range(3):
        with django_assert_num_queries(1):  # the key is cached: the upsert is the only statement
            assert send(client, trigger_body(key)).status_code == 202
    alert = Alert.objects.get()
    assert alert.occurrences == 4
    assert alert.last_seen_at > first_seen
    assert alert.first_seen_at == first_seen
    assert Incident.objects.count() == 1
    assert incident.history.count() == history_rows


def test_a_new_alert_costs_one_statement_in_the_request(
    world: Any, client: Any, django_assert_num_queries: Any
) -> None:
    _integration, key = make_integration(world)
    send(client, trigger_body(key, dedup_key="warm-up"))  # fills the key cache
    with django_assert_num_queries(1):
        assert send(client, trigger_body(key, dedup_key="new")).status_code == 202


def test_a_trigger_without_dedup_key_gets_one_and_always_opens_a_new_alert(world: Any, sent: Any) -> None:
    _integration, key = make_integration(world)
    keys = {sent(trigger_body(key, dedup_key=None)).json()["dedup_key"] for _ in range(2)}
    assert len(keys) == 2
    assert all(len(k) == 32 for k in keys)
    assert Alert.objects.count() == 2
    assert Incident.objects.count() == 2


def test_acknowledge_marks_the_alert_and_notes_it_on_the_incident(world: Any, sent: Any) -> None:
    integration, key = make_integration(world)
    sent(trigger_body(key))
    response = sent({"routing_key": key, "event_action": "acknowledge", "dedup_key": "disk-full/db01"})
    assert response.status_code == 202
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_at is not None
    note = Note.objects.get(object_id=str(alert.incident_id))
    assert note.kind == NoteKind.WORK_NOTE
    assert "acknowledged" in note.body
    assert note.author_id == integration.actor_id
    assert alert.incident.state == IncidentState.ASSIGNED  # a person still works it


def test_resolve_closes_the_alert_and_resolves_the_incident(world: Any, sent: Any) -> None:
    _integration, key = make_integration(world)
    sent(trigger_body(key))
    assert (
        sent({"routing_key": key, "event_action": "resolve", "dedup_key": "disk-full/db01"}).status_code
        == 202
    )
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.RESOLVED
    assert alert.open_dedup_key is None
    assert alert.resolved_at
    incident = Incident.objects.get()
    assert incident.state == IncidentState.RESOLVED
    assert incident.resolution_code == ResolutionCode.SELF_RECOVERED


def test_resolve_with_the_note_policy_leaves_the_incident_to_a_person(world: Any, sent: Any) -> None:
    _integration, key = make_integration(world, auto_resolve=AutoResolve.NOTE)
    sent(trigger_body(key))
    sent({"routing_key": key, "event_action": "resolve", "dedup_key": "disk-full/db01"})
    incident = Incident.objects.get()
    assert incident.state == IncidentState.ASSIGNED
    assert "recovery" in Note.objects.get(object_id=str(incident.pk)).body


def test_a_trigger_after_resolve_opens_a_new_alert_and_a_new_incident(world: Any, sent: Any) -> None:
    _integration, key = make_integration(world)
    sent(trigger_body(key))
    sent({"routing_key": key, "event_action": "resolve", "dedup_key": "disk-full/db01"})
    sent(trigger_body(key))
    assert Alert.objects.count() == 2
    assert Incident.objects.count() == 2
    assert Alert.objects.filter(status=AlertStatus.TRIGGERED).get().occurrences == 1


def test_acknowledge_and_resolve_of_unknown_or_resolved_keys_are_dropped(world: Any, sent: Any) -> None:
    _integration, key = make_integration(world)
    for action in ("acknowledge", "resolve"):
        assert sent({"routing_key": key, "event_action": action, "dedup_key": "nothing"}).status_code == 202
    assert not Alert.objects.exists()
    sent(trigger_body(key))
    sent({"routing_key": key, "event_action": "resolve", "dedup_key": "disk-full/db01"})
    sent({"routing_key": key, "event_action": "acknowledge", "dedup_key": "disk-full/db01"})
    assert Alert.objects.get().status == AlertStatus.RESOLVED


def test_dedup_keys_are_scoped_to_the_integration(world: Any, sent: Any) -> None:
    _first, key1 = make_integration(world)
    _second, key2 = make_integration(world)
    sent(trigger_body(key1))
    sent(trigger_body(key2))
    assert Alert.objects.count() == 2
    # another integration's resolve does not touch this one's alert
    sent({"routing_key": key2, "event_action": "resolve", "dedup_key": "disk-full/db01"})
    assert Alert.objects.filter(status=AlertStatus.TRIGGERED).count() == 1


def test_a_storm_attaches_further_alerts_to_one_candidate_major_incident(world: Any, sent: Any) -> None:
    _integration, key = make_integration(world, storm_threshold=3, storm_window_minutes=5)
    for n in range(6):
        sent(trigger_body(key, dedup_key=f"host-{n}", summary=f"Host {n} down"))
    storm = AlertStorm.objects.get()
    parent = storm.incident
    assert storm.is_open
    assert storm.alert_count == 3
    assert parent.impact == 1
    assert parent.urgency == 1
    assert "storm" in parent.title.lower()
    own = Incident.objects.exclude(pk=parent.pk)
    assert own.count() == 3  # the first three opened their own incidents
    assert set(own.values_list("parent_id", flat=True)) == {parent.pk}
    assert Alert.objects.filter(storm_incident=parent, incident__isnull=True).count() == 3
    managers = Notification.objects.filter(event="incident.alert_storm")
    assert managers.filter(recipient=world["manager"]).exists()
    # the parent is resolved once every alert attached to it has recovered
    for n in range(3, 6):
        assert parent.state != IncidentState.RESOLVED
        sent({"routing_key": key, "event_action": "resolve", "dedup_key": f"host-{n}"})
        parent.refresh_from_db()
    assert parent.state == IncidentState.RESOLVED


def test_no_storm_below_the_threshold_or_when_it_is_off(world: Any, sent: Any) -> None:
    _integration, key = make_integration(world, storm_threshold=0)
    for n in range(5):
        sent(trigger_body(key, dedup_key=f"host-{n}"))
    assert not AlertStorm.objects.exists()
    assert Incident.objects.count() == 5


def test_the_alert_is_committed_before_202_and_survives_a_broker_outage(world: Any, client: Any) -> None:
    _integration, key = make_integration(world)
    with mock.patch("incidents.tasks.alerts_process_task.apply_async", side_effect=OSError("broker down")):
        response = send(client, trigger_body(key))
    assert response.status_code == 202
    alert = Alert.objects.get()
    assert alert.needs_processing
    assert alert.incident is None
    # the periodic sweep does the follow-up from the committed row, once
    assert alert_services.alerts_process() == 1
    assert alert_services.alerts_process() == 0
    alert.refresh_from_db()
    assert alert.incident is not None
    assert Incident.objects.count() == 1


def test_a_failing_follow_up_is_retried_and_bounded(world: Any) -> None:
    integration, _key = make_integration(world)
    alert_services.event_ingest(
        config=alert_services.config_of(integration),
        event=alert_services.Event(action="trigger", dedup_key="x", summary="s", source="h"),
    )
    with mock.patch("incidents.alert_services._open_or_attach", side_effect=RuntimeError("boom")):
        for _ in range(alert_services.MAX_PROCESS_ATTEMPTS + 2):
            assert alert_services.alerts_process() == 0
    alert = Alert.objects.get()
    assert alert.needs_processing
    assert alert.process_attempts == alert_services.MAX_PROCESS_ATTEMPTS


def _database_down(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError("could not connect to server: Connection refused")


def test_database_down_answers_503_json_never_a_traceback(world: Any, client: Any) -> None:
    _integration, key = make_integration(world)
    with mock.patch.object(BaseDatabaseWrapper, "cursor", _database_down):
        response = send(client, trigger_body(key))
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "unavailable"
    assert response["Retry-After"]
    assert b"Traceback" not in response.content
    # and with the key already cached (the failure is in the write itself)
    send(client, trigger_body(key, dedup_key="warm"))
    with mock.patch.object(BaseDatabaseWrapper, "cursor", _database_down):
        assert send(client, trigger_body(key)).status_code == 503


def test_the_test_event_goes_through_ingest(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    integration, _key = make_integration(world)
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_services.integration_send_test_event(integration=integration, actor=world["manager"])
    alert.refresh_from_db()
    assert alert.source_format == "test"
    assert alert.incident is not None
    assert alert.incident.priority == "P4"  # info → impact 4, urgency 4
