"""Pages of the CSV import (upload → dry-run preview → import), the templates, and the typed-attribute
columns of the CI list's CSV export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from itsm.ui.lists import Column
from itsm.ui.views import acting_user, policy_required, render_page

from .import_forms import ImportCommitForm, ImportForm
from .imports import (
    IMPORT_MAX_BYTES,
    ImportFileError,
    ImportKind,
    decode,
    import_csv,
    template_columns,
    template_csv,
)
from .models import CIType

IMPORT_POLICY = ("view", "configuration_import")


def attribute_export_columns(ci_type_id: Any) -> list[Column]:
    """One column per attribute of a CI type, for the CI list's CSV export when the list is filtered to
    that type (no query when no single type is chosen)."""
    try:
        pk = int(ci_type_id)
    except (TypeError, ValueError):
        return []
    ci_type = CIType.objects.filter(pk=pk).only("attribute_schema").first()
    if ci_type is None:
        return []
    return [
        Column(f"attr_{spec['key']}", spec.get("label") or spec["key"], accessor=_attribute_of(spec["key"]))
        for spec in ci_type.attributes
        if isinstance(spec, dict) and "key" in spec
    ]


def _attribute_of(key: str) -> Callable[[Any], Any]:
    def value(ci: Any) -> Any:
        return (ci.attributes or {}).get(key)

    return value


def _ci_type(value: Any) -> CIType | None:
    try:
        return CIType.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        return None


@policy_required(*IMPORT_POLICY)
def import_upload(request: HttpRequest) -> HttpResponse:
    """GET the upload form; POST a file to check it (nothing is written), or POST the checked file back
    with ``commit`` to import it, all or nothing."""
    actor = acting_user(request)
    context: dict[str, Any] = {
        "form": ImportForm(),
        "types": CIType.objects.filter(is_active=True).order_by("name"),
        "ci_columns": template_columns(ImportKind.CIS),
        "relationship_columns": template_columns(ImportKind.RELATIONSHIPS),
    }
    if request.method != "POST":
        return render_page(request, "configuration/import_upload.html", context)
    if "content" in request.POST:
        commit_form = ImportCommitForm(request.POST)
        if not commit_form.is_valid():
            messages.error(request, _("The checked file was lost; upload it again."))
            return render_page(request, "configuration/import_upload.html", context, status=400)
        kind, ci_type = commit_form.cleaned_data["kind"], commit_form.cleaned_data["ci_type"]
        content = commit_form.cleaned_data["content"]
        result = import_csv(actor=actor, kind=kind, content=content, commit=True, default_type=ci_type)
        if result.committed:
            messages.success(
                request, _("Imported %(count)s rows from the CSV file.") % {"count": len(result.created)}
            )
        return render_page(
            request,
            "configuration/import_preview.html",
            {"result": result, "commit_form": commit_form if not result.committed else None},
            status=200 if result.committed else 400,
        )
    form = ImportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render_page(request, "configuration/import_upload.html", context, status=400)
    upload = form.cleaned_data["file"]
    raw = upload.read(IMPORT_MAX_BYTES + 1)
    kind, ci_type = form.cleaned_data["kind"], form.cleaned_data["ci_type"]
    result = import_csv(actor=actor, kind=kind, content=raw, commit=False, default_type=ci_type)
    confirm_form: ImportCommitForm | None = None
    if result.ok:
        try:
            text = decode(raw)
        except ImportFileError:  # pragma: no cover - import_csv decoded it already
            text = ""
        confirm_form = ImportCommitForm(
            initial={"kind": kind, "ci_type": ci_type.pk if ci_type else None, "content": text}
        )
    return render_page(
        request,
        "configuration/import_preview.html",
        {"result": result, "commit_form": confirm_form, "file_name": upload.name},
        status=200 if result.ok else 400,
    )


@policy_required(*IMPORT_POLICY)
def import_template(request: HttpRequest) -> HttpResponse:
    """``?kind=cis&ci_type=<id>`` (the type's attribute columns) or ``?kind=relationships``."""
    kind = request.GET.get("kind", ImportKind.CIS)
    if kind not in ImportKind.values:
        kind = ImportKind.CIS
    ci_type = _ci_type(request.GET.get("ci_type")) if kind == ImportKind.CIS else None
    name = f"{kind}-{ci_type.code}" if ci_type else kind
    response = HttpResponse(template_csv(kind, ci_type), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{name}.csv"'
    return response
