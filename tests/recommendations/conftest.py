"""A small seeded shop (customers with hidden tastes), a fresh artefact folder and empty caches per test."""
import pytest
from django.core.cache import cache

from ecom_ai.recommendations import services as service
from ecom_ai.storage import artifacts
from tests import factories as f


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
    f.seeded_demo(seed=1, products=60, customers=150)
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
