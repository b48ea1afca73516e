"""Forms of the core."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .choices import NoteKind, Role
from .models import Department, Team, User
from .notes import NOTE_MAX_LENGTH
from .ui.forms import Form, ModelForm, StyledFormMixin


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


class DepartmentForm(ModelForm):
    class Meta:
        model = Department
        fields = ["name", "code", "head", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class PreferencesForm(ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "phone", "language", "time_zone", "theme"]


class NoteForm(Form):
    """A work note or a comment on a record; ``kinds`` are the kinds this person may write there."""

    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect)
    body = forms.CharField(
        label=_("Text"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Plain text. Work notes are seen by staff only; comments also by the requester."),
    )

    def __init__(self, *args: Any, kinds: list[NoteKind] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = list(NoteKind) if kinds is None else kinds
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)  # noqa: S101 (declared above)
        kind_field.choices = [(kind.value, kind.label) for kind in kinds]
        self.fields["kind"].initial = kinds[0].value if kinds else None
        if len(kinds) == 1:
            self.fields["kind"].widget = forms.HiddenInput()


class NoteEditForm(Form):
    body = forms.CharField(
        label=_("Text"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6})
    )


class AttachmentForm(Form):
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,  # the service explains what is wrong with an empty file
        help_text=_("PDF, images, text, CSV, office documents, ZIP or e-mail; checked by content."),
    )


class RolesForm(Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Kept in the person's history and the audit trail, e.g. the request or ticket."),
    )
