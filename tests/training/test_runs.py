"""Training runs end to end on tiny configurations: tokenizer, pre-training (+resume), classifiers, replies."""
from __future__ import annotations

import io
import unicodedata

import pytest
from django.core.management import CommandError, call_command

from ecom_ai.inquiries.models import ApprovedReply
from ecom_ai.training.models import TrainingRun
from ecom_ai.storage import artifacts
from ecom_ai.training import runs

from .conftest import TINY

pytestmark = pytest.mark.django_db


def _falls(history):
    evals = [h["eval_loss"] for h in history if h["eval_loss"] is not None]
    return evals[-1] < evals[0]


def test_tokenizer_from_the_command_is_stored_and_reloads(shop):
    from transformers import AutoTokenizer

    out = io.StringIO()
    call_command("ecom_ai", "train", "tokenizer", "--param", "vocab_size=400", stdout=out)
    run = TrainingRun.objects.get()
    assert run.status == "done" and run.is_active and run.artifact_name == "tokenizer"
    assert run.data_size >= 80 and run.metrics["vocab_size"] <= 400
    assert artifacts.active_version("tokenizer") == run.artifact_version
    tok = AutoTokenizer.from_pretrained(run.artifact_path, local_files_only=True)
    text = "质量很好，物流很快 5000mAh"
    # byte-level BPE loses nothing but what NFKC folds (full-width punctuation)
    assert tok.decode(tok(text, add_special_tokens=False)["input_ids"]) == unicodedata.normalize("NFKC", text)
    assert "tokenizer: run=" in out.getvalue() and "100%" in out.getvalue()


def test_bad_parameters_are_a_clear_command_error(shop):
    with pytest.raises(CommandError, match="Unknown parameter"):
        call_command("ecom_ai", "train", "tokenizer", "--param", "vocab=10", stdout=io.StringIO())
    with pytest.raises(CommandError, match="sentiment' or 'intent"):
        call_command("ecom_ai", "train", "finetune-classifier", "--param", "task=price", stdout=io.StringIO())
    with pytest.raises(CommandError, match="shop=.maybe.*true or false"):
        call_command("ecom_ai", "train", "pretrain", "--param", "shop=maybe", stdout=io.StringIO())
    with pytest.raises(CommandError, match="multiple of heads"):
        call_command("ecom_ai", "train", "pretrain", "--param", "hidden=30", "--param", "heads=4", stdout=io.StringIO())
    assert not TrainingRun.objects.exists()       # every parameter is read before a run is recorded or queued


@pytest.mark.parametrize("model", ["causal", "masked"])
def test_pretraining_lowers_the_eval_loss_and_the_model_reloads(shop, model):
    from transformers import AutoModelForCausalLM, AutoModelForMaskedLM

    m = runs.pretrain(out=io.StringIO(), model=model, steps=40, eval_every=10, lr=3e-3, **TINY)
    run = TrainingRun.objects.get(pk=m["run"])
    assert run.status == "done" and run.artifact_name == f"lm-{model}"
    steps = [h["step"] for h in run.loss_history]
    assert steps == [0, 10, 20, 30, 40]
    assert _falls(run.loss_history), run.loss_history
    assert run.metrics["perplexity"] and run.metrics["perplexity"] > 1
    cls = AutoModelForCausalLM if model == "causal" else AutoModelForMaskedLM
    assert cls.from_pretrained(run.artifact_path, local_files_only=True).config.hidden_size == 32


def test_pretraining_resumes_from_its_checkpoint(shop, monkeypatch):
    params = dict(model="causal", steps=12, eval_every=4, checkpoint_every=4, **TINY)
    straight = runs.pretrain(out=io.StringIO(), **params)

    step = runs._Reporter.step

    def crash_at_10(self, n, total):
        if n == 10:
            raise RuntimeError("worker killed")
        step(self, n, total)

    monkeypatch.setattr(runs._Reporter, "step", crash_at_10)
    with pytest.raises(RuntimeError):
        runs.pretrain(out=io.StringIO(), **params)
    crashed = TrainingRun.objects.get(status="failed")
    assert "worker killed" in crashed.error and crashed.artifact_version == ""
    monkeypatch.setattr(runs._Reporter, "step", step)

    resumed = runs.pretrain(out=io.StringIO(), resume=crashed.pk)
    run = TrainingRun.objects.get(pk=resumed["run"])
    assert run.parameters["hidden"] == 32 and run.metrics["resumed_from"] == crashed.pk
    assert [h["step"] for h in run.loss_history] == [0, 4, 8, 12]
    # the same batches, dropout and optimiser state as the straight run: the same losses
    assert run.metrics["eval_loss"] == pytest.approx(straight["eval_loss"], abs=1e-4)
    with pytest.raises(runs.TrainingError):
        runs.create_run("pretrain", {"resume": 999999})


def test_pretraining_continues_a_finished_model_on_a_new_schedule(shop):
    first = TrainingRun.objects.get(pk=runs.pretrain(out=io.StringIO(), model="masked", steps=30, eval_every=10,
                                                     lr=3e-3, **TINY)["run"])
    tiny = {k: v for k, v in TINY.items() if k not in ("hidden", "layers", "heads")}
    more = TrainingRun.objects.get(pk=runs.pretrain(out=io.StringIO(), model="masked", steps=30, eval_every=10,
                                                    lr=3e-3, init=first.artifact_path, **tiny)["run"])
    assert more.metrics["continued_from"] == first.artifact_path and more.metrics["arch"] == "bert"
    assert more.metrics["parameters"] == first.metrics["parameters"]
    # it starts where the first one ended, not from scratch
    assert more.loss_history[0]["eval_loss"] < first.loss_history[0]["eval_loss"] - 1
    with pytest.raises(CommandError, match="its own tokenizer and size: drop hidden"):
        call_command("ecom_ai", "train", "pretrain", "--param", f"init={first.artifact_path}", "--param", "hidden=64",
                     stdout=io.StringIO())
    with pytest.raises(CommandError, match="is not a model folder"):
        call_command("ecom_ai", "train", "pretrain", "--param", "init=/nonexistent", stdout=io.StringIO())


def test_sentiment_classifier_beside_the_baseline_and_evaluated_by_the_command(shop, labelled_csv):
    from ecom_ai.nlp import sentiment as sentiment_nlp

    m = runs.finetune_classifier(out=io.StringIO(), task="sentiment", base="scratch", epochs=6, lr=3e-3, **TINY)
    run = TrainingRun.objects.get(pk=m["run"])
    metrics = run.metrics
    assert metrics["n_heldout"] >= 10 and 0 <= metrics["accuracy"] <= 1 and 0 <= metrics["baseline_accuracy"] <= 1
    assert _falls(run.loss_history), run.loss_history
    # the better one serves
    serving = artifacts.active_version("sentiment")
    if metrics["accuracy"] >= metrics["baseline_accuracy"]:
        assert serving == run.artifact_version and run.is_active
    else:
        assert serving == metrics["baseline_version"]
    stored = artifacts.load("sentiment", run.artifact_version).obj
    assert stored.classes_ == [0, 1]
    assert set(sentiment_nlp.predict(["质量很好，非常喜欢", "质量太差，很失望"], model=stored)) <= {0, 1}
    out = io.StringIO()
    call_command("ecom_ai", "evaluate", "sentiment", "--csv", str(labelled_csv), "--model", run.artifact_version, stdout=out)
    assert f"sentiment {run.artifact_version}" in out.getvalue() and "accuracy" in out.getvalue()


def test_activating_a_run_switches_the_model_the_pipelines_use(shop):
    from ecom_ai.adapters import get_adapter
    from ecom_ai.feedback import services as feedback

    a = TrainingRun.objects.get(pk=runs.finetune_classifier(out=io.StringIO(), activate=False, task="sentiment",
                                                            base="scratch", steps=4, baseline=False, **TINY)["run"])
    b = TrainingRun.objects.get(pk=runs.finetune_classifier(out=io.StringIO(), activate=False, task="sentiment",
                                                            base="scratch", steps=4, baseline=False, seed=1, **TINY)["run"])
    assert artifacts.active_version("sentiment") is None and not a.is_active
    reviews = list(get_adapter().get_reviews([shop["products"][0].pk]))
    runs.make_active(a)
    assert feedback.analyse(reviews).sentiment_source == f"sentiment:{a.artifact_version}"
    runs.make_active(b)
    assert feedback.analyse(reviews).sentiment_source == f"sentiment:{b.artifact_version}"
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.is_active and not a.is_active


def test_intent_classifier_serves_the_inquiry_service(shop):
    from ecom_ai.inquiries import services as inquiries

    m = runs.finetune_classifier(out=io.StringIO(), task="intent", base="scratch", steps=25, lr=3e-3, **TINY)
    run = TrainingRun.objects.get(pk=m["run"])
    assert run.metrics["baseline_accuracy"] > 0.5 and run.metrics["n_heldout"] >= 50
    runs.make_active(run)       # an admin may choose the trained model even when the baseline is better
    model = inquiries.intent_model()
    assert model.version == run.artifact_version
    intent, confidence = model.predict("快递到哪了？")
    assert intent in {"product", "logistics", "after_sales", "complaint", "other"} and 0 < confidence <= 1


def test_reply_fine_tuning_with_lora_feeds_the_transformers_backend(shop, tmp_path):
    from ecom_ai.llm.base import GenerationRequest
    from ecom_ai.llm.tiny import build_tiny_model
    from ecom_ai.llm.transformers import clear_model_cache
    from ecom_ai.training.backend import TrainedModelBackend

    base = build_tiny_model(str(tmp_path / "base"), arch="qwen2")
    for i in range(12):
        ApprovedReply.objects.create(question=f"电池容量是多少？{i}", reply="您好，这款手机的电池容量是5000mAh。",
                                     facts=[{"key": "battery_capacity", "value": "5000mAh", "source": "product:1"}])
    m = runs.finetune_replies(out=io.StringIO(), base=base, lora=1, steps=6, lr=5e-3, eval_every=3)
    run = TrainingRun.objects.get(pk=m["run"])
    assert run.metrics["lora"] and run.metrics["trainable_parameters"] < run.metrics["parameters"]
    train = [h["train_loss"] for h in run.loss_history if h["train_loss"] is not None]
    assert train[-1] < train[0] and _falls(run.loss_history), run.loss_history
    assert artifacts.active_version("replies") == run.artifact_version
    clear_model_cache()
    backend = TrainedModelBackend(model="artifact:replies")
    [result] = backend.generate([GenerationRequest(task="inquiry_reply", untrusted={"question": "电池多大？"},
                                                   max_new_tokens=4, temperature=0)])
    assert result.model_id == f"replies:{run.artifact_version}" and result.tokens_out <= 4


def test_reply_fine_tuning_needs_pairs_and_a_base(shop):
    with pytest.raises(runs.TrainingError, match="causal LM"):
        runs.finetune_replies(out=io.StringIO())


def test_queued_runs_go_through_the_celery_task_once(shop, django_capture_on_commit_callbacks):
    from ecom_ai.training.tasks import run_training_task

    with django_capture_on_commit_callbacks(execute=True):
        run = runs.queue("tokenizer", {"vocab_size": 300})
    run.refresh_from_db()
    assert run.status == "done" and run.progress == 100 and run.duration_s is not None
    version = run.artifact_version
    run_training_task(run.pk)          # a second delivery: nothing trains again
    run.refresh_from_db()
    assert run.artifact_version == version and TrainingRun.objects.count() == 1
    run_training_task(987654)          # a vanished row: quietly nothing


def test_a_run_whose_worker_vanished_is_closed_and_a_lost_message_sent_again(shop, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    long_ago = timezone.now() - timedelta(hours=2)
    dead = TrainingRun.objects.create(kind="pretrain", task="masked", status="running", parameters={"model": "masked"})
    TrainingRun.objects.filter(pk=dead.pk).update(started_at=long_ago, heartbeat_at=long_ago, created_at=long_ago)
    alive = TrainingRun.objects.create(kind="tokenizer", status="running", started_at=long_ago,
                                       heartbeat_at=timezone.now())
    lost = TrainingRun.objects.create(kind="tokenizer", parameters={"vocab_size": 300})
    TrainingRun.objects.filter(pk=lost.pk).update(created_at=long_ago)
    fresh = TrainingRun.objects.create(kind="tokenizer", parameters={"vocab_size": 300})

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ecom_ai", "recover", "--older-than", "3600", stdout=out)
    assert "1 training run(s) whose worker stopped marked failed, 1 queued run(s) sent again" in out.getvalue()
    dead.refresh_from_db()
    assert dead.status == "failed" and dead.finished_at and f"resume={dead.pk}" in dead.error
    assert TrainingRun.objects.get(pk=alive.pk).status == "running"       # still making progress
    assert TrainingRun.objects.get(pk=lost.pk).status == "done"           # its message was sent again and it ran
    assert TrainingRun.objects.get(pk=fresh.pk).status == "queued"        # young: its message may still come


def test_a_running_run_reports_signs_of_life(shop):
    m = runs.train_tokenizer(out=io.StringIO(), vocab_size=300)
    run = TrainingRun.objects.get(pk=m["run"])
    assert run.heartbeat_at is not None and run.started_at <= run.heartbeat_at <= run.finished_at


def test_sentiment_distilled_from_the_n_gram_model(shop, labelled_csv):
    m = runs.finetune_classifier(out=io.StringIO(), task="sentiment", base="scratch", epochs=4, lr=3e-3, distill=0.5,
                                 baseline=False, **TINY)
    run = TrainingRun.objects.get(pk=m["run"])
    assert run.status == "done" and run.metrics["distill"] == 0.5 and run.metrics["pool"] == "mean"
    assert _falls(run.loss_history), run.loss_history
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("ecom_ai", "train", "finetune-classifier", "--param", "distill=2", stdout=io.StringIO())
    with pytest.raises(CommandError, match="task=sentiment"):
        call_command("ecom_ai", "train", "finetune-classifier", "--param", "task=intent", "--param", "distill=0.5",
                     stdout=io.StringIO())


def test_reply_fine_tuning_refuses_the_classifier_parameters(shop):
    with pytest.raises(CommandError, match="Unknown parameter.*pool"):
        call_command("ecom_ai", "train", "finetune-replies", "--param", "pool=mean", stdout=io.StringIO())
