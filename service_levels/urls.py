"""Pages of service level management under /service-levels/."""

from django.urls import path

from . import report_urls, views

app_name = "service_levels"

urlpatterns = [
    # The catalogue
    path("services/", views.ServiceListView.as_view(), name="service_list"),
    path("services/new/", views.ServiceCreateView.as_view(), name="service_create"),
    path("services/<int:pk>/", views.service_detail, name="service_detail"),
    path("services/<int:pk>/edit/", views.ServiceUpdateView.as_view(), name="service_update"),
    path("services/<int:pk>/retire/", views.ServiceRetireView.as_view(), name="service_retire"),
    path(
        "services/<int:service_pk>/components/new/",
        views.ComponentCreateView.as_view(),
        name="component_create",
    ),
    path("service-components/<int:pk>/edit/", views.ComponentUpdateView.as_view(), name="component_update"),
    path("service-components/<int:pk>/remove/", views.component_remove, name="component_remove"),
    path(
        "services/<int:service_pk>/dependencies/new/",
        views.DependencyCreateView.as_view(),
        name="dependency_create",
    ),
    path("service-dependencies/<int:pk>/remove/", views.dependency_remove, name="dependency_remove"),
    # Customers and contacts
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/new/", views.CustomerCreateView.as_view(), name="customer_create"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.CustomerUpdateView.as_view(), name="customer_update"),
    path(
        "customers/<int:customer_pk>/contacts/new/", views.ContactCreateView.as_view(), name="contact_create"
    ),
    path("contacts/<int:pk>/edit/", views.ContactUpdateView.as_view(), name="contact_update"),
    path("contacts/<int:pk>/remove/", views.contact_remove, name="contact_remove"),
    # Business calendars
    path("calendars/", views.CalendarListView.as_view(), name="calendar_list"),
    path("calendars/new/", views.CalendarCreateView.as_view(), name="calendar_create"),
    path("calendars/<int:pk>/", views.calendar_detail, name="calendar_detail"),
    path("calendars/<int:pk>/edit/", views.CalendarUpdateView.as_view(), name="calendar_update"),
    path("calendars/<int:pk>/revise/", views.CalendarReviseView.as_view(), name="calendar_revise"),
    # Agreements (SLAs and OLAs)
    path("agreements/", views.AgreementListView.as_view(), name="agreement_list"),
    path("agreements/new/", views.AgreementCreateView.as_view(), name="agreement_create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.AgreementUpdateView.as_view(), name="agreement_update"),
    path("agreements/<int:pk>/targets/", views.AgreementTargetsView.as_view(), name="agreement_targets"),
    path("agreements/<int:pk>/revise/", views.agreement_revise, name="agreement_revise"),
    path(
        "agreements/<int:pk>/<slug:transition>/",
        views.AgreementTransitionView.as_view(),
        name="agreement_transition",
    ),
    # Service reports and reviews (report_urls.py)
    *report_urls.urlpatterns,
]
