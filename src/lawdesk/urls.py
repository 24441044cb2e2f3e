"""URL configuration: accounts (allauth), the officer portal, the staff desk."""

from __future__ import annotations

from django.urls import include, path

from lawdesk.accounts import views as accounts_views
from lawdesk.api import pages as api_pages
from lawdesk.audit import views as audit_views
from lawdesk.cases import views_acknowledgement, views_desk, views_portal
from lawdesk.collection import views as collection_views
from lawdesk.core import views as core_views
from lawdesk.interop import views as interop_views
from lawdesk.transparency import anchor_views, desk_views

portal_patterns = (
    [
        path("", views_portal.dashboard, name="dashboard"),
        path("cases/new/", views_portal.new_request, name="case_new"),
        path("tokens/", api_pages.token_page, name="tokens"),
        path("cases/new/check/", views_portal.validate_request, name="case_validate"),
        path("cases/<int:case_id>/", views_portal.case_detail, name="case"),
        path("cases/<int:case_id>/receipt.json", views_portal.receipt, name="receipt"),
        path("cases/<int:case_id>/acknowledgement.pdf", views_acknowledgement.acknowledgement_pdf,
             name="acknowledgement"),
        path("cases/<int:case_id>/acknowledgement.pdf.sig",
             views_acknowledgement.acknowledgement_signature, name="acknowledgement_sig"),
        path("cases/<int:case_id>/package/<int:link_id>/", collection_views.download,
             name="package"),
        path("cases/<int:case_id>/documents/<int:attachment_id>/", views_desk.portal_attachment,
             name="attachment"),
        path("pending/", accounts_views.pending, name="pending"),
        path("agency/<int:agency_id>/", accounts_views.portal_agency, name="agency"),
    ],
    "portal",
)

desk_patterns = (
    [
        path("", views_desk.queue, name="home"),
        path("cases/<int:case_id>/", views_desk.case_page, name="case"),
        path("cases/<int:case_id>/reissue-link/", collection_views.reissue, name="reissue_link"),
        path("cases/<int:case_id>/documents/<int:attachment_id>/", views_desk.attachment,
             name="attachment"),
        path("officers/", accounts_views.officer_list, name="officers"),
        path("officers/<int:officer_id>/", accounts_views.officer_detail, name="officer"),
        path("agencies/", accounts_views.agency_list, name="agencies"),
        path("agencies/new/", accounts_views.agency_create, name="agency_create"),
        path("agencies/<int:agency_id>/", accounts_views.agency_detail, name="agency"),
        path("agencies/<int:agency_id>/edit/", accounts_views.agency_edit, name="agency_edit"),
        path("audit/", audit_views.event_list, name="audit"),
        path("hi1/", interop_views.endpoints, name="hi1_endpoints"),
        path("cases/<int:case_id>/annex-iii/", interop_views.annex_iii, name="hi1_annex_iii"),
        path("transparency/eu/", desk_views.eu_templates_page, name="eu_templates"),
        path("transparency/eu/<str:which>.<str:fmt>", desk_views.eu_template_download,
             name="eu_template_download"),
    ],
    "desk",
)

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("supervisor/<str:token>/", accounts_views.supervisor_confirm, name="supervisor_confirm"),
    path("i18n/language/", accounts_views.set_language, name="set_language"),
    path("accounts/preferences/", accounts_views.preferences, name="account_preferences"),
    path("accounts/", include("allauth.urls")),
    path("portal/", include(portal_patterns)),
    path("desk/", include(desk_patterns)),
    path("evidence/key.pem", collection_views.public_key, name="evidence_key"),
    path("transparency/anchors/checkpoint", anchor_views.checkpoint, name="anchor_checkpoint"),
    path("transparency/anchors/leaves", anchor_views.leaves, name="anchor_leaves"),
    path("transparency/anchors/key", anchor_views.key, name="anchor_key"),
    path(".well-known/lawdesk-keys.json", anchor_views.keys_document, name="keys_document"),
    path("keys/<str:purpose>.pem", anchor_views.key_pem, name="key_pem"),
    path("transparency/", include("lawdesk.transparency.urls")),
    path("api/", include("lawdesk.api.urls")),
    path("hi1/", include("lawdesk.interop.urls")),
    path("", include("lawdesk.removal.urls")),
]
