"""Pages of saved filters under /saved-filters/: one's filters (rename, re-share, delete), the filters
shared with one, and saving the current filter of a list page (the control on every list page posts
here)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .policy import policy
from .saved_filter_forms import SavedFilterCreateForm, SavedFilterForm, sharing_value
from .saved_filters import (
    SavedFilter,
    list_filters,
    list_url,
    list_view_class,
    may_see_list,
    saved_filter_create,
    saved_filter_delete,
    saved_filter_update,
    visible_filters,
)
from .templatetags.saved_filters import control_context
from .ui.views import acting_user, policy_required, render_page

FIELD_OF = {"name": "name", "sharing": "shared", "team": "shared"}


def _form_errors(form: Form, exc: ValidationError) -> None:
    for key, errors in exc.message_dict.items():
        field = FIELD_OF.get(key)
        for error in errors:
            form.add_error(field, error)


def list_title(list_key: str) -> str:
    view_class = list_view_class(list_key)
    return str(getattr(view_class, "title", "") or list_key)


def _own_filter(request: HttpRequest, pk: int) -> SavedFilter:
    """One's own filter: 404 if the person may not see it, 403 if they see it but do not own it."""
    visible = policy.scope(request.user, "view", SavedFilter.objects.select_related("team", "owner"))
    saved_filter = get_object_or_404(visible, pk=pk)
    if not policy.allows(request.user, "change", saved_filter):
        raise PermissionDenied
    return saved_filter


@policy_required("view", SavedFilter)
def saved_filter_list(request: HttpRequest) -> HttpResponse:
    """The person's own filters, by list, and those others share with them."""
    user = acting_user(request)
    own: list[tuple[SavedFilter, str]] = []
    shared: list[tuple[SavedFilter, str]] = []
    for saved_filter in visible_filters(user).order_by("list_key", "name", "id"):
        (own if saved_filter.owner_id == user.pk else shared).append(
            (saved_filter, list_title(saved_filter.list_key))
        )
    context = {"title": _("Saved filters"), "own": own, "shared": shared}
    return render_page(request, "itsm/saved_filter_list.html", context)


@policy_required("view", SavedFilter)
def saved_filter_control(request: HttpRequest) -> HttpResponse:
    """The "Saved filters" control of one list (``?list_key=…&query=…``): what a list page loads with
    htmx when its cache is cold (this warms it), and a page of its own without JavaScript."""
    user = acting_user(request)
    list_key = request.GET.get("list_key", "")
    view_class = list_view_class(list_key)
    if view_class is None or not may_see_list(user, view_class):
        raise Http404
    query = request.GET.get("query", "")
    context = control_context(request, list_key, query, list_filters(user, list_key))
    context.update(
        {
            "title": _("Saved filters"),
            "is_page": not (getattr(request, "htmx", None) and not request.htmx.boosted),  # type: ignore[attr-defined]
            "list_title": list_title(list_key),
            "back": list_url(list_key, context["query"]),
        }
    )
    return render_page(request, "itsm/saved_filter_control_page.html", context, partial="control")


@require_POST
@policy_required("add", SavedFilter)
def saved_filter_create_view(request: HttpRequest) -> HttpResponse:
    """Save the current filter of a list page; back on the list with it applied, or the form with its
    errors (the name and sharing kept)."""
    user = acting_user(request)
    list_key = request.POST.get("list_key", "")[:100]
    options = list_filters(user, list_key)
    form = SavedFilterCreateForm(request.POST, options=options)
    if form.is_valid():
        sharing, team = form.sharing()
        try:
            saved_filter = saved_filter_create(
                actor=user,
                list_key=form.cleaned_data["list_key"],
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
                sharing=sharing,
                team=team,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved the filter “%(name)s”.") % {"name": saved_filter.name})
            list_filters(user, saved_filter.list_key)  # the list we go back to shows it at once
            return HttpResponseRedirect(saved_filter.url)
    context = {
        "title": _("Save the current filter"),
        "form": form,
        "back": list_url(list_key, request.POST.get("query", "")) if list_view_class(list_key) else None,
    }
    return render_page(request, "itsm/saved_filter_form.html", context, status=400)


@policy_required("view", SavedFilter)
def saved_filter_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename or re-share one's own filter."""
    saved_filter = _own_filter(request, pk)
    user = acting_user(request)
    options = list_filters(user, saved_filter.list_key)
    initial = {"name": saved_filter.name, "shared": sharing_value(saved_filter.sharing, saved_filter.team_id)}
    status = 200
    if request.method == "POST":
        form = SavedFilterForm(request.POST, options=options, initial=initial)
        if form.is_valid():
            sharing, team = form.sharing()
            try:
                saved_filter_update(
                    saved_filter=saved_filter,
                    actor=user,
                    name=form.cleaned_data["name"],
                    sharing=sharing,
                    team=team,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Saved the filter “%(name)s”.") % {"name": saved_filter.name})
                return HttpResponseRedirect(reverse("itsm:saved_filter_list"))
        status = 400
    else:
        form = SavedFilterForm(options=options, initial=initial)
    context = {
        "title": _("Edit saved filter"),
        "form": form,
        "object": saved_filter,
        "back": reverse("itsm:saved_filter_list"),
    }
    return render_page(request, "itsm/saved_filter_form.html", context, status=status)


@require_POST
@policy_required("view", SavedFilter)
def saved_filter_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    saved_filter = _own_filter(request, pk)
    name = saved_filter.name
    saved_filter_delete(saved_filter=saved_filter, actor=acting_user(request))
    messages.success(request, _("Deleted the filter “%(name)s”.") % {"name": name})
    return HttpResponseRedirect(reverse("itsm:saved_filter_list"))
