"""Forms of the core."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .models import Department, Team, User
from .ui.forms import ModelForm, StyledFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    def confirm_login_allowed(self, user: User) -> None:
        if user.is_system:
            raise forms.ValidationError(_("This account cannot sign in."), code="inactive")
        super().confirm_login_allowed(user)


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class TeamForm(ModelForm):
    members = forms.ModelMultipleChoiceField(
        label=_("members"),
        queryset=User.objects.filter(is_active=True, is_system=False).order_by("username"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Team
        fields = ["name", "code", "email", "department", "lead", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["members"].initial = list(self.instance.members.all())

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        lead, members = data.get("lead"), data.get("members")
        if lead is not None and members is not None and lead not in members:
            self.add_error("lead", _("The lead must be a member of the team."))
        return data


class DepartmentForm(ModelForm):
    class Meta:
        model = Department
        fields = ["name", "code", "head", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class PreferencesForm(ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "phone", "language", "time_zone", "theme"]
