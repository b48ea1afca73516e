"""Pages of the shell: sign-in, dashboard, preferences, people, teams, departments, health, errors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from . import audit, selectors, services
from .api.errors import api_csrf_failure, api_not_found, api_server_error, error_response, is_api_request
from .filters import DepartmentFilter, TeamFilter, UserFilter
from .forms import DepartmentForm, LoginForm, PreferencesForm, RolesForm, StyledPasswordChangeForm, TeamForm
from .health import health
from .models import Department, Team, User
from .policy import policy
from .ui.detail import Action, edit_actions
from .ui.edit import ServiceFormView
from .ui.lists import Column, ListPageView
from .ui.registry import registry
from .ui.views import PolicyRequiredMixin, acting_user, policy_required, public, render_page


class LoginView(auth_views.LoginView):
    itsm_policy = ("view", "login")
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    itsm_policy = ("view", "login")


class PasswordChangeView(PolicyRequiredMixin, auth_views.PasswordChangeView):
    policy_action, policy_target = "change", "profile"
    template_name = "registration/password_change.html"
    form_class = StyledPasswordChangeForm
    success_url = reverse_lazy("profile")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


@policy_required("view", "dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    context = {"widgets": registry.widgets_for(user), "roles": user.roles}
    return render_page(request, "itsm/dashboard.html", context, partial="widgets")


@policy_required("change", "profile")
def profile(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PreferencesForm(request.POST or None, instance=user)
    if request.method == "POST":
        if form.is_valid():
            services.user_preferences_update(user=user, actor=user, data=form.cleaned_data)
            messages.success(request, _("Your preferences were saved."))
            response = redirect("profile")
            if form.cleaned_data.get("language"):
                response.set_cookie("django_language", form.cleaned_data["language"], samesite="Lax")
            return response
        return render(
            request, "itsm/profile.html", {"form": form, "teams": selectors.teams_of(user)}, status=400
        )
    return render(request, "itsm/profile.html", {"form": form, "teams": selectors.teams_of(user)})


class UserListView(ListPageView):
    model = User
    policy_target = User
    title = gettext_lazy("People")
    filterset_class = UserFilter
    default_sort = "username"
    export_filename = "people"
    columns = [
        Column("username", gettext_lazy("Username"), sort="username", link=True),
        Column("name", gettext_lazy("Name"), accessor=str),
        Column("email", gettext_lazy("E-mail"), sort="email"),
        Column("department", gettext_lazy("Department"), accessor="department.name"),
        Column("roles", gettext_lazy("Roles"), accessor=lambda u: ", ".join(str(r.label) for r in u.roles)),
        Column("is_active", gettext_lazy("Active"), sort="is_active"),
    ]

    def get_queryset(self) -> Any:
        return selectors.user_list()

    def may_create(self) -> bool:
        return False


@policy_required("view", "profile")
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(policy.scope(request.user, "view", selectors.user_list()), pk=pk)
    may_change = policy.allows(request.user, "change", person) and person.pk != request.user.pk
    context = {
        "object": person,
        "teams": selectors.teams_of(person),
        "actions": [Action(_("Change roles"), reverse("itsm:user_roles", args=[person.pk]))]
        if may_change
        else [],
        "history": selectors.role_history(person) if may_change or request.user.pk == person.pk else [],
    }
    return render(request, "itsm/user_detail.html", context)


@policy_required("change", User)
def user_roles(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a person their roles, with a reason for the audit trail."""
    person = get_object_or_404(policy.scope(request.user, "view", selectors.user_list()), pk=pk)
    form = RolesForm(request.POST or None, initial={"roles": person.role_names})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.user_roles_set(
                    user=person,
                    actor=acting_user(request),
                    roles=form.cleaned_data["roles"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The roles of %(person)s were saved.") % {"person": person})
                return redirect(person.get_absolute_url())
        status = 400
    if person.pk == request.user.pk:
        form.add_error(None, _("Nobody changes their own roles; ask another administrator."))
        status = 403 if request.method == "POST" else 200
    return render(request, "itsm/user_roles.html", {"object": person, "form": form}, status=status)


class TeamListView(ListPageView):
    model = Team
    policy_target = Team
    title = gettext_lazy("Teams")
    filterset_class = TeamFilter
    default_sort = "name"
    export_filename = "teams"
    create_url = reverse_lazy("itsm:team_create")
    create_label = gettext_lazy("New team")
    columns = [
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("code", gettext_lazy("Code"), sort="code"),
        Column("department", gettext_lazy("Department"), accessor="department.name"),
        Column("lead", gettext_lazy("Lead"), accessor="lead"),
        Column("members", gettext_lazy("Members"), accessor="member_count"),
        Column("is_active", gettext_lazy("Active"), sort="is_active"),
    ]

    def get_queryset(self) -> Any:
        return selectors.team_list()


@policy_required("view", Team)
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(policy.scope(request.user, "view", selectors.team_list()), pk=pk)
    members = team.members.filter(is_active=True).order_by("username")
    history = team.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]
    context = {
        "object": team,
        "members": members,
        "history": history,
        "actions": edit_actions(request.user, team, "itsm:team_update"),
    }
    return render_page(request, "itsm/team_detail.html", context, partial="tab")


class TeamCreateView(ServiceFormView[Team]):
    model = Team
    form_class = TeamForm
    title = gettext_lazy("New team")

    def perform(self, form: Any) -> Team:
        data = {k: v for k, v in form.cleaned_data.items() if k != "members"}
        return services.team_create(actor=self.actor, data=data, members=list(form.cleaned_data["members"]))


class TeamUpdateView(TeamCreateView):
    title = gettext_lazy("Edit team")

    def perform(self, form: Any) -> Team:
        data = {k: v for k, v in form.cleaned_data.items() if k != "members"}
        return services.team_update(
            team=self.edited,
            actor=self.actor,
            data=data,
            members=list(form.cleaned_data["members"]),
        )


class DepartmentListView(ListPageView):
    model = Department
    policy_target = Department
    title = gettext_lazy("Departments")
    filterset_class = DepartmentFilter
    default_sort = "name"
    export_filename = "departments"
    create_url = reverse_lazy("itsm:department_create")
    create_label = gettext_lazy("New department")
    columns = [
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("code", gettext_lazy("Code"), sort="code"),
        Column("head", gettext_lazy("Head"), accessor="head"),
        Column("members", gettext_lazy("People"), accessor="member_count"),
        Column("teams", gettext_lazy("Teams"), accessor="team_count"),
    ]

    def get_queryset(self) -> Any:
        return selectors.department_list()


@policy_required("view", Department)
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(policy.scope(request.user, "view", selectors.department_list()), pk=pk)
    context = {
        "object": department,
        "teams": department.teams.select_related("lead").order_by("name"),
        "people": department.members.filter(is_active=True).order_by("username"),
        "actions": edit_actions(request.user, department, "itsm:department_update"),
    }
    return render(request, "itsm/department_detail.html", context)


class DepartmentCreateView(ServiceFormView[Department]):
    model = Department
    form_class = DepartmentForm
    title = gettext_lazy("New department")

    def perform(self, form: Any) -> Department:
        return services.department_create(actor=self.actor, data=form.cleaned_data)


class DepartmentUpdateView(DepartmentCreateView):
    title = gettext_lazy("Edit department")

    def perform(self, form: Any) -> Department:
        return services.department_update(department=self.edited, actor=self.actor, data=form.cleaned_data)


@public
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    result = health()
    return JsonResponse(result, status=200 if result["status"] == "ok" else 503)


@public
def home(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("dashboard") if request.user.is_authenticated else reverse("login"))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return error_response(
            403, "permission_denied", _("You do not have permission to perform this action.")
        )
    return render(request, "403.html", status=403)


@policy_required("view", "audit-trail")
def audit_trail(request: HttpRequest) -> HttpResponse:
    """The auditor's view of the audit trail: is the chain intact, its head, checkpoints, latest entries."""
    head_seq, head_hash = audit.chain_head()
    checkpoints = audit.latest_checkpoints(10)
    scope = request.GET.get("verify")
    # Daily checkpoints are recorded only after the whole chain verified, so the page checks what
    # came after the last one (fast at any length); "full" re-checks everything, on request. The
    # check is loaded by htmx after the page and reused for the same chain head for a few minutes.
    since = checkpoints[0].seq if checkpoints and scope != "full" else None
    context = {
        "result": _cached_verification(head_seq, head_hash, since) if scope else None,
        "verified_since": checkpoints[0] if since is not None else None,
        "head_seq": head_seq,
        "head_hash": head_hash,
        "checkpoints": checkpoints,
        "entries": audit.latest_entries(50),
    }
    return render_page(request, "itsm/audit_trail.html", context, partial="verification")


def _cached_verification(head_seq: int, head_hash: str, since: int | None) -> audit.VerificationResult:
    key = f"itsm:audit-verification:{head_seq}:{head_hash}:{since}"
    result = cache.get(key)
    if result is None:
        result = audit.verify_chain(start_seq=since)
        cache.set(key, result, timeout=300)
    return result


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return api_not_found(request)
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return api_server_error(request)
    # Rendered without the request: its context processors may need the database that just failed.
    return HttpResponseServerError(loader.get_template("500.html").render({}))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return error_response(400, "bad_request", _("The request could not be processed."))
    return render(request, "400.html", status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if is_api_request(request):
        return api_csrf_failure(request)
    return render(request, "403_csrf.html", status=403)
