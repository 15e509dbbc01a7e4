"""reports pages of the online classroom."""

urlpatterns: list = []
