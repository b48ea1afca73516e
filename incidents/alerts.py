"""Monitoring-alert ingest, the read side: integration keys, the cached key lookup, the per-integration
rate limit and the reads of the pages.

Keys are 32 lowercase hex characters (128 random bits, the length PagerDuty senders expect of a routing
key). Only their SHA-256 is stored, with the first 8 characters as the lookup prefix. A request costs
one cache read for its key (a database read on a miss) and one cache increment for the rate limit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet

from .alert_models import Alert, AlertStorm, Integration

KEY_BYTES = 16
KEY_LENGTH = KEY_BYTES * 2
PREFIX_LENGTH = 8
CACHE_SECONDS = 30
_CACHE_PREFIX = "itsm:alerts:integration:"
_RATE_PREFIX = "itsm:alerts:rate:"
# The rate limit's clock (tests replace it to stay inside one window).
clock = time.time


def generate_key() -> str:
    return secrets.token_hex(KEY_BYTES)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_key(key: Any) -> bool:
    return isinstance(key, str) and len(key) == KEY_LENGTH


@dataclass(frozen=True)
class IntegrationConfig:
    """What ingest needs to know about an integration, cached by the hash of its key."""

    id: int
    service_id: int
    enabled: bool
    rate_limit_per_minute: int


def _cache_key(key_hash: str) -> str:
    return _CACHE_PREFIX + key_hash


def integration_for_key(key: Any) -> IntegrationConfig | None:
    """The enabled integration whose key this is, else None (unknown, malformed and disabled keys alike)."""
    if not looks_like_key(key):
        return None
    digest = hash_key(key)
    config = cache.get(_cache_key(digest))
    if config is None:
        row = (
            Integration.objects.filter(key_prefix=key[:PREFIX_LENGTH])
            .values_list("id", "service_id", "enabled", "rate_limit_per_minute", "key_hash")
            .first()
        )
        if row is None or not hmac.compare_digest(row[4], digest):
            return None
        config = IntegrationConfig(id=row[0], service_id=row[1], enabled=row[2], rate_limit_per_minute=row[3])
        cache.set(_cache_key(digest), config, CACHE_SECONDS)
    return config if config.enabled else None


def forget_key(key_hash: str) -> None:
    """Drop a cached lookup (after a change to the integration, or a rotated key)."""
    cache.delete(_cache_key(key_hash))


def rate_limit_take(config: IntegrationConfig, count: int = 1) -> int | None:
    """Count ``count`` events against the integration's per-minute budget (a fixed one-minute window,
    one atomic cache increment). Returns None when they fit, else the seconds until the next window."""
    now = clock()
    window = int(now // 60)
    key = f"{_RATE_PREFIX}{config.id}:{window}"
    try:
        used = cache.incr(key, count)
    except ValueError:
        used = count if cache.add(key, count, 120) else cache.incr(key, count)
    if used > config.rate_limit_per_minute:
        return max(1, 60 - int(now % 60))
    return None


# Reads of the pages and the API ----------------------------------------------------------------------


def integration_list() -> QuerySet[Integration]:
    return Integration.objects.select_related("service", "category", "assignment_team", "configuration_item")


def alerts_for_incident(incident: Any, *, limit: int = 200) -> list[Alert]:
    """The alerts an incident answers for (its own and, for a storm's parent, the attached ones)."""
    return list(
        Alert.objects.filter(Q(incident=incident) | Q(storm_incident=incident))
        .select_related("integration")
        .order_by("-last_seen_at", "-id")[:limit]
    )


def storm_of(incident: Any) -> AlertStorm | None:
    """The alert storm whose parent this incident is (then it is a candidate major incident)."""
    return AlertStorm.objects.filter(incident=incident).order_by("-started_at").first()


def alert_list() -> QuerySet[Alert]:
    return Alert.objects.select_related("integration", "incident", "storm_incident")


def recent_alerts(integration: Integration, *, limit: int = 20) -> list[Alert]:
    return list(
        Alert.objects.filter(integration=integration)
        .select_related("incident", "storm_incident")
        .order_by("-last_seen_at", "-id")[:limit]
    )
