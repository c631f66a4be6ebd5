app_name = "aftercare"

urlpatterns: list = []
