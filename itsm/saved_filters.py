"""Saved filters of list pages (like Zendesk views, ServiceNow saved filters, GLPI saved searches).

A ``SavedFilter`` is a named query string (filters and sort only) of one list page, kept by its owner
and optionally shared with a team of theirs or with everyone who may see the list. The list is named
by its URL name (``"incidents:incident_list"``); the query string is cut down to the parameters that
list's FilterSet and sortable columns know, so a saved filter never carries a cursor, an export format
or anything else.

Reading the filters a person sees on a list costs a list page no query at all: they are kept in the
Django cache per (person, list) under a version number that every create, update, delete and team
change bumps (``SAVED_FILTER_CACHE_SECONDS`` bounds anything that slips through, such as a role
change). On a cache miss the page renders a placeholder that fetches the control (and so warms the
cache) with htmx, or links to it without JavaScript.

Writes go through ``saved_filter_create``, ``saved_filter_update`` and ``saved_filter_delete``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.forms import MultiWidget
from django.http import QueryDict
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import SavedFilterSharing
from .history import save_with_history
from .policy import has_any_perm, is_active_user, policy

NAME_MAX_LENGTH = 80
QUERY_MAX_LENGTH = 2000
LIST_KEY_MAX_LENGTH = 100
# Parameters that are never part of a saved filter: where a page starts, how it is exported.
NEVER_SAVED = {"cursor", "format", "page", "csrfmiddlewaretoken"}
CACHE_VERSION_KEY = "saved-filters:version"
CACHE_SECONDS = getattr(settings, "SAVED_FILTER_CACHE_SECONDS", 300)

may_share_with_everyone = has_any_perm("itsm.share_savedfilter")


class SavedFilter(models.Model):
    """A named filter (query string) of one list page, private or shared with a team or everyone."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_filters",
    )
    list_key = models.CharField(_("list"), max_length=LIST_KEY_MAX_LENGTH)
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    query = models.CharField(_("query"), max_length=QUERY_MAX_LENGTH, blank=True)
    sharing = models.CharField(
        _("shared with"),
        max_length=10,
        choices=SavedFilterSharing.choices,
        default=SavedFilterSharing.PRIVATE,
    )
    # Teams are deactivated rather than deleted; deleting one takes the filters shared with it along.
    team = models.ForeignKey(
        "itsm.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="saved_filters",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["list_key", "name", "id"]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        permissions = (("share_savedfilter", "Can share saved filters with everyone"),)
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "list_key", "name"], name="itsm_savedfilter_unique_name_per_list"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="itsm_savedfilter_has_name"),
            models.CheckConstraint(
                condition=Q(sharing__in=SavedFilterSharing.values), name="itsm_savedfilter_sharing_valid"
            ),
            models.CheckConstraint(
                condition=Q(sharing=SavedFilterSharing.TEAM, team__isnull=False)
                | (~Q(sharing=SavedFilterSharing.TEAM) & Q(team__isnull=True)),
                name="itsm_savedfilter_team_iff_team_sharing",
            ),
        ]
        indexes = [models.Index(fields=["list_key", "sharing"], name="itsm_savedfilter_list_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("itsm:saved_filter_list")

    @property
    def url(self) -> str:
        """The list page with this filter applied."""
        return list_url(self.list_key, self.query)


# Lists ----------------------------------------------------------------------------------------------


def list_url(list_key: str, query: str = "") -> str:
    try:
        path = reverse(list_key)
    except NoReverseMatch:
        return reverse("dashboard")
    return f"{path}?{query}" if query else path


def list_view_class(list_key: str) -> Any:
    """The list page view behind a URL name (a ``ListPageView``), or None for anything else."""
    if not list_key or len(list_key) > LIST_KEY_MAX_LENGTH:
        return None
    try:
        match = resolve(reverse(list_key))
    except (NoReverseMatch, Resolver404):
        return None
    view_class = getattr(match.func, "view_class", None)
    # Duck-typed so that the domain code never imports the UI: a list page has columns and sorting.
    if view_class is None or not hasattr(view_class, "sortable") or not hasattr(view_class, "columns"):
        return None
    return view_class


def may_see_list(user: Any, view_class: Any) -> bool:
    target = getattr(view_class, "policy_target", None)
    action = getattr(view_class, "policy_action", "view")
    return target is not None and policy.allows(user, action, target)


def filter_params(view_class: Any) -> set[str]:
    """The query parameters a list understands: its FilterSet's fields (with the suffixes of range
    widgets) and ``sort``."""
    names = {"sort"}
    filterset_class = getattr(view_class, "filterset_class", None)
    if filterset_class is None:
        return names
    for name, filter_ in filterset_class.base_filters.items():
        widget = filter_.field.widget
        if isinstance(widget, MultiWidget):
            suffixes = getattr(widget, "suffixes", None) or [str(i) for i in range(len(widget.widgets))]
            names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
        else:
            names.add(name)
    return names


def sanitize_query(view_class: Any, query: str) -> str:
    """``query`` cut down to the list's filter and sort parameters: unknown parameters, cursors,
    export formats and empty values are dropped; a sort must name a sortable column."""
    allowed = filter_params(view_class) - NEVER_SAVED
    sortable = set(view_class().sortable())
    params = QueryDict(query.lstrip("?")[: QUERY_MAX_LENGTH * 2], mutable=True)
    kept = QueryDict(mutable=True)
    for key in params:
        if key not in allowed:
            continue
        values = [value.strip() for value in params.getlist(key) if value.strip()]
        if key == "sort":
            values = [value for value in values[:1] if value.lstrip("-") in sortable]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


# Visibility -----------------------------------------------------------------------------------------


def _visible(user: Any) -> Q:
    return (
        Q(owner=user)
        | Q(sharing=SavedFilterSharing.TEAM, team__members=user, team__is_active=True)
        | Q(sharing=SavedFilterSharing.EVERYONE)
    )


def visible_filters(user: Any, list_key: str | None = None) -> QuerySet[SavedFilter]:
    """The saved filters ``user`` sees: their own, those shared with a team of theirs, those shared
    with everyone (the list pages themselves check that the person may see the list)."""
    if not is_active_user(user):
        return SavedFilter.objects.none()
    queryset = SavedFilter.objects.select_related("owner", "team").filter(_visible(user))
    if list_key is not None:
        queryset = queryset.filter(list_key=list_key)
    return queryset.distinct().order_by("name", "id")


def may_view(user: Any, saved_filter: SavedFilter | None) -> bool:
    if not is_active_user(user):
        return False
    if saved_filter is None or saved_filter.owner_id == user.pk:
        return True
    if saved_filter.sharing == SavedFilterSharing.EVERYONE:
        return True
    return (
        saved_filter.sharing == SavedFilterSharing.TEAM
        and saved_filter.team is not None
        and saved_filter.team.is_active
        and saved_filter.team.members.filter(pk=user.pk).exists()
    )


def may_change(user: Any, saved_filter: SavedFilter | None) -> bool:
    """Only the owner renames, re-shares or deletes a filter (``None``: anyone signed in keeps some)."""
    if not is_active_user(user):
        return False
    return saved_filter is None or saved_filter.owner_id == user.pk


def scope_visible(user: Any, queryset: QuerySet[SavedFilter]) -> QuerySet[SavedFilter]:
    if not is_active_user(user):
        return queryset.none()
    return queryset.filter(pk__in=SavedFilter.objects.filter(_visible(user)).values("pk"))


# Cache ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CachedFilter:
    """What the list page needs of a saved filter (picklable, no model instance in the cache)."""

    pk: int
    name: str
    url: str
    sharing: str
    mine: bool
    owner: str
    team: str


@dataclass(frozen=True)
class ListFilters:
    """The saved filters of one list for one person, and how they may share a new one."""

    filters: tuple[CachedFilter, ...]
    teams: tuple[tuple[int, str], ...]
    may_share_with_everyone: bool


def cache_version() -> int:
    version = cache.get(CACHE_VERSION_KEY)
    if version is None:
        version = 1
        cache.add(CACHE_VERSION_KEY, version, timeout=None)
    return int(version)


def invalidate_cache() -> None:
    """Every person's cached filters become stale (the next page view reads them again)."""
    try:
        cache.incr(CACHE_VERSION_KEY)
    except ValueError:
        cache.set(CACHE_VERSION_KEY, 2, timeout=None)


def invalidate_cache_on_commit() -> None:
    invalidate_cache()
    transaction.on_commit(invalidate_cache)  # a reader between the write and the commit re-reads again


def _cache_key(user: Any, list_key: str) -> str:
    return f"saved-filters:{cache_version()}:{user.pk}:{list_key}"


def cached_list_filters(user: Any, list_key: str) -> ListFilters | None:
    """The filters ``user`` sees on ``list_key`` if the cache has them; never a query."""
    cached = cache.get(_cache_key(user, list_key))
    return cached if isinstance(cached, ListFilters) else None


def list_filters(user: Any, list_key: str) -> ListFilters:
    """The filters ``user`` sees on ``list_key``, from the cache when warm (no query at all)."""
    key = _cache_key(user, list_key)
    cached = cache.get(key)
    if isinstance(cached, ListFilters):
        return cached
    filters = tuple(
        CachedFilter(
            pk=f.pk,
            name=f.name,
            url=f.url,
            sharing=f.sharing,
            mine=f.owner_id == user.pk,
            owner=str(f.owner),
            team=str(f.team) if f.team is not None else "",
        )
        for f in visible_filters(user, list_key)
    )
    teams = tuple(user.teams.filter(is_active=True).order_by("name").values_list("pk", "name"))
    value = ListFilters(
        filters=filters, teams=teams, may_share_with_everyone=may_share_with_everyone(user, None)
    )
    cache.set(key, value, timeout=CACHE_SECONDS)
    return value


# Writes ---------------------------------------------------------------------------------------------


def _clean(
    *,
    actor: Any,
    list_key: str,
    name: str,
    query: str,
    sharing: str,
    team: Any,
    exclude_pk: int | None = None,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    view_class = list_view_class(list_key)
    if view_class is None or not may_see_list(actor, view_class):
        errors["list_key"] = [gettext("This is not a list you can save filters of.")]
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [gettext("Give the filter a name.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [
            gettext("The name is too long: %(length)d characters, at most %(max)d.")
            % {"length": len(name), "max": NAME_MAX_LENGTH}
        ]
    if sharing not in SavedFilterSharing.values:
        errors["sharing"] = [gettext("Choose who may see the filter.")]
    elif sharing == SavedFilterSharing.EVERYONE and not may_share_with_everyone(actor, None):
        errors["sharing"] = [gettext("Only managers may share a filter with everyone.")]
    elif sharing == SavedFilterSharing.TEAM:
        if team is None:
            errors["team"] = [gettext("Choose the team to share the filter with.")]
        elif not team.is_active or not team.members.filter(pk=actor.pk).exists():
            errors["team"] = [gettext("You can share a filter only with a team you belong to.")]
    if not errors and view_class is not None:
        query = sanitize_query(view_class, query or "")
        if len(query) > QUERY_MAX_LENGTH:
            errors["query"] = [gettext("The filter is too long to save.")]
    if not errors:
        clash = SavedFilter.objects.filter(owner=actor, list_key=list_key, name=name)
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            errors["name"] = [gettext("You already have a filter of this name on this list.")]
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "query": query,
        "sharing": sharing,
        "team": team if sharing == SavedFilterSharing.TEAM else None,
    }


@transaction.atomic
def saved_filter_create(
    *,
    actor: Any,
    list_key: str,
    name: str,
    query: str = "",
    sharing: str = SavedFilterSharing.PRIVATE,
    team: Any = None,
) -> SavedFilter:
    """Save a filter of ``list_key`` for ``actor``: the query is cut down to the list's filters."""
    policy.require(actor, "add", SavedFilter)
    data = _clean(actor=actor, list_key=list_key, name=name, query=query, sharing=sharing, team=team)
    saved_filter = SavedFilter(owner=actor, list_key=list_key, **data)
    save_with_history(saved_filter, actor=actor, reason="create")
    invalidate_cache_on_commit()
    return saved_filter


@transaction.atomic
def saved_filter_update(
    *,
    saved_filter: SavedFilter,
    actor: Any,
    name: str | None = None,
    query: str | None = None,
    sharing: str | None = None,
    team: Any = None,
) -> SavedFilter:
    """Rename, re-share or replace the query of one's own filter (``None``: keep as it is)."""
    policy.require(actor, "change", saved_filter)
    sharing = saved_filter.sharing if sharing is None else sharing
    if sharing == SavedFilterSharing.TEAM and team is None:
        team = saved_filter.team
    data = _clean(
        actor=actor,
        list_key=saved_filter.list_key,
        name=saved_filter.name if name is None else name,
        query=saved_filter.query if query is None else query,
        sharing=sharing,
        team=team,
        exclude_pk=saved_filter.pk,
    )
    if all(getattr(saved_filter, key) == value for key, value in data.items()):
        return saved_filter
    for key, value in data.items():
        setattr(saved_filter, key, value)
    saved_filter.updated_at = timezone.now()
    save_with_history(saved_filter, actor=actor, reason="update")
    invalidate_cache_on_commit()
    return saved_filter


@transaction.atomic
def saved_filter_delete(*, saved_filter: SavedFilter, actor: Any) -> None:
    """Delete one's own filter (its history keeps a row by the actor)."""
    if not policy.allows(actor, "change", saved_filter):
        raise PermissionDenied
    saved_filter._history_user = actor  # type: ignore[attr-defined]
    saved_filter._change_reason = "delete"  # type: ignore[attr-defined]
    saved_filter.delete()
    invalidate_cache_on_commit()
