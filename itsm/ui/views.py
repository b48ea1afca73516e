"""Policy-protected views.

Every URL of the product names its policy: function views through ``policy_required`` or ``public``,
class-based views through ``PolicyRequiredMixin``. A meta test walks the URL configuration and fails on
any view that names none.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers

from itsm.models import User
from itsm.policy import policy

PUBLIC = ("public", "")
View = Callable[..., HttpResponseBase]


def acting_user(request: Any) -> User:
    """The signed-in person behind a request (page or API); views run after the policy let them in."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _deny(request: HttpRequest) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def policy_required(action: str, target: object) -> Callable[[View], View]:
    """Anonymous users go to the login page; signed-in users without the permission get 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not policy.allows(request.user, action, target):
                return _deny(request)
            return view(request, *args, **kwargs)

        wrapper.itsm_policy = (action, target)  # type: ignore[attr-defined]
        return wrapper

    return decorator


def public(view: View) -> View:
    """Mark a view as open to anyone (login, health check, language switch)."""
    view.itsm_policy = PUBLIC  # type: ignore[attr-defined]
    return view


class PolicyRequiredMixin:
    """Class-based views: ``policy_action`` on ``policy_target`` is checked before dispatch.

    Views of one object also check the object itself in ``get_object``.
    """

    policy_action: str = "view"
    policy_target: object = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if self.policy_target is None or not policy.allows(
            request.user, self.policy_action, self.policy_target
        ):
            return _deny(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def check_object(self, obj: Any, action: str | None = None) -> Any:
        if not policy.allows(self.request.user, action or self.policy_action, obj):  # type: ignore[attr-defined]
            raise PermissionDenied
        return obj


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the full page, or only the named partial for an htmx request that is not boosted."""
    htmx = getattr(request, "htmx", None)
    name = f"{template}#{partial}" if partial and htmx and not htmx.boosted else template
    response = TemplateResponse(request, name, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
