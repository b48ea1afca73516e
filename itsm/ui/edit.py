"""Create and edit pages whose save goes through a service (never ``form.save()``)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View

from itsm.models import User
from itsm.policy import policy

from .views import PolicyRequiredMixin, acting_user, render_page

M = TypeVar("M", bound=Model)


class ServiceFormView(PolicyRequiredMixin, View, Generic[M]):
    """GET shows the form; POST validates it and calls ``perform`` (a service); errors stay inline.

    With ``pk`` in the URL the view edits that object (policy action ``change`` on the object itself),
    otherwise it creates (``add`` on the model).
    """

    model: type[M]
    form_class: Any
    template_name = "_components/form_page.html"
    title: Any = ""
    object: M | None = None

    policy_action = "add"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "model" in cls.__dict__:
            cls.policy_target = cls.model

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        # Editing is decided on the object itself in get_object; the class-level check is for creating.
        self.policy_action = "change" if "pk" in kwargs else "add"

    def get_object(self) -> M | None:
        if "pk" not in self.kwargs:
            return None
        queryset = policy.scope(self.request.user, "view", self.model._default_manager.all())
        return self.check_object(get_object_or_404(queryset, pk=self.kwargs["pk"]), "change")

    def perform(self, form: Any) -> M:
        raise NotImplementedError

    @property
    def edited(self) -> M:
        """The object being edited (only in views with ``pk``)."""
        if self.object is None:
            raise Http404
        return self.object

    @property
    def actor(self) -> User:
        return acting_user(self.request)

    def get_initial(self) -> dict[str, Any]:
        """Values a new form starts with (not used when editing)."""
        return {}

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        initial = self.get_initial() if self.object is None else {}
        return self.render(self.form_class(instance=self.object, initial=initial))

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = self.form_class(request.POST, instance=self.object)
        if form.is_valid():
            try:
                saved = self.perform(form)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved %(object)s.") % {"object": saved})
                return HttpResponseRedirect(saved.get_absolute_url())  # type: ignore[attr-defined]
        return self.render(form, status=400)

    def render(self, form: Any, status: int = 200) -> HttpResponse:
        context = {"form": form, "object": self.object, "title": self.title, "view": self}
        return render_page(self.request, self.template_name, context, partial="form", status=status)
