"""Forms of saved filters: save the current filter of a list, rename or re-share one's own."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .choices import SavedFilterSharing
from .models import Team
from .saved_filters import NAME_MAX_LENGTH, QUERY_MAX_LENGTH, ListFilters
from .ui.forms import Form


def sharing_choices(options: ListFilters) -> list[tuple[str, Any]]:
    """ "Only me", one entry per team of the person, and "Everyone" for those who may share so."""
    choices: list[tuple[str, Any]] = [(SavedFilterSharing.PRIVATE.value, SavedFilterSharing.PRIVATE.label)]
    for pk, name in options.teams:
        choices.append((f"team:{pk}", gettext("Team %(team)s") % {"team": name}))
    if options.may_share_with_everyone:
        choices.append((SavedFilterSharing.EVERYONE.value, SavedFilterSharing.EVERYONE.label))
    return choices


def sharing_value(sharing: str, team_id: int | None) -> str:
    return f"team:{team_id}" if sharing == SavedFilterSharing.TEAM else sharing


class SavedFilterForm(Form):
    """Name and sharing; ``shared`` is ``private``, ``everyone`` or ``team:<id>``."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    shared = forms.ChoiceField(label=_("Share with"), choices=[])

    def __init__(self, *args: Any, options: ListFilters, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shared"].choices = sharing_choices(options)  # type: ignore[attr-defined]

    def sharing(self) -> tuple[str, Team | None]:
        """The sharing and the team chosen (the service checks that the person belongs to it)."""
        value = self.cleaned_data["shared"]
        if value.startswith("team:"):
            return SavedFilterSharing.TEAM, Team.objects.filter(pk=value.removeprefix("team:")).first()
        return value, None


class SavedFilterCreateForm(SavedFilterForm):
    list_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=QUERY_MAX_LENGTH * 2)
