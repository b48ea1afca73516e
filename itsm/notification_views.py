"""The in-app notification list, its unread badge, and notification preferences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .notifications import Notification, NotificationPreference, mark_read
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
    preference, _created = NotificationPreference.objects.get_or_create(user=user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            preference.email = form.cleaned_data["email"]
            preference.muted_events = form.cleaned_data["muted_events"]
            preference.save()
            messages.success(request, _("Your notification settings were saved."))
            return redirect("itsm:notification_list")
    else:
        form = PreferenceForm(initial={"email": preference.email, "muted_events": preference.muted_events})
    show_all = request.GET.get("show") == "all"
    rows = Notification.objects.filter(recipient=user)
    if not show_all:
        rows = rows.filter(read_at__isnull=True)
    context: dict[str, Any] = {"notifications": rows[:100], "form": form, "show_all": show_all}
    return render_page(request, "itsm/notification_list.html", context, partial="list")


@policy_required("view", "notifications")
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to its record (POST, so that a link preview cannot read it)."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    notification = get_object_or_404(Notification, pk=pk, recipient=acting_user(request))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = notification.url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return HttpResponseRedirect(target)


@policy_required("view", "notifications")
def notification_read_all(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    count = mark_read(user=acting_user(request))
    messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
    return redirect("itsm:notification_list")
