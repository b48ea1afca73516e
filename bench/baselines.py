"""Baseline views: the least a plain Django view needs to do to answer the same as the product."""

from __future__ import annotations

from base64 import b64encode
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, JsonResponse

from itsm.models import Team

API_PAGE_SIZE = 50


def team_list_json(request: HttpRequest) -> JsonResponse:
    """The first page of ``GET /api/v1/teams/`` (by name, 50 rows, cursor link) without DRF.

    The same rows, fields, ``next`` cursor and compact separators as the product; no authentication,
    permission check, throttle or serializer.
    """
    teams = list(
        Team.objects.order_by("name").values(
            "id", "name", "code", "email", "department", "lead", "description", "is_active"
        )[: API_PAGE_SIZE + 1]
    )
    has_next = len(teams) > API_PAGE_SIZE
    teams = teams[:API_PAGE_SIZE]
    members: dict[int, list[int]] = defaultdict(list)
    memberships = Team.members.through.objects.filter(team_id__in=[team["id"] for team in teams])
    for team_id, user_id in memberships.order_by("user__username", "user_id").values_list(
        "team_id", "user_id"
    ):
        members[team_id].append(user_id)
    results: list[dict[str, Any]] = [
        {
            "id": team["id"],
            "name": team["name"],
            "code": team["code"],
            "email": team["email"],
            "department": team["department"],
            "lead": team["lead"],
            "members": members[team["id"]],
            "description": team["description"],
            "is_active": team["is_active"],
        }
        for team in teams
    ]
    next_link = None
    if has_next:
        cursor = b64encode(urlencode({"p": teams[-1]["name"]}).encode("ascii")).decode("ascii")
        next_link = request.build_absolute_uri(f"{request.path}?{urlencode({'cursor': cursor})}")
    return JsonResponse(
        {"next": next_link, "previous": None, "results": results},
        json_dumps_params={"separators": (",", ":"), "ensure_ascii": False},
    )
