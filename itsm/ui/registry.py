"""Navigation and dashboard widgets, registered by each app in its ``navigation.py``.

Both are filtered through the policy, so a person sees only the processes and numbers their roles allow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from itsm.choices import Area
from itsm.policy import policy


@dataclass(frozen=True)
class NavItem:
    area: Area
    label: Any
    url_name: str
    action: str
    target: object
    order: int = 100
    shortcut_create: str | None = None

    def allowed(self, user: Any) -> bool:
        return policy.allows(user, self.action, self.target)

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class Widget:
    """A dashboard card: ``context(user)`` returns what its template shows (real numbers only)."""

    key: str
    title: Any
    template: str
    allowed: Callable[[Any, Any], bool]
    context: Callable[[Any], dict[str, Any]]
    order: int = 100


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    widgets: list[Widget] = field(default_factory=list)

    def add_nav(self, item: NavItem) -> None:
        self.nav.append(item)
        self.nav.sort(key=lambda i: (list(Area).index(i.area), i.order))

    def add_widget(self, widget: Widget) -> None:
        if any(w.key == widget.key for w in self.widgets):
            raise ValueError(f"Dashboard widget {widget.key} is registered twice.")
        self.widgets.append(widget)
        self.widgets.sort(key=lambda w: w.order)

    def nav_for(self, user: Any) -> list[tuple[Area, list[NavItem]]]:
        groups: dict[Area, list[NavItem]] = {}
        for item in self.nav:
            if item.allowed(user):
                groups.setdefault(item.area, []).append(item)
        return list(groups.items())

    def widgets_for(self, user: Any) -> list[tuple[Widget, dict[str, Any]]]:
        return [(w, w.context(user)) for w in self.widgets if w.allowed(user, None)]


registry = Registry()
