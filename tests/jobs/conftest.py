import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def users(db):
    User = get_user_model()
    User.objects.bulk_create([User(username=f"u{i:04d}") for i in range(200)])
    return User.objects.order_by("pk")


@pytest.fixture
def staff(db):
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("staff", password="pw-staff-123", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="ecom_ai"))
    return user
