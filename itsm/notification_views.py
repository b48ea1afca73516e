"""The in-app notification list, its unread badge, and notification preferences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .notifications import Notification, NotificationPreference, mark_read, preferences_update
from .ui.forms import Form
from .ui.views import acting_user, policy_required, render_page

EVENTS = {
    "document.submitted": gettext_lazy("A document waits for my review"),
    "document.rejected": gettext_lazy("My document was sent back"),
    "document.approved": gettext_lazy("My document was approved"),
}


class PreferenceForm(Form):
    email = forms.BooleanField(label=gettext_lazy("Also send me e-mail"), required=False)
    muted_events = forms.MultipleChoiceField(
        label=gettext_lazy("Do not notify me when"),
        choices=list(EVENTS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


@policy_required("view", "notifications")
def notification_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            preferences_update(user=user, **form.cleaned_data)
            messages.success(request, _("Your notification settings were saved."))
            return redirect("itsm:notification_list")
    else:
        preference = NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
            user=user
        )
        form = PreferenceForm(initial={"email": preference.email, "muted_events": preference.muted_events})
    show_all = request.GET.get("show") == "all"
    rows = Notification.objects.filter(recipient=user)
    if not show_all:
        rows = rows.filter(read_at__isnull=True)
    context: dict[str, Any] = {"notifications": rows[:100], "form": form, "show_all": show_all}
    status = 400 if request.method == "POST" else 200
    return render_page(request, "itsm/notification_list.html", context, partial="list", status=status)


@policy_required("view", "notifications")
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to its record (POST, so that a link preview cannot read it)."""
    user = acting_user(request)
    notification = get_object_or_404(Notification, pk=pk, recipient=user)
    mark_read(user=user, ids=[notification.pk])
    target = notification.url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return HttpResponseRedirect(target)


@policy_required("view", "notifications")
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = mark_read(user=acting_user(request))
    messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
    return redirect("itsm:notification_list")
