from django.urls import path

from . import views

app_name = "devauth"
urlpatterns = [
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path("oauth2/authorize", views.authorize, name="authorize"),
    path("oauth2/token", views.token, name="token"),
    path("logout", views.logout, name="logout"),
]
