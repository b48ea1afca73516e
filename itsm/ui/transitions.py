"""Transition buttons and the POST view behind them, for every record type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from itsm.policy import policy
from itsm.records import allowed_transitions

from .views import PolicyRequiredMixin, acting_user


def transition_buttons(
    record: Any, user: Any, labels: Mapping[str, Any], url_name: str
) -> list[dict[str, Any]]:
    """The transitions this user may run now, in the order of ``labels``, with their POST URLs."""
    from django.urls import reverse

    allowed = set(allowed_transitions(record, user))
    return [
        {"name": name, "label": label, "url": reverse(url_name, args=[record.pk, name])}
        for name, label in labels.items()
        if name in allowed
    ]


class TransitionView(PolicyRequiredMixin, View):
    """POST ``…/<pk>/<transition>/`` with an optional ``note``: runs the transition's service.

    The outcome is a message on the record's page: done, not allowed now, changed by someone else
    meanwhile (reload), or what is missing. Nothing changes unless the service succeeds.
    """

    http_method_names = ["post"]
    policy_action = "view"
    services: Mapping[str, Callable[..., Any]] = {}
    record_argument = "record"

    def get_queryset(self) -> QuerySet[Any]:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int, transition: str) -> HttpResponseBase:
        service = self.services.get(transition)
        if service is None:
            raise Http404
        record: Model = get_object_or_404(policy.scope(request.user, "view", self.get_queryset()), pk=pk)
        note = request.POST.get("note", "")
        try:
            service(**{self.record_argument: record}, actor=acting_user(request), note=note)
        except TransitionNotAllowed:
            messages.error(request, _("This action is not allowed in the record's current state."))
        except ConcurrentTransition:
            messages.error(request, _("This record changed since you loaded it; reload and try again."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Done: %(record)s.") % {"record": record})
        response = HttpResponseRedirect(record.get_absolute_url())  # type: ignore[attr-defined]
        response["HX-Trigger"] = "record-changed"
        return response
