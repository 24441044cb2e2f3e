"""Public URLs of the transparency log, mounted at ``/transparency/``."""

from __future__ import annotations

from django.urls import path

from lawdesk.transparency import views

app_name = "transparency"
urlpatterns = [
    path("", views.index, name="index"),
    path("report", views.report_page, name="report_page"),
    path("report.csv", views.report_csv, name="report_csv"),
    path("statistics.json", views.statistics_json, name="statistics_json"),
    path("statistics.csv", views.statistics_csv, name="statistics_csv"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
    path("receipt/<int:case_id>.json", views.receipt, name="receipt"),
    path("log/checkpoint", views.checkpoint, name="checkpoint"),
    path("log/leaves", views.leaves, name="leaves"),
    path("log/bundle", views.bundle, name="bundle"),
    path("log/proof/inclusion", views.inclusion, name="inclusion"),
    path("log/proof/consistency", views.consistency, name="consistency"),
    path("log/key", views.key, name="key"),
    path("report.json", views.report, name="report"),
    path("reports.json", views.reports, name="reports"),
    path("eu/<str:which>.<str:fmt>", views.eu_template, name="eu_template"),
]
