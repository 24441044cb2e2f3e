from django.urls import path

from lawdesk.interop import views

urlpatterns = [
    path("", views.hi1, name="hi1"),
    path("deliveries/<uuid:download_id>/", views.delivery, name="hi1_delivery"),
]
