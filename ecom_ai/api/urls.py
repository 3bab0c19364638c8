"""URLs of ecom_ai's REST API (include under e.g. ``api/ecom-ai/``)."""
urlpatterns = []
