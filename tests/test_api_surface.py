"""The API as a frontend developer first meets it: the root lists every route, the schema its errors."""
import pytest


@pytest.mark.django_db
def test_the_api_root_lists_every_route(admin_client):
    listed = admin_client.get("/api/ecom-ai/", HTTP_ACCEPT="application/json").json()
    for name in ("jobs", "inquiries", "campaigns", "recommendations", "recommendations-similar",
                 "recommendations-bought-together", "product-feedback", "schema"):
        assert name in listed, name
    assert listed["product-feedback"].endswith("/api/ecom-ai/products/{product_id}/feedback/")


@pytest.mark.django_db
def test_the_schema_documents_error_responses(admin_client):
    schema = admin_client.get("/api/ecom-ai/schema/?format=json").json()
    feedback = schema["paths"]["/api/ecom-ai/products/{product_id}/feedback/"]["get"]["responses"]
    assert {"401", "403", "404", "429"} <= set(feedback)
    create = schema["paths"]["/api/ecom-ai/inquiries/"]["post"]["responses"]
    assert "400" in create and "404" not in create
    assert schema["components"]["schemas"]["ErrorDetail"]["required"] == ["detail"]
