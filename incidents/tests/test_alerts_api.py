"""The ingest endpoints as senders meet them: bad input (always 4xx in the sender's shape, never 5xx),
keys (T17: unknown and disabled refused alike, rotation), the per-integration rate limit, and the
Alertmanager webhook (per-alert fingerprints, one bad alert reported while the others count)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents import alert_services, alerts
from incidents.alert_choices import AlertStatus
from incidents.alert_models import Alert
from incidents.models import Incident

from .alert_helpers import (
    ALERTMANAGER_URL,
    EVENTS_URL,
    alertmanager_body,
    am_alert,
    make_integration,
    post_json,
    send,
    send_alertmanager,
    trigger_body,
)

pytestmark = pytest.mark.django_db


def assert_invalid(response: Any, status: int = 400, *fragments: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"status", "message", "errors"}
    assert isinstance(body["errors"], list)
    text = json.dumps(body)
    for fragment in fragments:
        assert fragment in text, text
    return body


# Malformed bodies -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b.pop("event_action"), "event_action"),
        (lambda b: b.update(event_action="explode"), "event_action"),
        (lambda b: b.pop("payload"), "payload"),
        (lambda b: b.update(payload="text"), "payload"),
        (lambda b: b["payload"].pop("summary"), "payload.summary"),
        (lambda b: b["payload"].update(summary=42), "payload.summary"),
        (lambda b: b["payload"].update(summary="x" * 1025), "payload.summary"),
        (lambda b: b["payload"].pop("source"), "payload.source"),
        (lambda b: b["payload"].update(severity="disaster"), "payload.severity"),
        (lambda b: b["payload"].update(severity=None), "payload.severity"),
        (lambda b: b["payload"].update(severity={"level": "high"}), "payload.severity"),
        (lambda b: b["payload"].update(severity=["critical"]), "payload.severity"),
        (lambda b: b["payload"].update(timestamp="yesterday"), "payload.timestamp"),
        (lambda b: b["payload"].update(component=["a"]), "payload.component"),
        (lambda b: b.update(dedup_key=7), "dedup_key"),
        (lambda b: b.update(dedup_key="k" * 256), "dedup_key"),
        (lambda b: b.update(links="http://x"), "links"),
        (lambda b: b.update(images=[{"alt": "no src"}]), "images"),
        (lambda b: b.update(routing_key=None), "routing_key"),
        (lambda b: b.update(routing_key=123), "routing_key"),
    ],
)
def test_each_bad_field_is_named_in_a_400(world: Any, client: Any, mutate: Any, field: str) -> None:
    _integration, key = make_integration(world)
    body = trigger_body(key)
    mutate(body)
    body_json = assert_invalid(send(client, body), 400, field)
    assert body_json["status"] == "invalid event"
    assert not Alert.objects.exists()


def test_acknowledge_and_resolve_need_a_dedup_key(world: Any, client: Any) -> None:
    _integration, key = make_integration(world)
    for action in ("acknowledge", "resolve"):
        assert_invalid(send(client, {"routing_key": key, "event_action": action}), 400, "dedup_key")


def test_several_bad_fields_are_all_reported(world: Any, client: Any) -> None:
    _integration, key = make_integration(world)
    body = {"routing_key": key, "event_action": "trigger", "payload": {"severity": "bad"}}
    errors = assert_invalid(send(client, body))["errors"]
    assert len(errors) == 3  # summary, source, severity


@pytest.mark.parametrize(
    "raw", [b"{not json", b" ", b"\xff\xfe\x00", b"[1, 2]", b'"text"', b"null", b"{" * 5000]
)
def test_invalid_json_or_not_an_object_is_400(world: Any, client: Any, raw: bytes) -> None:
    response = client.post(EVENTS_URL, data=raw, content_type="application/json")
    assert_invalid(response, 400)


def test_wrong_content_type_is_415(world: Any, client: Any) -> None:
    _integration, key = make_integration(world)
    response = client.post(EVENTS_URL, data=json.dumps(trigger_body(key)), content_type="text/plain")
    assert_invalid(response, 415, "application/json")
    response = client.post(EVENTS_URL, data={"routing_key": key})  # a form post
    assert_invalid(response, 415)


def test_an_event_larger_than_512_kb_is_413(world: Any, client: Any) -> None:
    _integration, key = make_integration(world)
    body = trigger_body(key, custom_details={"blob": "x" * (600 * 1024)})
    assert_invalid(send(client, body), 413)
    assert not Alert.objects.exists()


@override_settings(ITSM_MAX_REQUEST_BYTES=1000)
def test_the_site_wide_request_limit_still_applies(world: Any, client: Any) -> None:
    _integration, key = make_integration(world)
    response = send(client, trigger_body(key, custom_details={"blob": "x" * 2000}))
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_get_is_not_allowed(client: Any) -> None:
    assert client.get(EVENTS_URL).status_code == 405
    assert client.get(ALERTMANAGER_URL).status_code == 405


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
event_like = st.fixed_dictionaries(
    {},
    optional={
        "routing_key": json_values,
        "event_action": st.sampled_from(["trigger", "acknowledge", "resolve", "x"]) | json_values,
        "dedup_key": json_values,
        "payload": st.fixed_dictionaries(
            {},
            optional={
                "summary": json_values,
                "source": json_values,
                "severity": st.sampled_from(["critical", "info", "nope"]) | json_values,
                "timestamp": json_values,
                "custom_details": json_values,
            },
        )
        | json_values,
        "links": json_values,
        "images": json_values,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=event_like | json_values)
def test_no_body_ever_gets_a_5xx(client: Any, body: Any) -> None:
    response = post_json(client, EVENTS_URL, body)
    assert response.status_code in (400, 401), response.content
    assert response.json()["status"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.fixed_dictionaries(
        {
            "alerts": st.lists(
                json_values
                | st.dictionaries(
                    st.sampled_from(["status", "labels", "annotations", "fingerprint", "startsAt"]),
                    json_values,
                ),
                max_size=4,
            )
        }
    )
    | json_values
)
def test_no_alertmanager_body_ever_gets_a_5xx(world: Any, client: Any, body: Any) -> None:
    key = getattr(world, "_am_key", None)
    if key is None:
        key = world._am_key = make_integration(world)[1]
    response = send_alertmanager(client, key, body)
    assert response.status_code in (202, 400), response.content


# Keys (T17) ----------------------------------------------------------------------------------------------


def test_unknown_malformed_and_disabled_keys_are_refused_alike(world: Any, client: Any) -> None:
    integration, key = make_integration(world)
    answers = []
    for candidate in ("0" * 32, "short", key[:-1] + ("0" if key[-1] != "0" else "1")):
        answers.append(send(client, trigger_body(candidate)))
    alert_services.integration_update(
        integration=integration, actor=world["manager"], data={"enabled": False}
    )
    answers.append(send(client, trigger_body(key)))
    bodies = {json.dumps(r.json(), sort_keys=True) for r in answers}
    assert {r.status_code for r in answers} == {401}
    assert len(bodies) == 1
    assert not Alert.objects.exists()
    alert_services.integration_update(integration=integration, actor=world["manager"], data={"enabled": True})
    assert send(client, trigger_body(key)).status_code == 202


def test_only_the_keys_hash_is_stored_and_never_the_key_with_the_alert(world: Any, client: Any) -> None:
    integration, key = make_integration(world)
    send(client, trigger_body(key))
    integration.refresh_from_db()
    assert integration.key_hash == alerts.hash_key(key)
    assert key not in integration.key_hash
    assert integration.key_prefix == key[:8]
    assert key not in json.dumps(Alert.objects.get().payload)
    assert not integration.history.filter(key_prefix=key).exists()


def test_a_rotated_key_replaces_the_old_one_at_once(world: Any, client: Any) -> None:
    integration, old = make_integration(world)
    assert send(client, trigger_body(old)).status_code == 202  # cached now
    new = alert_services.integration_rotate_key(integration=integration, actor=world["manager"])
    assert new != old
    assert len(new) == 32
    assert send(client, trigger_body(old, dedup_key="after")).status_code == 401
    assert send(client, trigger_body(new, dedup_key="after")).status_code == 202
    assert integration.history.filter(history_change_reason="rotate_key").exists()


def test_a_disabled_integration_is_refused_even_from_the_cache(world: Any, client: Any) -> None:
    integration, key = make_integration(world)
    assert send(client, trigger_body(key)).status_code == 202
    alert_services.integration_update(
        integration=integration, actor=world["manager"], data={"enabled": False}
    )
    assert send(client, trigger_body(key)).status_code == 401


# Rate limit (T17) -----------------------------------------------------------------------------------------


def test_above_the_rate_limit_429_with_retry_after_and_nothing_accepted_is_lost(
    world: Any, client: Any, monkeypatch: Any
) -> None:
    _integration, key = make_integration(world, rate_limit_per_minute=5)
    monkeypatch.setattr(alerts, "clock", lambda: 1_800_000_015.0)  # 15 s into a minute
    answers = [send(client, trigger_body(key, dedup_key=f"k{n}")) for n in range(50)]
    accepted = [r for r in answers if r.status_code == 202]
    throttled = [r for r in answers if r.status_code == 429]
    assert len(accepted) == 5
    assert len(throttled) == 45
    assert {r["Retry-After"] for r in throttled} == {"45"}
    assert throttled[0].json()["status"] == "throttled"
    assert Alert.objects.count() == 5  # every 202 is a row
    monkeypatch.setattr(alerts, "clock", lambda: 1_800_000_061.0)  # the next minute
    assert send(client, trigger_body(key, dedup_key="later")).status_code == 202


def test_the_limit_is_per_integration(world: Any, client: Any, monkeypatch: Any) -> None:
    _first, key1 = make_integration(world, rate_limit_per_minute=1)
    _second, key2 = make_integration(world, rate_limit_per_minute=1)
    monkeypatch.setattr(alerts, "clock", lambda: 1_800_000_000.0)
    assert send(client, trigger_body(key1)).status_code == 202
    assert send(client, trigger_body(key1, dedup_key="b")).status_code == 429
    assert send(client, trigger_body(key2)).status_code == 202


def test_an_alertmanager_batch_counts_each_alert(world: Any, client: Any, monkeypatch: Any) -> None:
    _integration, key = make_integration(world, rate_limit_per_minute=3)
    monkeypatch.setattr(alerts, "clock", lambda: 1_800_000_000.0)
    body = alertmanager_body(*(am_alert(f"fp{n}") for n in range(4)))
    response = send_alertmanager(client, key, body)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert not Alert.objects.exists()


# Alertmanager -----------------------------------------------------------------------------------------------


@pytest.fixture
def am(client: Any, django_capture_on_commit_callbacks: Any) -> Any:
    def send_and_process(key: str, body: dict[str, Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return send_alertmanager(client, key, body)

    return send_and_process


def test_alertmanager_firing_alerts_open_one_alert_each_by_fingerprint(world: Any, am: Any) -> None:
    integration, key = make_integration(world)
    response = am(key, alertmanager_body(am_alert("aaa"), am_alert("bbb", severity="warning")))
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "success"
    assert body["accepted"] == 2
    assert body["errors"] == []
    assert {a.dedup_key for a in Alert.objects.all()} == {"aaa", "bbb"}
    assert Incident.objects.count() == 2
    critical = Alert.objects.get(dedup_key="aaa")
    assert critical.severity == "critical"
    assert critical.incident.priority == "P1"
    assert critical.source == "aaa:9100"
    assert critical.summary == "Disk full on aaa"
    assert critical.payload["labels"]["alertname"] == "DiskFull"
    assert integration.pk == critical.integration_id


def test_alertmanager_resends_count_and_resolved_resolves(
    world: Any, am: Any, django_assert_num_queries: Any
) -> None:
    _integration, key = make_integration(world)
    am(key, alertmanager_body(am_alert("aaa"), am_alert("bbb")))
    with django_assert_num_queries(
        3
    ):  # savepoint-free transaction: BEGIN/upsert/COMMIT or upsert + 2 markers
        am(key, alertmanager_body(am_alert("aaa"), am_alert("bbb")))
    assert sorted(Alert.objects.values_list("occurrences", flat=True)) == [2, 2]
    am(key, alertmanager_body(am_alert("aaa", status="resolved"), am_alert("bbb"), status="firing"))
    resolved = Alert.objects.get(dedup_key="aaa")
    assert resolved.status == AlertStatus.RESOLVED
    assert resolved.incident.state == "resolved"
    assert Alert.objects.get(dedup_key="bbb").occurrences == 3
    assert Incident.objects.count() == 2


def test_one_invalid_alert_is_reported_and_the_others_are_processed(world: Any, am: Any) -> None:
    _integration, key = make_integration(world)
    bad = am_alert("ccc")
    bad["status"] = "exploding"
    also_bad = am_alert("ddd")
    also_bad["labels"] = {"alertname": 5}
    response = am(key, alertmanager_body(am_alert("aaa"), bad, am_alert("bbb"), also_bad))
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 2
    assert [e["index"] for e in body["errors"]] == [1, 3]
    assert body["errors"][0]["fingerprint"] == "ccc"
    assert "status" in body["errors"][0]["errors"][0]
    assert {a.dedup_key for a in Alert.objects.all()} == {"aaa", "bbb"}


def test_a_batch_with_only_bad_alerts_is_400(world: Any, client: Any) -> None:
    _integration, key = make_integration(world)
    bad = am_alert("x")
    bad["labels"] = "nope"
    assert_invalid(send_alertmanager(client, key, alertmanager_body(bad)), 400, "alerts[0].labels")
    assert_invalid(send_alertmanager(client, key, {"alerts": "none"}), 400, "alerts")


def test_repeats_of_one_fingerprint_within_a_batch_are_added_up(world: Any, am: Any) -> None:
    _integration, key = make_integration(world)
    am(key, alertmanager_body(am_alert("aaa"), am_alert("aaa"), am_alert("aaa")))
    assert Alert.objects.get().occurrences == 3
    assert Incident.objects.count() == 1


def test_an_alert_without_fingerprint_is_keyed_by_its_labels(world: Any, am: Any) -> None:
    _integration, key = make_integration(world)
    alert = am_alert("zzz")
    del alert["fingerprint"]
    am(key, alertmanager_body(alert))
    am(key, alertmanager_body(dict(alert)))
    stored = Alert.objects.get()
    assert stored.occurrences == 2
    assert len(stored.dedup_key) == 16


def test_alertmanager_needs_the_bearer_key(world: Any, client: Any) -> None:
    integration, key = make_integration(world)
    body = alertmanager_body(am_alert("aaa"))
    for headers in ({}, {"HTTP_AUTHORIZATION": f"Token {key}"}, {"HTTP_AUTHORIZATION": "Bearer " + "0" * 32}):
        response = post_json(client, ALERTMANAGER_URL, body, **headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
    alert_services.integration_update(
        integration=integration, actor=world["manager"], data={"enabled": False}
    )
    assert send_alertmanager(client, key, body).status_code == 401
    assert not Alert.objects.exists()
