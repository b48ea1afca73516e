"""Pages of monitoring-alert ingest: integrations (list, detail with copy-paste examples, create, edit,
rotate the key, send a test event) and the alerts panel of an incident.

A new or rotated key is shown once: the service returns it, the view keeps it in the session for the
one page that follows and takes it out as it renders it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from itsm.policy import policy
from itsm.ui.detail import Action, edit_actions
from itsm.ui.edit import ServiceFormView
from itsm.ui.lists import Column, ListPageView
from itsm.ui.views import acting_user, policy_required, render_page

from . import alert_services, alerts
from .alert_choices import Severity
from .alert_forms import IntegrationForm
from .alert_models import Alert, Integration
from .models import Incident

SESSION_KEY = "incidents:integration-key:%s"


def _remember_key(request: HttpRequest, integration: Integration, key: str) -> None:
    request.session[SESSION_KEY % integration.pk] = key


class IntegrationListView(ListPageView):
    model = Integration
    policy_target = Integration
    title = gettext_lazy("Monitoring integrations")
    default_sort = "name"
    export_filename = "integrations"
    create_url = reverse_lazy("incidents:integration_create")
    create_label = gettext_lazy("New integration")
    columns = [
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("service", gettext_lazy("Service"), accessor="service"),
        Column("assignment_team", gettext_lazy("Assignment group"), accessor="assignment_team"),
        Column("enabled", gettext_lazy("Enabled"), sort="enabled"),
        Column("key_prefix", gettext_lazy("Key starts with")),
        Column("auto_resolve", gettext_lazy("On recovery"), accessor="get_auto_resolve_display"),
        Column("rate_limit_per_minute", gettext_lazy("Rate limit / min"), sort="rate_limit_per_minute"),
    ]

    def get_queryset(self) -> Any:
        return alerts.integration_list()


def _examples(request: HttpRequest, integration: Integration, key: str | None) -> dict[str, str]:
    shown_key = key or f"{integration.key_prefix}{'…' * 3}"
    events_url = request.build_absolute_uri(reverse("integration-events"))
    alertmanager_url = request.build_absolute_uri(reverse("integration-alertmanager"))
    curl = (
        f"curl -sS -X POST {events_url} \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        "  -d '{\n"
        f'    "routing_key": "{shown_key}",\n'
        '    "event_action": "trigger",\n'
        '    "dedup_key": "disk-full/db01",\n'
        '    "payload": {\n'
        '      "summary": "Disk /var is 95% full on db01",\n'
        '      "source": "db01.example.com",\n'
        '      "severity": "error",\n'
        '      "component": "filesystem"\n'
        "    }\n"
        "  }'"
    )
    yaml = (
        "receivers:\n"
        "  - name: itsm\n"
        "    webhook_configs:\n"
        f"      - url: {alertmanager_url}\n"
        "        send_resolved: true\n"
        "        max_alerts: 500\n"
        "        http_config:\n"
        "          authorization:\n"
        "            type: Bearer\n"
        f"            credentials: {shown_key}\n"
        "            # or: credentials_file: /etc/alertmanager/itsm-key\n"
    )
    return {"curl": curl, "yaml": yaml, "events_url": events_url, "alertmanager_url": alertmanager_url}


@policy_required("view", Integration)
def integration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    integration = get_object_or_404(policy.scope(request.user, "view", alerts.integration_list()), pk=pk)
    key = request.session.pop(SESSION_KEY % integration.pk, None)
    actions = edit_actions(request.user, integration, "incidents:integration_update")
    if policy.allows(request.user, "test", integration) and integration.enabled:
        actions.append(
            Action(
                _("Send a test event"),
                reverse("incidents:integration_test", args=[pk]),
                "post",
                "outline-primary",
            )
        )
    context = {
        "object": integration,
        "new_key": key,
        "examples": _examples(request, integration, key),
        "may_rotate": policy.allows(request.user, "rotate", integration),
        "actions": actions,
        "recent": alerts.recent_alerts(integration),
        "status_category": "open" if integration.enabled else "closed",
        "mapping": _mapping_rows(integration),
    }
    return render_page(request, "incidents/integration_detail.html", context)


def _mapping_rows(integration: Integration) -> list[tuple[str, int, int]]:
    return [(str(severity.label), *integration.levels_for(severity.value)) for severity in Severity]


class IntegrationCreateView(ServiceFormView[Integration]):
    model = Integration
    form_class = IntegrationForm
    title = gettext_lazy("New monitoring integration")

    def perform(self, form: Any) -> Integration:
        integration, key = alert_services.integration_create(actor=self.actor, data=form.service_data())
        _remember_key(self.request, integration, key)
        return integration


class IntegrationUpdateView(ServiceFormView[Integration]):
    model = Integration
    form_class = IntegrationForm
    title = gettext_lazy("Edit monitoring integration")

    def perform(self, form: Any) -> Integration:
        return alert_services.integration_update(
            integration=self.edited, actor=self.actor, data=form.service_data()
        )


def _integration_for(request: HttpRequest, pk: int, action: str) -> Integration:
    integration = get_object_or_404(policy.scope(request.user, "view", Integration.objects.all()), pk=pk)
    if not policy.allows(request.user, action, integration):
        raise PermissionDenied
    return integration


@require_POST
@policy_required("view", Integration)
def integration_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    """A new key, shown once on the next page; the old key stops working at once."""
    integration = _integration_for(request, pk, "rotate")
    key = alert_services.integration_rotate_key(integration=integration, actor=acting_user(request))
    _remember_key(request, integration, key)
    messages.success(
        request, _("The key was replaced. Update every sender now: the old key no longer works.")
    )
    return HttpResponseRedirect(integration.get_absolute_url())


@require_POST
@policy_required("view", Integration)
def integration_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a test event through the ingest path; its incident appears once it is processed."""
    integration = _integration_for(request, pk, "test")
    try:
        alert = alert_services.integration_send_test_event(
            integration=integration, actor=acting_user(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "A test event was sent (deduplication key %(key)s). It opens an incident; resolve it when done."
            )
            % {"key": alert.dedup_key},
        )
    return HttpResponseRedirect(integration.get_absolute_url())


@policy_required("view", Alert)
def incident_alerts(request: HttpRequest, pk: int) -> HttpResponse:
    """The alerts an incident answers for, with counts and first/last seen (an htmx panel)."""
    incident = get_object_or_404(policy.scope(request.user, "view", Incident.objects.all()), pk=pk)
    context = {
        "incident": incident,
        "alerts": alerts.alerts_for_incident(incident),
        "storm": alerts.storm_of(incident),
    }
    return render_page(request, "incidents/_alerts_panel.html#alerts", context)
