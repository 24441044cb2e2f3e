"""URL configuration: accounts (allauth), the officer portal, the staff desk."""

from __future__ import annotations

from django.urls import include, path

from lawdesk.accounts import views as accounts_views
from lawdesk.audit import views as audit_views

portal_patterns = (
    [
        path("", accounts_views.portal_dashboard, name="dashboard"),
        path("pending/", accounts_views.pending, name="pending"),
        path("agency/<int:agency_id>/", accounts_views.portal_agency, name="agency"),
    ],
    "portal",
)

desk_patterns = (
    [
        path("", accounts_views.desk_home, name="home"),
        path("officers/", accounts_views.officer_list, name="officers"),
        path("officers/<int:officer_id>/", accounts_views.officer_detail, name="officer"),
        path("agencies/", accounts_views.agency_list, name="agencies"),
        path("agencies/new/", accounts_views.agency_create, name="agency_create"),
        path("agencies/<int:agency_id>/", accounts_views.agency_detail, name="agency"),
        path("agencies/<int:agency_id>/edit/", accounts_views.agency_edit, name="agency_edit"),
        path("audit/", audit_views.event_list, name="audit"),
    ],
    "desk",
)

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("portal/", include(portal_patterns)),
    path("desk/", include(desk_patterns)),
    path("transparency/", include("lawdesk.transparency.urls")),
]
