"""A small seeded shop (customers with hidden tastes), a fresh artefact folder and empty caches per test."""
import pytest
from django.core.cache import cache
from django.core.management import call_command

from ecom_ai.storage import artifacts
from ecom_ai.recommendations import services as service


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.ECOM_AI = {**settings.ECOM_AI, "ARTIFACT_DIR": str(tmp_path / "artifacts")}
    artifacts.clear_cache()
    service.clear_caches()
    cache.clear()
    yield
    artifacts.clear_cache()
    service.clear_caches()
    cache.clear()


@pytest.fixture
def shop(db):
    """60 products in 10 categories, 150 customers whose purchases and views follow hidden tastes."""
    call_command("seed_demo", "--seed", "1", "--products", "60", "--customers", "150", verbosity=0)
    service.clear_caches()


@pytest.fixture
def trained(shop):
    return service.train(out=_Null())


class _Null:
    def write(self, *_):
        pass


@pytest.fixture
def customer_with_history(shop):
    from demo_shop.models import Customer, OrderLine

    cid = (OrderLine.objects.filter(order__status="completed", product__consumable=False)
           .values_list("order__customer_id", flat=True).order_by("order__customer_id").first())
    return Customer.objects.get(pk=cid)
