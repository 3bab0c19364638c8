"""Tracked training runs, their lifecycle: checked and created, queued for a worker, executed (claimed once,
with a heartbeat and a progress bar), recovered when their worker vanished, activated. The trainers
themselves live in :mod:`ecom_ai.training.trainers`, one module per kind with its options dataclass.

The shell (``ecom_ai train KIND``), the admin and the Celery task all run the same :func:`execute` on a
:class:`~ecom_ai.models.TrainingRun` row.

Artefacts (``ecom_ai.storage.artifacts``, written atomically)::

    tokenizer                   PreTrainedTokenizerFast folder
    lm-causal / lm-masked       pre-trained models (with their tokenizer)
    sentiment-transformer       fine-tuned classifier folders; the "sentiment" / "intent" artefacts hold a
    intent-transformer          small joblib wrapper pointing at one (same interface as the sklearn models)
    replies                     fine-tuned causal LM (LoRA merged), loadable by TransformersBackend
    sentiment / intent          the scikit-learn baselines (their features' own trainers)
    recommender                 the recommender's models (the recommendations feature's trainer)
"""
from __future__ import annotations

import json
import logging
import time
import traceback
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext

from ecom_ai.storage import artifacts
from ecom_ai.training.models import TrainingRun
from ecom_ai.training.trainers import TRAINERS, options_for
from ecom_ai.training.trainers.classifier import CLASSIFIER_TASKS
from ecom_ai.training.trainers.common import LM_ARTIFACT, active_path, load_tokenizer, run_dir
from ecom_ai.training.trainers.options import OptionError, TrainingError
from ecom_ai.training.trainers.replies import render_prompt

log = logging.getLogger(__name__)

Kind = TrainingRun.Kind
Status = TrainingRun.Status


# =========================================================================== starting runs

def check_request(kind: str, params: dict | None) -> tuple[str, dict]:
    """The task and the parameters a run of ``kind`` would get (a resumed run's parameters merged in),
    every parameter read now rather than in a worker; raises :class:`TrainingError` (:class:`OptionError`
    naming the parameter at fault)."""
    if kind not in Kind.values:
        raise TrainingError(gettext("Unknown training kind %(kind)r; one of %(kinds)s")
                            % {"kind": kind, "kinds": ", ".join(Kind.values)})
    params = dict(params or {})
    try:
        json.dumps(params)
    except (TypeError, ValueError) as exc:
        raise TrainingError(gettext("Parameters must be JSON values: %(error)s") % {"error": exc}) from exc
    if kind == Kind.PRETRAIN and params.get("resume") is not None:
        resume = params["resume"]
        source = TrainingRun.objects.filter(pk=resume).first() if str(resume).isdigit() else None
        if source is None or source.kind != Kind.PRETRAIN:
            raise OptionError(gettext("resume=%(value)r names no pre-training run") % {"value": resume}, "resume")
        params = {**{k: v for k, v in source.parameters.items() if k != "resume"}, **params}
    return options_for(kind).from_params(params).task, params


def create_run(kind: str, params: dict | None = None, *, csv=None, activate: bool = True, user=None) -> TrainingRun:
    """A queued run row, its parameters checked enough to fail now rather than in a worker."""
    task, params = check_request(kind, params)
    if csv and not Path(csv).exists():
        raise FileNotFoundError(f"No such file: {csv}")
    return TrainingRun.objects.create(
        kind=kind, task=task, parameters=params, csv=str(csv or ""), activate_when_done=bool(activate),
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )


def queue(kind: str, params: dict | None = None, *, csv=None, activate: bool = True, user=None,
          dispatch: bool = True) -> TrainingRun:
    """Create a run and send it to a worker once the transaction commits (what the admin does)."""
    run = create_run(kind, params, csv=csv, activate=activate, user=user)
    if dispatch:
        enqueue(run.pk)
    return run


def enqueue(run_id: int) -> None:
    """Send the run to a worker once the surrounding transaction commits."""
    from ecom_ai.jobs.engine import send_on_commit
    from ecom_ai.training.tasks import run_training_task

    send_on_commit(run_training_task, run_id)


def recover_stale(older_than_s: int = 3600) -> dict:
    """Runs whose worker vanished: a running run silent (no step, no loss) for ``older_than_s`` is marked
    failed, saying so ("Train again" repeats it; a pre-training run resumes from its checkpoint with
    ``resume=ID``); a run still queued after that long is sent again (its message was lost; the claim in
    :func:`execute` keeps a run that does arrive twice from training twice). Returns the two counts."""
    from django.db.models.functions import Coalesce

    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_s)
    silent = (TrainingRun.objects.filter(status=Status.RUNNING)
              .annotate(seen=Coalesce("heartbeat_at", "started_at", "created_at")).filter(seen__lt=cutoff))
    failed = 0
    for run in silent:
        failed += TrainingRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
            status=Status.FAILED, finished_at=timezone.now(),
            error=(f"The worker stopped: no progress since {run.seen:%Y-%m-%d %H:%M:%S %Z}. "
                   + ("Train it again, or resume from its checkpoint with resume=%d." % run.pk
                      if run.kind == Kind.PRETRAIN else "Train it again.")))
    queued = list(TrainingRun.objects.filter(status=Status.QUEUED, created_at__lt=cutoff).values_list("pk", flat=True))
    for pk in queued:
        enqueue(pk)
    return {"failed": failed, "requeued": len(queued)}


def rerun(run: TrainingRun, *, user=None, dispatch: bool = True) -> TrainingRun:
    """Queue the same training again (a new row with the same parameters)."""
    return queue(run.kind, dict(run.parameters), csv=run.csv or None, activate=run.activate_when_done,
                 user=user or run.requested_by, dispatch=dispatch)


# =========================================================================== running

class _Reporter:
    """Writes progress to the run row (throttled) and a progress bar to ``out``."""

    def __init__(self, run: TrainingRun, out=None, every_s: float = 1.0):
        self.run, self.out, self.every_s = run, out, every_s
        self.last_db = 0.0
        self.bar_shown = False

    def write(self, text: str, end: str = "\n") -> None:
        if self.out is None:
            return
        if self.bar_shown and end:
            text, self.bar_shown = "\n" + text, False
        if hasattr(self.out, "ending"):       # a management command's OutputWrapper
            self.out.write(text, ending=end)
        else:
            self.out.write(text + end)
        if hasattr(self.out, "flush"):
            self.out.flush()

    def step(self, step: int, total: int) -> None:
        pct = int(100 * step / max(1, total))
        if self.out is not None:
            width = 30
            filled = int(width * step / max(1, total))
            self.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {pct:3d}%  step {step}/{total}", end="")
            self.bar_shown = True
        now = time.monotonic()
        if now - self.last_db >= self.every_s or step == total:
            self.last_db = now
            self.run.progress = min(99, pct)
            TrainingRun.objects.filter(pk=self.run.pk).update(progress=self.run.progress, heartbeat_at=timezone.now())

    def loss(self, entry: dict) -> None:
        self.run.loss_history = [*self.run.loss_history, entry]
        TrainingRun.objects.filter(pk=self.run.pk).update(loss_history=self.run.loss_history, heartbeat_at=timezone.now())
        if self.out is not None and entry.get("step") == 0:
            self.write(f"step 0: eval loss {entry['eval_loss']}")

    def data(self, n: int) -> None:
        self.run.data_size = n
        TrainingRun.objects.filter(pk=self.run.pk).update(data_size=n)


def execute(run: TrainingRun, *, out=None, raise_errors: bool = False) -> dict | None:
    """Run a queued run in this process. Claims it first (``queued → running``), so a task delivered
    twice trains once; returns the metrics, or None when another process has it or it failed."""
    now = timezone.now()
    claimed = TrainingRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, heartbeat_at=now, progress=0, error="")
    if not claimed:
        return None
    run.refresh_from_db()
    reporter = _Reporter(run, out)
    started = time.perf_counter()
    trainer = TRAINERS[run.kind]
    try:
        options = trainer.options.from_params(run.parameters)
        if getattr(options, "threads", None):
            import torch

            torch.set_num_threads(int(options.threads))
        metrics = trainer.train(run, options, reporter)
    except Exception as exc:
        run.status = Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}"[:20000]
        run.duration_s = round(time.perf_counter() - started, 2)
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "duration_s", "finished_at", "loss_history", "data_size"])
        reporter.write(f"training run #{run.pk} failed: {exc}")
        if raise_errors:
            raise
        log.exception("ecom_ai training run %s failed", run.pk)
        return None
    run.status = Status.DONE
    run.progress = 100
    run.metrics = {**metrics, "duration_s": round(time.perf_counter() - started, 2)}
    run.duration_s = run.metrics["duration_s"]
    run.finished_at = timezone.now()
    run.save()
    reporter.write(f"training run #{run.pk} done in {run.duration_s:.1f}s")
    return run.metrics


def _run_now(kind: str, *, out, csv, activate, params) -> dict:
    run = create_run(kind, params, csv=csv, activate=activate)
    metrics = execute(run, out=out, raise_errors=True) or {}
    run.refresh_from_db()
    return {"run": run.pk, **{k: v for k, v in metrics.items() if not isinstance(v, (dict, list))}}


def train_tokenizer(*, out=None, csv=None, activate: bool = True, **params) -> dict:
    """``ecom_ai train tokenizer``: byte-level BPE on the shop's text. params: vocab_size (8000),
    min_frequency (2), model (bpe | char), csv_limit (20000 rows of --csv), shop (true: the shop's own texts
    too), seed."""
    return _run_now(Kind.TOKENIZER, out=out, csv=csv, activate=activate, params=params)


def pretrain(*, out=None, csv=None, activate: bool = True, **params) -> dict:
    """``ecom_ai train pretrain``: a small causal (``model=causal``, GPT-2 or ``arch=qwen2``) or masked
    (``model=masked``, BERT) LM from scratch on the shop's text; ``resume=RUN_ID`` continues a run.
    params: hidden (128), layers (2), heads (4), seq (128), steps (300) or epochs (passes over the corpus),
    batch_size (16), lr, eval_every, checkpoint_every, test_size (0.1), seed, threads, device, csv_limit
    (20000 rows of --csv; 0 = all), shop (true: the shop's own texts too), tokenizer (active | /path), init
    (/path: continue pre-training that model, with its tokenizer and size, on a new schedule)."""
    return _run_now(Kind.PRETRAIN, out=out, csv=csv, activate=activate, params=params)


def finetune_classifier(*, out=None, csv=None, activate: bool = True, **params) -> dict:
    """``ecom_ai train finetune-classifier --param task=sentiment|intent``: fine-tune the pre-trained
    encoder (or a small one from scratch), measured beside the scikit-learn baseline on the same split.
    params: task, base (active | scratch | /path), pool (mean | cls: what the classifier reads), distill (0:
    the weight of an n-gram model's out-of-fold probabilities beside the labels, sentiment only),
    max_examples (sentiment: 6000, a stratified sample; 0 = all), limit (CSV rows), shop (true), test_size,
    epochs (2 / intent 30), steps, lr, batch_size, hidden, layers, heads, seq, baseline (true: fit and
    compare the scikit-learn model), seed, threads, device."""
    return _run_now(Kind.FINETUNE_CLASSIFIER, out=out, csv=csv, activate=activate, params=params)


def finetune_replies(*, out=None, csv=None, activate: bool = True, **params) -> dict:
    """``ecom_ai train finetune-replies``: supervised fine-tuning of a causal LM on approved replies
    (``base=/path`` or the active pre-trained one; ``lora=1`` for LoRA, automatic for large models)."""
    return _run_now(Kind.FINETUNE_REPLIES, out=out, csv=csv, activate=activate, params=params)


def train_sentiment_baseline(*, out=None, csv=None, activate: bool = True, **params) -> dict:
    """``ecom_ai train sentiment-baseline`` (``make demo``): the feedback feature's scikit-learn sentiment model,
    recorded as a run. params: C, classifier (svm | lr), char_ngrams, word_ngrams, test_size, limit, shop,
    refit, seed."""
    return _run_now(Kind.SENTIMENT_BASELINE, out=out, csv=csv, activate=activate, params=params)


def train_intent_baseline(*, out=None, csv=None, activate: bool = True, **params) -> dict:
    """``ecom_ai train intent-baseline``: the inquiries feature's scikit-learn intent model, recorded as a run.
    params: C, ngram_max, seed."""
    return _run_now(Kind.INTENT_BASELINE, out=out, csv=csv, activate=activate, params=params)


def train_recommender(*, out=None, csv=None, activate: bool = True, **params) -> dict:
    """``ecom_ai train recommender`` (``make demo``): the recommendations feature's models, recorded as a run
    (its model-selection report, when it gives one, in the run's ``metrics["candidates"]``). params: factors,
    regularization, iterations, alpha, half_life_days, num_threads."""
    return _run_now(Kind.RECOMMENDER, out=out, csv=csv, activate=activate, params=params)


# =========================================================================== activation

def make_active(run: TrainingRun) -> None:
    """Point the run's artefact at its version: every process picks it up on its next load."""
    if run.status != Status.DONE or not run.artifact_name or not run.artifact_version:
        raise TrainingError(gettext("Run #%(id)d has no finished model to activate.") % {"id": run.pk})
    artifacts.set_active(run.artifact_name, run.artifact_version)


__all__ = ["TrainingError", "OptionError", "check_request", "create_run", "queue", "enqueue", "rerun", "execute",
           "make_active", "active_path", "recover_stale", "train_tokenizer", "pretrain", "finetune_classifier",
           "finetune_replies", "train_sentiment_baseline", "train_intent_baseline", "train_recommender",
           "render_prompt", "run_dir", "load_tokenizer", "CLASSIFIER_TASKS", "LM_ARTIFACT"]
