from django.urls import path

from lawdesk.removal import views

app_name = "removal"

urlpatterns = [
    path("desk/removals/", views.queue, name="queue"),
    path("desk/removals/<int:case_id>/", views.action_page, name="case"),
    path("desk/removals/statements.<str:fmt>", views.statements_export, name="statements_export"),
    path("desk/removals/<int:case_id>/annex-ii.<str:fmt>", views.desk_feedback,
         name="feedback"),
    path("desk/removals/<int:case_id>/annex-iii.<str:fmt>", views.desk_annex_iii, name="annex_iii"),
    path("portal/cases/<int:case_id>/annex-iii.<str:fmt>", views.portal_annex_iii,
         name="portal_annex_iii"),
    path("desk/removals/<int:case_id>/art9-report.<str:fmt>", views.desk_art9_report,
         name="art9_report"),
    path("portal/cases/<int:case_id>/art9-report.<str:fmt>", views.portal_art9_report,
         name="portal_art9_report"),
    path("portal/cases/<int:case_id>/annex-ii.<str:fmt>", views.portal_feedback,
         name="portal_feedback"),
]
