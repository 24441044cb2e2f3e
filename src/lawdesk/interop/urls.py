from django.urls import path

from lawdesk.interop import views

urlpatterns = [path("", views.hi1, name="hi1")]
