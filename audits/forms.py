"""Forms of audits and improvement."""

from django import forms

from itsm.ui.forms import ModelForm

from .models import Document, Objective


class ObjectiveForm(ModelForm):
    class Meta:
        model = Objective
        fields = [
            "code",
            "name",
            "description",
            "comparison",
            "target",
            "unit",
            "measure_key",
            "method",
            "actions",
            "owner",
            "department",
            "review_interval_months",
            "next_review",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "method": forms.Textarea(attrs={"rows": 3}),
            "actions": forms.Textarea(attrs={"rows": 3}),
            "next_review": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class DocumentForm(ModelForm):
    class Meta:
        model = Document
        fields = ["title", "code", "doc_type", "version", "confidentiality", "owner", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}
