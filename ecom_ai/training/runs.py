"""Tracked training runs: the shop's tokenizer, pre-training (causal and masked LM), classifier and reply
fine-tuning. The shell (``ecom_ai train KIND``), the admin and the Celery task all run the same
:func:`execute` on a :class:`~ecom_ai.models.TrainingRun` row.

Artefacts (``ecom_ai.storage.artifacts``, written atomically)::

    tokenizer                   PreTrainedTokenizerFast folder
    lm-causal / lm-masked       pre-trained models (with their tokenizer)
    sentiment-transformer       fine-tuned classifier folders; the "sentiment" / "intent" artefacts hold a
    intent-transformer          small joblib wrapper pointing at one (same interface as the sklearn models)
    replies                     fine-tuned causal LM (LoRA merged), loadable by TransformersBackend
"""
from __future__ import annotations

import json
import logging
import math
import time
import traceback
from pathlib import Path
from types import SimpleNamespace

from django.utils import timezone

from ecom_ai.conf import ecom_ai_settings
from ecom_ai.llm.transformers import render_chat, resolve_device
from ecom_ai.training.models import TrainingRun
from ecom_ai.storage import artifacts
from ecom_ai.training import builders, corpus, loop
from ecom_ai.training import tokenizer as tok_lib

log = logging.getLogger(__name__)

Kind = TrainingRun.Kind
Status = TrainingRun.Status

CLASSIFIER_TASKS = ("sentiment", "intent")
LM_ARTIFACT = {"causal": "lm-causal", "masked": "lm-masked"}
LORA_THRESHOLD = 50_000_000   # parameters above which reply fine-tuning uses LoRA by default


class TrainingError(ValueError):
    """A run cannot be started or continued as asked (a clear message for the user)."""


# =========================================================================== starting runs

def _task_of(kind: str, params: dict) -> str:
    if kind == Kind.PRETRAIN:
        task = str(params.get("model", "causal"))
        if task not in LM_ARTIFACT:
            raise TrainingError(f"pretrain model must be 'causal' or 'masked', not {task!r}")
        return task
    if kind == Kind.FINETUNE_CLASSIFIER:
        task = str(params.get("task", "sentiment"))
        if task not in CLASSIFIER_TASKS:
            raise TrainingError(f"finetune-classifier task must be 'sentiment' or 'intent', not {task!r}")
        return task
    if kind == Kind.FINETUNE_REPLIES:
        return "replies"
    return "bpe" if params.get("model", "bpe") == "bpe" else str(params.get("model"))


def check_request(kind: str, params: dict | None) -> tuple[str, dict]:
    """The task and the parameters a run of ``kind`` would get (a resumed run's parameters merged in),
    checked enough to fail now rather than in a worker; raises :class:`TrainingError`."""
    if kind not in Kind.values:
        raise TrainingError(f"Unknown training kind {kind!r}; one of {', '.join(Kind.values)}")
    params = dict(params or {})
    try:
        json.dumps(params)
    except (TypeError, ValueError) as exc:
        raise TrainingError(f"Parameters must be JSON values: {exc}") from exc
    if "resume" in params:
        source = TrainingRun.objects.filter(pk=params["resume"]).first() if str(params["resume"]).isdigit() else None
        if source is None or source.kind != Kind.PRETRAIN:
            raise TrainingError(f"resume={params['resume']!r} names no pre-training run")
        params = {**{k: v for k, v in source.parameters.items() if k != "resume"}, **params}
    task = _task_of(kind, params)
    OPTIONS[kind]({k: v for k, v in params.items() if k != "threads"})   # every parameter read now, not in a worker
    return task, params


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
    params = dict(run.parameters)
    threads = params.pop("threads", None)
    if threads:
        import torch

        torch.set_num_threads(int(threads))
    try:
        metrics = TRAINERS[run.kind](run, params, reporter)
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


# =========================================================================== activation

def make_active(run: TrainingRun) -> None:
    """Point the run's artefact at its version: every process picks it up on its next load."""
    if run.status != Status.DONE or not run.artifact_name or not run.artifact_version:
        raise TrainingError(f"Run #{run.pk} has no finished model to activate.")
    artifacts.set_active(run.artifact_name, run.artifact_version)


def active_path(name: str) -> Path | None:
    """The active version's folder of a folder artefact (``tokenizer``, ``lm-causal``, ``replies``...)."""
    version = artifacts.active_version(name)
    return artifacts.root() / name / version if version else None


def _finish_artifact(run: TrainingRun, name: str, version: str, path: Path, *, activate: bool) -> None:
    run.artifact_name, run.artifact_version, run.artifact_path = name, version, str(path)
    run.save(update_fields=["artifact_name", "artifact_version", "artifact_path"])
    if activate:
        artifacts.set_active(name, version)


# =========================================================================== helpers

def _pop(params: dict, key: str, default, cast=None):
    value = params.pop(key, default)
    if value is None:
        return None
    try:
        return cast(value) if cast else value
    except (TypeError, ValueError) as exc:
        raise TrainingError(f"Parameter {key}={value!r} is not valid: {exc}") from exc


def _flag(params: dict, key: str, default: bool | None) -> bool | None:
    """A yes/no parameter: true/false, 1/0, yes/no (a JSON bool from --param or the admin); None when
    absent and ``default`` is None (the trainer decides)."""
    value = params.pop(key, default)
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "false", "0", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    if isinstance(value, (bool, int)) and value in (0, 1):
        return bool(value)
    raise TrainingError(f"Parameter {key}={value!r} is not valid: say true or false")


def _size(params: dict, **defaults) -> builders.Size:
    try:
        return builders.Size.from_params(params, **defaults)
    except (TypeError, ValueError) as exc:
        raise TrainingError(f"Model size: {exc}") from exc


def _reject_unknown(kind: str, params: dict) -> None:
    if params:
        raise TrainingError(f"Unknown parameter(s) for {kind}: {', '.join(sorted(params))}")


def _loop_settings(params: dict, **defaults) -> loop.LoopSettings:
    d = loop.LoopSettings(**defaults)
    return loop.LoopSettings(
        steps=_pop(params, "steps", d.steps, int), batch_size=_pop(params, "batch_size", d.batch_size, int),
        lr=_pop(params, "lr", d.lr, float), warmup=_pop(params, "warmup", d.warmup, float),
        weight_decay=_pop(params, "weight_decay", d.weight_decay, float),
        eval_every=max(1, _pop(params, "eval_every", d.eval_every, int)),
        checkpoint_every=max(1, _pop(params, "checkpoint_every", d.checkpoint_every, int)),
        seed=_pop(params, "seed", d.seed, int),
    )


def run_dir(run: TrainingRun) -> Path:
    """Where a run keeps its checkpoints (not an artefact: nothing loads from here but a resume)."""
    return artifacts.root() / "_runs" / str(run.pk)


def load_tokenizer(path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path), local_files_only=True)


def _shop_tokenizer(texts: list[str], reporter: _Reporter, vocab_size: int = 8000):
    """The active shop tokenizer; or, when none was trained yet, one trained now on ``texts``."""
    path = active_path("tokenizer")
    if path is not None:
        return load_tokenizer(path), f"tokenizer:{path.name}"
    reporter.write("no active tokenizer: training one on this run's text")
    return tok_lib.train(texts, vocab_size=vocab_size), "inline"


def _quiet_transformers():
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()       # the run's own progress bar is the one to read


# =========================================================================== tokenizer

def _tokenizer_options(params: dict) -> SimpleNamespace:
    o = SimpleNamespace(
        vocab_size=_pop(params, "vocab_size", 8000, int), min_frequency=_pop(params, "min_frequency", 2, int),
        model=_pop(params, "model", "bpe", str), csv_limit=_pop(params, "csv_limit", 20000, int),
        shop=_flag(params, "shop", True), seed=_pop(params, "seed", 0, int))
    _reject_unknown("tokenizer", params)
    return o


def _train_tokenizer(run: TrainingRun, params: dict, reporter: _Reporter) -> dict:
    o = _tokenizer_options(params)
    texts = corpus.corpus(csv=run.csv or None, csv_limit=o.csv_limit, seed=o.seed, shop=o.shop)
    reporter.data(len(texts))
    reporter.write(f"tokenizer: {len(texts)} texts, {sum(map(len, texts))} characters")
    started = time.perf_counter()
    tokenizer = tok_lib.train(texts, vocab_size=o.vocab_size, min_frequency=o.min_frequency, model=o.model)
    train_s = time.perf_counter() - started
    reporter.step(1, 1)
    sample = texts[:2000]
    metrics = {"vocab_size": len(tokenizer), "texts": len(texts), "characters": sum(map(len, texts)),
               "tokens_per_char": round(tok_lib.fertility(tokenizer, sample), 4), "train_s": round(train_s, 2),
               "model": o.model}
    version = artifacts.save_dir("tokenizer", lambda tmp: tokenizer.save_pretrained(str(tmp)),
                                 {"kind": "tokenizer", "run": run.pk, "metrics": metrics}, activate=False)
    _finish_artifact(run, "tokenizer", version, artifacts.root() / "tokenizer" / version, activate=run.activate_when_done)
    reporter.write(f"tokenizer {version}: vocab {metrics['vocab_size']}, {metrics['tokens_per_char']} tokens/char")
    return metrics


# =========================================================================== pre-training

def _pretrain_options(params: dict) -> SimpleNamespace:
    task = _pop(params, "model", "causal", str)
    init = _pop(params, "init", None, str)
    if init is not None:
        clash = [k for k in ("tokenizer", "arch", "hidden", "layers", "heads") if k in params]
        if clash:
            raise TrainingError(f"init={init!r} continues a pre-trained model with its own tokenizer and size: "
                                f"drop {', '.join(clash)}")
    o = SimpleNamespace(
        task=task, init=init, arch=_pop(params, "arch", "gpt2", str), resume_id=_pop(params, "resume", None, int),
        tokenizer=_pop(params, "tokenizer", "active", str),
        test_size=_pop(params, "test_size", 0.1, float), csv_limit=_pop(params, "csv_limit", 20000, int),
        shop=_flag(params, "shop", True), epochs=_pop(params, "epochs", None, float),
        device=_pop(params, "device", "auto", str), size=_size(params),
        settings=_loop_settings(params, steps=300, batch_size=16, lr=1e-3 if task == "causal" else 5e-4,
                                eval_every=50, checkpoint_every=100))
    _reject_unknown("pretrain", params)
    return o


def _pretrain(run: TrainingRun, params: dict, reporter: _Reporter) -> dict:
    _quiet_transformers()
    o = _pretrain_options(params)
    device = resolve_device(o.device)
    loop.seed_everything(o.settings.seed)

    texts = corpus.corpus(csv=run.csv or None, csv_limit=o.csv_limit, seed=o.settings.seed, shop=o.shop)
    if len(texts) < 10:
        raise TrainingError(f"Only {len(texts)} texts in the shop: seed the shop (or give --csv) before pre-training.")
    train_idx, test_idx = corpus.split(len(texts), o.test_size, o.settings.seed)
    directory = run_dir(run)
    directory.mkdir(parents=True, exist_ok=True)
    resume_state = None
    if o.resume_id is not None:
        source = TrainingRun.objects.filter(pk=o.resume_id).first()
        state_dir = run_dir(source) if source else None
        resume_state = loop.load_checkpoint(state_dir) if state_dir else None
        if resume_state is None:
            raise TrainingError(f"Run #{o.resume_id} left no checkpoint to resume from.")
        tokenizer = load_tokenizer(state_dir / "tokenizer")
        tokenizer_source = f"run:{o.resume_id}"
        from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForMaskedLM

        config = AutoConfig.from_pretrained(state_dir / "model-config", local_files_only=True)
        model = (AutoModelForCausalLM if o.task == "causal" else AutoModelForMaskedLM).from_config(config)
        reporter.write(f"resuming run #{o.resume_id} at step {resume_state['step']}")
    elif o.init is not None:                    # continued pre-training: its weights, its tokenizer, a new schedule
        from transformers import AutoModelForCausalLM, AutoModelForMaskedLM

        if not Path(o.init).is_dir():
            raise TrainingError(f"init={o.init!r} is not a model folder")
        tokenizer, tokenizer_source = load_tokenizer(o.init), f"init:{o.init}"
        model = (AutoModelForCausalLM if o.task == "causal" else AutoModelForMaskedLM).from_pretrained(
            o.init, local_files_only=True)
        o.size.seq = min(o.size.seq, int(getattr(model.config, "max_position_embeddings", o.size.seq)))
    elif o.tokenizer != "active":
        if not Path(o.tokenizer).is_dir():
            raise TrainingError(f"tokenizer={o.tokenizer!r} is not a tokenizer folder")
        tokenizer, tokenizer_source = load_tokenizer(o.tokenizer), f"tokenizer:{Path(o.tokenizer).name}"
    else:
        tokenizer, tokenizer_source = _shop_tokenizer([texts[i] for i in train_idx], reporter)
    if resume_state is None and o.init is None:
        model = (builders.causal_lm(tokenizer, o.size, o.arch) if o.task == "causal"
                 else builders.masked_lm(tokenizer, o.size))
    tokenizer.save_pretrained(str(directory / "tokenizer"))
    model.config.save_pretrained(str(directory / "model-config"))

    if o.task == "causal":
        ids = tokenizer([texts[i] for i in train_idx], add_special_tokens=False)["input_ids"]
        eval_ids = tokenizer([texts[i] for i in test_idx], add_special_tokens=False)["input_ids"]
        train_ex = builders.pack(ids, o.size.seq, tokenizer.eos_token_id)
        eval_ex = builders.pack(eval_ids, o.size.seq, tokenizer.eos_token_id)
        collate = builders.causal_collate(tokenizer.pad_token_id)
    else:
        train_ex = tok_lib.encode_for_encoder(tokenizer, [texts[i] for i in train_idx], o.size.seq)
        eval_ex = tok_lib.encode_for_encoder(tokenizer, [texts[i] for i in test_idx], o.size.seq)
        collate = builders.mlm_collate(tokenizer)
    if o.epochs:                                 # passes over the corpus instead of a step count
        o.settings.steps = max(1, math.ceil(len(train_ex) / o.settings.batch_size * o.epochs))
    reporter.data(len(texts))
    if resume_state is not None:
        run.loss_history = list(resume_state.get("history") or [])
    reporter.write(f"pretrain {o.task}: {len(texts)} texts → {len(train_ex)} train / {len(eval_ex)} eval sequences, "
                   f"{builders.count_parameters(model):,} parameters on {device}")
    history = loop.train(model, train_ex, eval_ex, collate, o.settings, device=device, checkpoint_dir=directory,
                         resume=resume_state, on_log=reporter.loss, on_step=reporter.step,
                         loss_fn=builders.masked_lm_loss if o.task == "masked" else None)
    first = next((h["eval_loss"] for h in history if h["eval_loss"] is not None), None)
    last = history[-1]["eval_loss"] if history else None
    metrics = {"model": o.task, "arch": model.config.model_type, "parameters": builders.count_parameters(model),
               "texts": len(texts), "train_sequences": len(train_ex), "eval_sequences": len(eval_ex),
               "steps": o.settings.steps, "eval_loss_start": first, "eval_loss": last,
               "perplexity": round(math.exp(last), 3) if last is not None and last < 50 else None,
               "tokenizer": tokenizer_source, "device": device}
    if o.resume_id is not None:
        metrics["resumed_from"] = o.resume_id
    if o.init is not None:
        metrics["continued_from"] = o.init
    model.to("cpu")
    if o.task == "causal":
        model.generation_config.eos_token_id = tokenizer.eos_token_id
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    name = LM_ARTIFACT[o.task]

    def fill(tmp):
        model.save_pretrained(str(tmp))
        tokenizer.save_pretrained(str(tmp))

    version = artifacts.save_dir(name, fill, {"kind": f"pretrain-{o.task}", "run": run.pk, "metrics": metrics}, activate=False)
    _finish_artifact(run, name, version, artifacts.root() / name / version, activate=run.activate_when_done)
    reporter.write(f"{name} {version}: eval loss {first} → {last}, perplexity {metrics['perplexity']}")
    return metrics


# =========================================================================== classifiers

def _baseline(task: str, tr_x, tr_y, te_x):
    """The scikit-learn baseline fitted on the same training part; its predictions on the held-out part."""
    if task == "sentiment":
        from ecom_ai.nlp import sentiment as sentiment_nlp

        model = sentiment_nlp.build_pipeline(C=0.3, classifier="svm")
        model.fit(tr_x, tr_y)
        return model, [int(v) for v in model.predict(te_x)]
    from ecom_ai.inquiries import services as inquiries

    model = inquiries.train_intent_model(list(tr_x), list(tr_y))
    return model, [p for p, _ in model.predict_many(list(te_x))]


def _teacher_probabilities(texts, labels, classes, seed: int):
    """Out-of-fold class probabilities of an n-gram logistic regression on the sentiment training part (5
    shuffled folds: each text scored by a model that never saw it), the soft labels of ``distill``."""
    from collections import Counter

    import numpy as np
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from ecom_ai.nlp import sentiment as sentiment_nlp

    smallest = min(Counter(labels).values())
    if smallest < 2:
        raise TrainingError("distill needs at least two training examples of each label")
    teacher = sentiment_nlp.build_pipeline(C=4.0, classifier="lr")
    folds = StratifiedKFold(n_splits=min(5, smallest), shuffle=True, random_state=seed)
    probs = cross_val_predict(teacher, list(texts), list(labels), cv=folds, method="predict_proba")
    order = sorted(set(labels), key=str)                  # cross_val_predict's column order
    return probs[:, [order.index(c) for c in classes]].astype(np.float32)


def _accuracy(y_true, y_pred) -> float:
    return round(sum(1 for a, b in zip(y_true, y_pred) if a == b) / len(y_true), 4) if y_true else 0.0


def _macro_f1(y_true, y_pred) -> float:
    labels = sorted(set(y_true) | set(y_pred), key=str)
    scores = []
    for label in labels:
        tp = sum(1 for a, b in zip(y_true, y_pred) if a == b == label)
        fp = sum(1 for a, b in zip(y_true, y_pred) if b == label and a != label)
        fn = sum(1 for a, b in zip(y_true, y_pred) if a == label and b != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return round(sum(scores) / len(scores), 4) if scores else 0.0


def _classifier_options(params: dict) -> SimpleNamespace:
    task = _pop(params, "task", "sentiment", str)
    o = SimpleNamespace(task=task, base=_pop(params, "base", "active", str), pool=_pop(params, "pool", "mean", str),
                        distill=_pop(params, "distill", 0.0, float))
    if o.pool not in builders.POOLS:
        raise TrainingError(f"pool must be {' or '.join(map(repr, builders.POOLS))}, not {o.pool!r}")
    if not 0 <= o.distill <= 1:
        raise TrainingError(f"distill is a weight between 0 and 1, not {o.distill}")
    if o.distill and task != "sentiment":
        raise TrainingError("distill is for task=sentiment")
    o.__dict__.update(
        limit=_pop(params, "limit", None, int),
        max_examples=_pop(params, "max_examples", 6000 if task == "sentiment" else None, int),
        shop=_flag(params, "shop", True), test_size=_pop(params, "test_size", 0.1 if task == "sentiment" else 0.2, float),
        epochs=_pop(params, "epochs", 2 if task == "sentiment" else 30, float), steps=_pop(params, "steps", None, int),
        device=_pop(params, "device", "auto", str), baseline=_flag(params, "baseline", True),
        size=_size(params, seq=128 if task == "sentiment" else 64),
        settings=_loop_settings(params, steps=1, batch_size=32, lr=1e-3 if task == "sentiment" else 2e-3,
                                eval_every=50, checkpoint_every=10 ** 9))
    _reject_unknown("finetune-classifier", params)
    return o


def _finetune_classifier(run: TrainingRun, params: dict, reporter: _Reporter) -> dict:
    from ecom_ai.inquiries import services as inquiries
    from ecom_ai.nlp.text import normalize
    from ecom_ai.training.classifier import TransformerTextClassifier, predict_ids

    _quiet_transformers()
    o = _classifier_options(params)
    device = resolve_device(o.device)
    loop.seed_everything(o.settings.seed)

    if o.task == "sentiment":
        texts, labels, sources = corpus.sentiment_examples(csv=run.csv or None, limit=o.limit or None,
                                                           seed=o.settings.seed, shop=o.shop)
    else:
        texts, labels, sources = corpus.intent_examples(csv=run.csv or None)
        texts = [normalize(t) for t in texts]
    if o.max_examples and len(texts) > o.max_examples:   # CPU-friendly default: a stratified sample
        keep, _rest = corpus.split(len(texts), 1 - o.max_examples / len(texts), o.settings.seed, labels)
        texts, labels = [texts[i] for i in keep], [labels[i] for i in keep]
        sources["sampled"] = len(texts)
    if len(texts) < 20 or len(set(labels)) < 2:
        raise TrainingError(f"Not enough labelled {o.task} examples ({len(texts)}, labels {sorted(set(labels), key=str)}).")
    reporter.data(len(texts))
    classes = sorted(set(labels), key=str)
    index = {c: i for i, c in enumerate(classes)}
    train_idx, test_idx = corpus.split(len(texts), o.test_size, o.settings.seed, labels)
    tr_x, tr_y = [texts[i] for i in train_idx], [labels[i] for i in train_idx]
    te_x, te_y = [texts[i] for i in test_idx], [labels[i] for i in test_idx]

    base_path = None
    if o.base not in ("", "none", "scratch"):
        base_path = Path(o.base) if o.base != "active" else active_path("lm-masked")
        if o.base != "active" and not (base_path and base_path.is_dir()):
            raise TrainingError(f"base={o.base!r} is not a model folder")
    if base_path is not None:
        tokenizer = load_tokenizer(base_path)
        model = builders.sequence_classifier(len(classes), pool=o.pool, base_path=base_path)
        o.size.seq = min(o.size.seq, int(getattr(model.config, "max_position_embeddings", o.size.seq)))
        encoder = f"pretrained:{base_path.parent.name}/{base_path.name}"
    else:
        tokenizer, tok_source = _shop_tokenizer(tr_x, reporter)
        model = builders.sequence_classifier(len(classes), pool=o.pool, tokenizer=tokenizer, size=o.size)
        encoder = f"scratch ({tok_source})"
    model.config.id2label = {i: str(c) for i, c in enumerate(classes)}
    model.config.label2id = {str(c): i for i, c in enumerate(classes)}
    train_ex = list(zip(tok_lib.encode_for_encoder(tokenizer, tr_x, o.size.seq), [index[y] for y in tr_y]))
    eval_ex = list(zip(tok_lib.encode_for_encoder(tokenizer, te_x, o.size.seq), [index[y] for y in te_y]))
    if o.distill:
        reporter.write(f"distill: out-of-fold probabilities of the n-gram model on the {len(tr_x)} training texts")
        teacher = _teacher_probabilities(tr_x, tr_y, classes, o.settings.seed)
        train_ex = [(ids, y, probs) for (ids, y), probs in zip(train_ex, teacher)]
    o.settings.steps = o.steps or max(1, math.ceil(len(train_ex) / o.settings.batch_size * o.epochs))
    o.settings.eval_every = max(1, min(o.settings.eval_every, o.settings.steps // 5 or 1))
    reporter.write(f"finetune {o.task}: {len(train_ex)} train / {len(eval_ex)} held-out, encoder {encoder}, "
                   f"{builders.count_parameters(model):,} parameters, {o.settings.steps} steps on {device}")
    history = loop.train(model, train_ex, eval_ex, builders.classify_collate(tokenizer.pad_token_id), o.settings,
                         device=device, on_log=reporter.loss, on_step=reporter.step,
                         loss_fn=builders.distillation_loss(o.distill) if o.distill else None)

    # held-out accuracy of the transformer
    predicted = predict_ids(model, [ids for ids, _ in eval_ex], tokenizer.pad_token_id).argmax(axis=1)
    pred_labels = [classes[i] for i in predicted]
    metrics = {"task": o.task, "encoder": encoder, "pool": o.pool, "distill": o.distill,
               "parameters": builders.count_parameters(model), "n_train": len(train_ex),
               "n_heldout": len(eval_ex), "steps": o.settings.steps, "sources": sources,
               "accuracy": _accuracy(te_y, pred_labels), "macro_f1": _macro_f1(te_y, pred_labels),
               "eval_loss": history[-1]["eval_loss"] if history else None}
    baseline_model = None
    if o.baseline:
        started = time.perf_counter()
        baseline_model, base_pred = _baseline(o.task, tr_x, tr_y, te_x)
        metrics.update(baseline_accuracy=_accuracy(te_y, base_pred), baseline_macro_f1=_macro_f1(te_y, base_pred),
                       baseline_train_s=round(time.perf_counter() - started, 2))
    reporter.write(f"{o.task} held-out accuracy: transformer {metrics['accuracy']}"
                   + (f", scikit-learn baseline {metrics['baseline_accuracy']} (same {len(te_y)} examples)" if o.baseline else ""))

    # store: the HF folder, the wrapper under the task's artefact name, the baseline beside it
    model.to("cpu")
    folder = f"{o.task}-transformer"

    def fill(tmp):
        model.save_pretrained(str(tmp))
        tokenizer.save_pretrained(str(tmp))

    hf_version = artifacts.save_dir(folder, fill, {"kind": f"{o.task}-transformer", "run": run.pk, "metrics": metrics},
                                    activate=False)
    wrapper = TransformerTextClassifier(folder, hf_version, classes, max_length=o.size.seq)
    obj = inquiries.IntentModel(wrapper) if o.task == "intent" else wrapper
    meta = {"kind": f"transformer-{o.task}", "run": run.pk, "accuracy": metrics["accuracy"], "metrics": metrics,
            "weights": f"{folder}/{hf_version}"}
    version = artifacts.save(o.task, obj, meta, activate=False)
    if baseline_model is not None:
        metrics["baseline_version"] = artifacts.save(
            o.task, baseline_model, {"kind": f"{o.task}-baseline (same split as run {run.pk})", "run": run.pk,
                                   "accuracy": metrics["baseline_accuracy"]}, activate=False)
    transformer_wins = not o.baseline or metrics["accuracy"] >= metrics["baseline_accuracy"]
    metrics["serving"] = ("transformer" if transformer_wins else "baseline") if run.activate_when_done else "unchanged"
    _finish_artifact(run, o.task, version, artifacts.root() / folder / hf_version,
                     activate=run.activate_when_done and transformer_wins)
    if run.activate_when_done and not transformer_wins:
        artifacts.set_active(o.task, metrics["baseline_version"])
        reporter.write(f"the baseline is better on this split: {o.task} {metrics['baseline_version']} serves "
                       f"(make run #{run.pk} active in the admin to override)")
    return metrics


# =========================================================================== reply fine-tuning

def render_prompt(tokenizer, pair: dict) -> str:
    """The prompt TransformersBackend would send for this inquiry (same facts, card-masked question, fence
    and chat template)."""
    from ecom_ai.inquiries.services import reply_request
    from ecom_ai.llm.base import Fact, build_prompt

    facts = [Fact(f.get("key", ""), str(f.get("value", "")), f.get("source", ""), f.get("label", ""))
             for f in pair.get("facts") or [] if isinstance(f, dict)]
    request = reply_request(question=pair["question"], facts=facts, language=pair.get("language") or "zh",
                            intent=pair.get("intent") or "")
    return render_chat(tokenizer, build_prompt(request, pii_filter=bool(ecom_ai_settings.PII_FILTER),
                                               max_chars=int(ecom_ai_settings.MAX_INPUT_CHARS)))


def _sft_examples(tokenizer, pairs: list[dict], max_length: int) -> list[dict]:
    out = []
    eos = tokenizer.eos_token_id
    for pair in pairs:
        prompt = tokenizer(render_prompt(tokenizer, pair), add_special_tokens=False)["input_ids"]
        reply = tokenizer(pair["reply"], add_special_tokens=False)["input_ids"] + [eos]
        reply = reply[:max_length // 2]
        prompt = prompt[-(max_length - len(reply)):]   # keep the end of the prompt: the question and the turn marker
        out.append({"input_ids": prompt + reply, "labels": [-100] * len(prompt) + reply})
    return out


def _replies_options(params: dict) -> SimpleNamespace:
    o = SimpleNamespace(
        base=_pop(params, "base", "active", str), lora=_flag(params, "lora", None), lora_r=_pop(params, "lora_r", 8, int),
        lora_alpha=_pop(params, "lora_alpha", 16, int), max_length=_pop(params, "max_length", 512, int),
        test_size=_pop(params, "test_size", 0.1, float), epochs=_pop(params, "epochs", 3, float),
        steps=_pop(params, "steps", None, int), device=_pop(params, "device", "auto", str),
        settings=_loop_settings(params, steps=1, batch_size=4, lr=5e-4, eval_every=20, checkpoint_every=10 ** 9))
    _reject_unknown("finetune-replies", params)
    return o


def _finetune_replies(run: TrainingRun, params: dict, reporter: _Reporter) -> dict:
    import torch
    from transformers import AutoModelForCausalLM

    _quiet_transformers()
    o = _replies_options(params)
    device = resolve_device(o.device)
    loop.seed_everything(o.settings.seed)

    base_path = active_path("lm-causal") if o.base == "active" else Path(o.base)
    if base_path is None:
        raise TrainingError("No pre-trained causal LM is active: run `ecom_ai train pretrain --param model=causal` "
                            "or give --param base=/path/to/a/local/hf/model.")
    if not base_path.is_dir():
        raise TrainingError(f"base={o.base!r} is not a model folder")
    pairs = corpus.reply_pairs()
    if len(pairs) < 2:
        raise TrainingError(f"Only {len(pairs)} approved replies: approve some reply drafts first.")
    reporter.data(len(pairs))
    tokenizer = tok_lib.for_chat(load_tokenizer(base_path))
    model = AutoModelForCausalLM.from_pretrained(str(base_path), local_files_only=True, dtype=torch.float32)
    n_params = builders.count_parameters(model)
    use_lora = o.lora if o.lora is not None else n_params > LORA_THRESHOLD
    if use_lora:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(model, LoraConfig(r=o.lora_r, lora_alpha=o.lora_alpha, lora_dropout=0.05,
                                                 target_modules="all-linear", task_type="CAUSAL_LM"))
    examples = _sft_examples(tokenizer, pairs, o.max_length)
    train_idx, test_idx = corpus.split(len(examples), o.test_size if len(examples) >= 10 else 0.0, o.settings.seed)
    train_ex = [examples[i] for i in train_idx]
    eval_ex = [examples[i] for i in test_idx]
    o.settings.steps = o.steps or max(1, math.ceil(len(train_ex) / o.settings.batch_size * o.epochs))
    o.settings.eval_every = max(1, min(o.settings.eval_every, o.settings.steps // 5 or 1))
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    reporter.write(f"finetune replies: {len(train_ex)} train / {len(eval_ex)} held-out pairs, base {base_path}, "
                   f"{n_params:,} parameters ({trainable:,} trained{', LoRA' if use_lora else ''}), {o.settings.steps} steps")
    history = loop.train(model, train_ex, eval_ex, builders.causal_collate(tokenizer.pad_token_id), o.settings,
                         device=device, on_log=reporter.loss, on_step=reporter.step)
    if use_lora:
        model = model.merge_and_unload()
    model.to("cpu")
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    losses = [h["train_loss"] for h in history if h["train_loss"] is not None]
    last_eval = history[-1]["eval_loss"] if history else None
    metrics = {"base": str(base_path), "pairs": len(pairs), "n_train": len(train_ex), "n_heldout": len(eval_ex),
               "parameters": n_params, "trainable_parameters": trainable, "lora": use_lora, "steps": o.settings.steps,
               "eval_loss_start": history[0]["eval_loss"] if history else None, "eval_loss": last_eval,
               "train_loss_end": losses[-1] if losses else None,
               "perplexity": round(math.exp(last_eval), 3) if last_eval is not None and last_eval < 50 else None}

    def fill(tmp):
        model.save_pretrained(str(tmp))
        tokenizer.save_pretrained(str(tmp))

    version = artifacts.save_dir("replies", fill, {"kind": "replies", "run": run.pk, "metrics": metrics}, activate=False)
    _finish_artifact(run, "replies", version, artifacts.root() / "replies" / version, activate=run.activate_when_done)
    reporter.write(f"replies {version}: eval loss {metrics['eval_loss_start']} → {last_eval}")
    return metrics


#: each kind's parameter reader: pops what it knows, raises TrainingError on a bad or unknown one
OPTIONS = {
    Kind.TOKENIZER: _tokenizer_options,
    Kind.PRETRAIN: _pretrain_options,
    Kind.FINETUNE_CLASSIFIER: _classifier_options,
    Kind.FINETUNE_REPLIES: _replies_options,
}

TRAINERS = {
    Kind.TOKENIZER: _train_tokenizer,
    Kind.PRETRAIN: _pretrain,
    Kind.FINETUNE_CLASSIFIER: _finetune_classifier,
    Kind.FINETUNE_REPLIES: _finetune_replies,
}


__all__ = ["TrainingError", "check_request", "create_run", "queue", "enqueue", "rerun", "execute", "make_active", "active_path",
           "recover_stale", "train_tokenizer", "pretrain", "finetune_classifier", "finetune_replies", "render_prompt", "run_dir",
           "CLASSIFIER_TASKS", "LM_ARTIFACT"]
