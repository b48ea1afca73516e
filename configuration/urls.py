"""Pages of configuration management under /configuration/."""

from django.urls import path

from . import audit_views, baseline_views, import_views, views

app_name = "configuration"

urlpatterns = [
    path("cis/", views.ConfigurationItemListView.as_view(), name="ci_list"),
    path("cis/new/", views.ConfigurationItemCreateView.as_view(), name="ci_create"),
    path("cis/<int:pk>/", views.ci_detail, name="ci_detail"),
    path("cis/<int:pk>/edit/", views.ConfigurationItemUpdateView.as_view(), name="ci_update"),
    path("cis/<int:pk>/impact/", views.ci_impact, name="ci_impact"),
    path("cis/<int:pk>/relationships/new/", views.relationship_add, name="relationship_create"),
    path(
        "cis/<int:pk>/<slug:transition>/",
        views.ConfigurationItemTransitionView.as_view(),
        name="ci_transition",
    ),
    path("relationships/<int:pk>/remove/", views.relationship_remove, name="relationship_remove"),
    path("ci-types/", views.CITypeListView.as_view(), name="citype_list"),
    path("ci-types/new/", views.CITypeCreateView.as_view(), name="citype_create"),
    path("ci-types/<int:pk>/", views.citype_detail, name="citype_detail"),
    path("ci-types/<int:pk>/edit/", views.CITypeUpdateView.as_view(), name="citype_update"),
    path("relationship-types/", views.RelationshipTypeListView.as_view(), name="relationshiptype_list"),
    path("relationship-types/<int:pk>/", views.relationshiptype_detail, name="relationshiptype_detail"),
    path(
        "relationship-types/new/", views.RelationshipTypeCreateView.as_view(), name="relationshiptype_create"
    ),
    path(
        "relationship-types/<int:pk>/edit/",
        views.RelationshipTypeUpdateView.as_view(),
        name="relationshiptype_update",
    ),
    # Baselines, CMDB audits and the CSV import (baseline_views, audit_views, import_views).
    path("baselines/", baseline_views.BaselineListView.as_view(), name="baseline_list"),
    path("baselines/new/", baseline_views.BaselineCreateView.as_view(), name="baseline_create"),
    path("baselines/<int:pk>/", baseline_views.baseline_detail, name="baseline_detail"),
    path("baselines/<int:pk>/edit/", baseline_views.BaselineUpdateView.as_view(), name="baseline_update"),
    path("baselines/<int:pk>/compare/", baseline_views.baseline_compare, name="baseline_compare"),
    path(
        "baselines/<int:pk>/<slug:transition>/",
        baseline_views.BaselineTransitionView.as_view(),
        name="baseline_transition",
    ),
    path("ci-history/<int:pk>/", baseline_views.ci_as_of, name="ci_as_of"),
    path("cmdb-audits/", audit_views.CMDBAuditListView.as_view(), name="cmdbaudit_list"),
    path("cmdb-audits/new/", audit_views.CMDBAuditCreateView.as_view(), name="cmdbaudit_create"),
    path("cmdb-audits/schedule/", audit_views.cmdbaudit_schedule, name="cmdbaudit_schedule"),
    path("cmdb-audits/<int:pk>/", audit_views.cmdbaudit_detail, name="cmdbaudit_detail"),
    path("cmdb-audits/<int:pk>/edit/", audit_views.CMDBAuditUpdateView.as_view(), name="cmdbaudit_update"),
    path(
        "cmdb-audits/<int:pk>/items/<int:item_pk>/verify/",
        audit_views.cmdbaudit_item_verify,
        name="cmdbaudit_item_verify",
    ),
    path(
        "cmdb-audits/<int:pk>/items/<int:item_pk>/correct/",
        audit_views.cmdbaudit_item_correct,
        name="cmdbaudit_item_correct",
    ),
    path(
        "cmdb-audits/<int:pk>/items/<int:item_pk>/rfc/",
        audit_views.cmdbaudit_item_rfc,
        name="cmdbaudit_item_rfc",
    ),
    path(
        "cmdb-audits/<int:pk>/<slug:transition>/",
        audit_views.CMDBAuditTransitionView.as_view(),
        name="cmdbaudit_transition",
    ),
    path("imports/", import_views.import_upload, name="import_upload"),
    path("imports/template/", import_views.import_template, name="import_template"),
]
