"""The training admin: run list, the run page with its loss curve, queueing from the add form, "Make active"."""
from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from ecom_ai.training.models import TrainingRun
from ecom_ai.storage import artifacts
from ecom_ai.training import runs
from ecom_ai.training.charts import loss_curve_svg

pytestmark = pytest.mark.django_db

HISTORY = [{"step": 0, "train_loss": None, "eval_loss": 6.2}, {"step": 10, "train_loss": 5.1, "eval_loss": 5.4},
           {"step": 20, "train_loss": 4.0, "eval_loss": 4.6}]


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(user)
    return client


def test_loss_curve_is_an_svg_with_both_series():
    svg = str(loss_curve_svg(HISTORY))
    assert svg.startswith("<svg") and svg.count("<polyline") == 2 and svg.count("<circle") == 5
    assert loss_curve_svg([]) == "" and loss_curve_svg([{"step": "x"}]) == ""


def test_run_page_draws_the_loss_curve_and_escapes_what_it_shows(admin_client, artifact_dir):
    run = TrainingRun.objects.create(kind="pretrain", task="causal", status="failed", loss_history=HISTORY,
                                     parameters={"note": "<script>alert(1)</script>"}, error="<b>boom</b>",
                                     metrics={"accuracy": 0.9, "baseline_accuracy": 0.88, "n_heldout": 50})
    page = admin_client.get(reverse("admin:ecom_ai_trainingrun_change", args=[run.pk])).content.decode()
    assert 'class="ecom-ai-loss-curve"' in page and page.count("<polyline") == 2
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page and "<b>boom</b>" not in page
    assert "90.00%" in page and "88.00%" in page          # the comparison with the baseline
    assert "94.18%" not in page
    run.metrics = {**run.metrics, "never_seen": {"n": 1000, "accuracy": 0.935, "baseline_accuracy": 0.9418}}
    run.save()
    page = admin_client.get(reverse("admin:ecom_ai_trainingrun_change", args=[run.pk])).content.decode()
    assert "93.50%" in page and "94.18%" in page          # scored on reviews held back before pre-training
    listing = admin_client.get(reverse("admin:ecom_ai_trainingrun_changelist")).content.decode()
    assert "?kind=finetune-classifier" in listing and "90.0%" in listing


def test_add_form_queues_a_run_for_a_worker(admin_client, shop, django_capture_on_commit_callbacks):
    url = reverse("admin:ecom_ai_trainingrun_add")
    page = admin_client.get(url + "?kind=tokenizer").content.decode()
    assert 'name="vocab_size"' in page and 'value="8000"' in page and 'name="parameters"' not in page
    bad = admin_client.post(url + "?kind=finetune-classifier", {"task": "price", "activate_when_done": "on"},
                            HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200 and "sentiment" in bad.content.decode() and not TrainingRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url + "?kind=tokenizer", {"vocab_size": "300", "min_frequency": "2", "model": "bpe",
                                                               "csv_limit": "20000", "shop": "on", "seed": "0",
                                                               "activate_when_done": "on"})
    run = TrainingRun.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/{run.pk}/change/")
    assert run.parameters == {"vocab_size": 300}                                          # the defaults stay implicit
    assert run.status == "done" and run.requested_by.username == "boss" and run.is_active   # eager Celery ran it


def test_make_active_action_moves_the_pointer(admin_client, shop):
    first = TrainingRun.objects.get(pk=runs.train_tokenizer(out=io.StringIO(), vocab_size=300)["run"])
    second = TrainingRun.objects.get(pk=runs.train_tokenizer(out=io.StringIO(), vocab_size=320)["run"])
    assert artifacts.active_version("tokenizer") == second.artifact_version
    url = reverse("admin:ecom_ai_trainingrun_changelist")
    response = admin_client.post(url, {"action": "make_active", "_selected_action": [first.pk]}, follow=True)
    assert response.status_code == 200
    assert artifacts.active_version("tokenizer") == first.artifact_version
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_active and not second.is_active


def test_staff_without_the_run_permission_cannot_queue(client, db):
    user = get_user_model().objects.create_user("viewer", password="pw", is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_trainingrun", "add_trainingrun"]))
    client.force_login(user)
    assert client.get(reverse("admin:ecom_ai_trainingrun_changelist")).status_code == 200
    assert client.get(reverse("admin:ecom_ai_trainingrun_add")).status_code == 403
