"""Starting every kind of run from the admin: a form per kind built from its options (typed fields, defaults
shown), posted through the real admin; the run page's labels and the recommender's candidates."""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from ecom_ai.training.models import TrainingRun
from ecom_ai.training.trainers import options_for

pytestmark = pytest.mark.django_db

ADD = "admin:ecom_ai_trainingrun_add"

#: per kind: one valid change from the defaults (field → posted value, stored parameter) and one bad value
#: (field, posted value, words of the error)
CASES = {
    "tokenizer": (("vocab_size", "500", 500), ("vocab_size", "12", "100")),
    "pretrain": (("model", "masked", "masked"), ("heads", "7", "multiple of heads")),
    "finetune-classifier": (("task", "intent", "intent"), ("distill", "0.5+", "number")),
    "finetune-replies": (("lora", "true", True), ("lora_r", "0", "1")),
    "sentiment-baseline": (("classifier", "lr", "lr"), ("char_ngrams", "3-1", "the first at least 1")),
    "intent-baseline": (("ngram_max", "4", 4), ("C", "-1", "0")),
    "recommender": (("factors", "32", 32), ("iterations", "many", "whole number")),
}


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(user)
    return client


def _defaults(kind: str) -> dict:
    """What the browser sends back from an untouched form: every field's initial value."""
    data = {"activate_when_done": "on"}
    for f in options_for(kind).fields():
        value = f.default
        if isinstance(value, bool):
            if value:
                data[f.name] = "on"
        elif isinstance(value, tuple):
            data[f.name] = "-".join(map(str, value))
        elif value is not None:
            data[f.name] = str(value)
    return data


def test_every_kind_is_offered_and_has_its_own_form_with_its_defaults(admin_client):
    chooser = admin_client.get(reverse(ADD)).content.decode()
    listing = admin_client.get(reverse("admin:ecom_ai_trainingrun_changelist")).content.decode()
    for kind in TrainingRun.Kind.values:
        assert f"?kind={kind}" in chooser and f"?kind={kind}" in listing
        page = admin_client.get(reverse(ADD) + f"?kind={kind}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        for f in options_for(kind).fields():
            assert f'name="{f.name}"' in page, (kind, f.name)
        assert 'name="parameters"' not in page and "<textarea" not in page          # no raw JSON box
    page = admin_client.get(reverse(ADD) + "?kind=pretrain", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'name="steps"[^>]*value="300"|value="300"[^>]*name="steps"', page)   # the default, filled in
    assert "Default: 300" in page and '<option value="causal" selected>' in page


@pytest.mark.parametrize("kind", list(CASES))
def test_each_kind_queues_a_valid_run_and_refuses_a_bad_value(admin_client, kind):
    (field, value, stored), (bad_field, bad_value, words) = CASES[kind]
    url = reverse(ADD) + f"?kind={kind}"
    bad = admin_client.post(url, {**_defaults(kind), bad_field: bad_value}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200 and not TrainingRun.objects.exists()
    errors = bad.context["adminform"].form.errors
    assert bad_field in errors and words in " ".join(errors[bad_field]), errors

    response = admin_client.post(url, {**_defaults(kind), field: value})
    assert response.status_code == 302, response.context["adminform"].form.errors
    run = TrainingRun.objects.get()
    assert run.kind == kind and run.status == "queued" and run.requested_by.username == "boss"
    assert run.parameters == {field: stored}                 # only what differs from the defaults
    if kind == "finetune-classifier":
        assert run.task == "intent"


def test_a_missing_data_file_is_refused_on_its_field(admin_client):
    response = admin_client.post(reverse(ADD) + "?kind=tokenizer", {**_defaults("tokenizer"), "csv": "/no/such.csv"},
                                 HTTP_ACCEPT_LANGUAGE="en")
    assert "No such file" in " ".join(response.context["adminform"].form.errors["csv"])
    assert not TrainingRun.objects.exists()


def test_kinds_statuses_and_tasks_show_their_translated_labels(admin_client):
    TrainingRun.objects.create(kind="pretrain", task="masked", status="done")
    TrainingRun.objects.create(kind="finetune-classifier", task="sentiment", status="failed")
    zh = admin_client.get(reverse("admin:ecom_ai_trainingrun_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    cells = " ".join(re.findall(r'<td class="field-(?:kind|status|task_display)">(.*?)</td>', zh.content.decode()))
    assert "预训练" in cells and "已完成" in cells and "微调分类器" in cells
    assert "pretrain" not in cells and "done" not in cells and "finetune" not in cells
    en = admin_client.get(reverse("admin:ecom_ai_trainingrun_changelist"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "masked LM" in en and "Pre-training" in en


def test_the_recommenders_candidates_are_a_table_and_a_chart(admin_client):
    candidates = [
        {"model": "popularity", "ndcg@10": 0.0412, "recall@10": 0.081, "coverage": 0.02, "fit_s": 0.01, "served": False},
        {"model": "ALS <b>hybrid</b>", "ndcg@10": 0.1234, "recall@10": 0.2, "coverage": 0.61, "fit_s": 3.2, "served": True},
    ]
    run = TrainingRun.objects.create(kind="recommender", status="done", metrics={"users": 30, "items": 80,
                                                                                   "candidates": candidates})
    page = admin_client.get(reverse("admin:ecom_ai_trainingrun_change", args=[run.pk]),
                            HTTP_ACCEPT_LANGUAGE="en").content.decode()
    table = re.search(r'<table class="ecom-ai-candidates">.*?</table>', page, re.S).group(0)
    assert table.count("<tr") == 3 and "0.1234" in table and "0.0412" in table and "3.20" in table
    assert re.search(r'<tr class="ecom-ai-served"><th>ALS &lt;b&gt;hybrid&lt;/b&gt;</th>', table)
    chart = re.search(r'<svg[^>]*class="ecom-ai-candidates-chart".*?</svg>', page, re.S).group(0)
    assert chart.count("<rect") == 2 * 3 + 3 and 'font-weight="bold">ALS &lt;b&gt;hybrid' in chart
    assert "<b>hybrid</b>" not in page                                   # model text is escaped everywhere
    assert "No loss recorded" not in page and "baseline (same held-out split)" not in page   # one fit, no curve
    listing = admin_client.get(reverse("admin:ecom_ai_trainingrun_changelist"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "ALS &lt;b&gt;hybrid&lt;/b&gt; · NDCG@10 0.1234" in listing
    plain = TrainingRun.objects.create(kind="recommender", status="done", metrics={"users": 3, "items": 8})
    page = admin_client.get(reverse("admin:ecom_ai_trainingrun_change", args=[plain.pk])).content.decode()
    assert "ecom-ai-candidates" not in page
