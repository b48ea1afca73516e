"""Pages of the core under the ``itsm`` namespace: people, teams, departments, the audit trail."""

from django.urls import include, path

from . import notification_views, views
from .ui import notes

app_name = "itsm"

urlpatterns = [
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path("notifications/read/", notification_views.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/open/", notification_views.notification_open, name="notification_open"),
    path("people/", views.UserListView.as_view(), name="user_list"),
    path("people/<int:pk>/", views.user_detail, name="user_detail"),
    path("people/<int:pk>/roles/", views.user_roles, name="user_roles"),
    path("teams/", views.TeamListView.as_view(), name="team_list"),
    path("teams/new/", views.TeamCreateView.as_view(), name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", views.TeamUpdateView.as_view(), name="team_update"),
    path("departments/", views.DepartmentListView.as_view(), name="department_list"),
    path("departments/new/", views.DepartmentCreateView.as_view(), name="department_create"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
    path("departments/<int:pk>/edit/", views.DepartmentUpdateView.as_view(), name="department_update"),
    path("audit-trail/", views.audit_trail, name="audit_trail"),
    path("planned-activities/", include("itsm.planned_urls")),
    path("saved-filters/", include("itsm.saved_filter_urls")),
    # Work notes, comments and attachments of any record (the record named by content type and id);
    # the routes by pk come first, so that ".../<pk>/edit/" is never read as a record id.
    path("notes/<int:pk>/edit/", notes.note_edit_view, name="note_edit"),
    path("notes/<int:content_type_id>/<str:object_id>/", notes.note_list, name="note_list"),
    path("notes/<int:content_type_id>/<str:object_id>/add/", notes.note_add_view, name="note_add"),
    path("attachments/<int:pk>/download/", notes.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/remove/", notes.attachment_remove_view, name="attachment_remove"),
    path("attachments/<int:content_type_id>/<str:object_id>/", notes.attachment_list, name="attachment_list"),
    path(
        "attachments/<int:content_type_id>/<str:object_id>/add/",
        notes.attachment_add_view,
        name="attachment_add",
    ),
]
