from django.contrib.auth import views as auth_views
from django.urls import path

from . import otp_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("two-factor/setup/", otp_views.otp_setup, name="otp_setup"),
    path("two-factor/", otp_views.otp_verify, name="otp_verify"),
    path("two-factor/backup-codes/", otp_views.otp_backup_codes, name="otp_backup_codes"),
    path("two-factor/backup-codes/new/", otp_views.otp_backup_codes_renew, name="otp_backup_codes_renew"),
    path("password-reset/", views.password_reset_issue, name="password_reset_issue"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
]
