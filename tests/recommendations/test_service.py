"""Reasons, fallbacks, the versioned artefact, the job path, the admin action and the periodic task."""
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from demo_shop.models import Customer, Product
from ecom_ai.actions import compute_recommendations_action
from ecom_ai.llm.checks import check_output
from ecom_ai.jobs.models import AIJob
from ecom_ai.recommendations.models import RecommendationSet
from ecom_ai.recommendations.tasks import recompute_all_recommendations_task
from ecom_ai.storage import artifacts
from ecom_ai.jobs import engine as jobs
from ecom_ai.recommendations import services as service


def test_reasons_are_grounded_and_pass_the_check(trained, customer_with_history):
    lst = service.recommend(customer_with_history.pk, k=10)
    assert lst.items and all(r.reason and r.reason_ok for r in lst.items)
    for r in lst.items:
        assert r.product.name in r.reason
        assert check_output(r.reason, r.facts).ok
    # a bought product is named only when true: across the shop some reasons name one, each bought by that customer
    anchored = []
    for customer in Customer.objects.order_by("pk")[:40]:
        bought = set(service.purchased(customer.pk))
        for r in service.recommend(customer.pk, k=10).items:
            if r.anchor is not None:
                assert r.anchor.id in bought and r.anchor.id != r.product.id
                anchored.append(r)
    assert anchored and any(r.anchor.name in r.reason for r in anchored)


def test_a_reason_that_invents_a_number_is_saved_for_review(settings, trained, customer_with_history):
    settings.ECOM_AI = {**settings.ECOM_AI, "BACKENDS": {**settings.ECOM_AI.get("BACKENDS", {}), "liar": {
        "BACKEND": "tests.recommendations.support.LiarBackend"}}, "FEATURES": {"recommendation_reason": "liar"}}
    lst = service.recommend(customer_with_history.pk, k=3)
    assert lst.items and not any(r.reason_ok for r in lst.items)
    assert all(item["reason"] == "" for item in lst.as_dict(public=True)["items"])  # never shown to customers
    saved = service.save_set(customer_with_history.pk, lst)
    assert saved.status == RecommendationSet.Status.NEEDS_REVIEW and "9999" in saved.review_notes


def test_fallbacks_never_raise(trained, customer_with_history):
    unknown = service.recommend(10**9, k=5)
    assert unknown.source == "popular" and len(unknown.items) == 5
    newcomer = Customer.objects.create(name="新客户")
    fresh = service.recommend(newcomer.pk, k=5)
    assert fresh.source == "popular" and len(fresh.items) == 5 and all(r.reason_ok for r in fresh.items)
    nothing = service.recommend(customer_with_history.pk, k=5, price_band="0-0.01")
    assert nothing.items and nothing.source == "popular" and "price band" in nothing.message
    with pytest.raises(service.RecommendationError):
        service.recommend(customer_with_history.pk, k=0)
    with pytest.raises(service.RecommendationError):
        service.recommend(customer_with_history.pk, category="no-such-category")
    Product.objects.update(stock=0)
    service.clear_caches()
    empty = service.recommend(customer_with_history.pk, k=5)
    assert empty.items == [] and empty.source == "empty" and empty.message


def test_empty_catalogue_and_untrained_shop(db):
    lst = service.recommend(1, k=5)
    assert lst.items == [] and "no active products" in lst.message
    with pytest.raises(ValueError, match="Nothing to train on"):
        service.train(out=None)


def test_works_before_any_training_with_the_model_free_fallback(shop, customer_with_history):
    lst = service.recommend(customer_with_history.pk, k=5)
    assert lst.model_version == "untrained" and len(lst.items) == 5


def test_similar_and_bought_together(trained):
    phone = Product.objects.filter(category__name="手机", status="active").first()
    similar = service.similar_products(phone.pk, k=5)
    assert similar.items and phone.pk not in [r.product.id for r in similar.items]
    assert similar.items[0].product.category == "手机"
    together = service.bought_together(phone.pk, k=5)
    assert together.source in ("bought_together", "similar") and phone.pk not in [r.product.id for r in together.items]
    with pytest.raises(LookupError):
        service.similar_products(10**9)


def test_the_artefact_reloads_when_a_new_version_is_activated(trained, customer_with_history):
    first = trained["version"]
    bundle, version = service.current_model()
    assert version == first and bundle.model is not None and bundle.report
    second = service.train(out=None, model="als", factors=8, iterations=3)["version"]
    bundle, version = service.current_model()
    assert version == second != first and bundle.model.name == "als" and bundle.model.params["factors"] == 8
    assert service.recommend(customer_with_history.pk, k=3).model_version == second
    artifacts.set_active("recommender", first)
    assert service.current_model()[1] == first
    service.train(out=None, activate=False)
    assert service.current_model()[1] == first
    with pytest.raises(ValueError, match="Unknown recommender parameter"):
        service.train(out=None, factorz=3)
    with pytest.raises(ValueError, match="Unknown recommendation model"):
        service.train(out=None, model="svd")


def test_job_computes_and_stores_sets(trained, django_capture_on_commit_callbacks):
    customers = Customer.objects.order_by("pk")[:4]
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job("recommendations", customers)
    job.refresh_from_db()
    assert job.status == AIJob.Status.DONE and job.n_done == 4 and job.tokens_out > 0
    sets = RecommendationSet.objects.filter(customer_id__in=[c.pk for c in customers])
    assert sets.count() == 4
    for s in sets:
        assert len(s.items) == 10 and s.status == "ok" and s.model_version == trained["version"] and s.job_id == job.pk
        assert s.user_id == Customer.objects.get(pk=s.customer_id).user_id
        assert set(s.items[0]) >= {"product_id", "score", "reason", "source"}
    # run again: the set is replaced, not duplicated
    job2 = jobs.start_job("recommendations", customers[:1], dispatch=False)
    jobs.run_job_sync(job2)
    assert RecommendationSet.objects.filter(customer_id=customers[0].pk).count() == 1


def test_admin_action_starts_a_job(trained, django_capture_on_commit_callbacks):
    staff = get_user_model().objects.create_superuser("boss", password="pw-boss-123")
    request = RequestFactory().post("/")
    request.user = staff
    request.session = {}
    request._messages = FallbackStorage(request)
    modeladmin = admin.ModelAdmin(Customer, admin.site)
    with django_capture_on_commit_callbacks(execute=True):
        compute_recommendations_action(modeladmin, request, Customer.objects.order_by("pk")[:2])
    job = AIJob.objects.get(kind="recommendations")
    assert job.status == AIJob.Status.DONE and RecommendationSet.objects.count() == 2


def test_periodic_task_retrains_and_recomputes_everyone(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = recompute_all_recommendations_task.delay(retrain=True).get()
    job = AIJob.objects.get(pk=job_id)
    assert job.n_items == Customer.objects.count() and job.status == AIJob.Status.DONE
    assert artifacts.active_version("recommender")
    assert RecommendationSet.objects.count() == Customer.objects.count()
