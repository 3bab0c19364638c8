"""Pre-training from scratch on the shop's text: a small causal LM (GPT-2, or Qwen2) or a masked LM (BERT);
resumable from its checkpoints (``resume=RUN_ID``), or continued from a finished model (``init=/path``)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ecom_ai.training import builders, corpus, loop
from ecom_ai.training import tokenizer as tok_lib
from ecom_ai.training.models import TrainingRun
from ecom_ai.training.trainers.common import LM_ARTIFACT, model_folder, prepare, run_dir, save_model
from ecom_ai.training.trainers.options import OptionError, SizeOptions, TrainingError, option


@dataclass
class PretrainOptions(SizeOptions):
    KIND = "pretrain"

    model: str = option("causal", _("language model"), choices=(("causal", _("causal (writes text)")),
                                                                ("masked", _("masked (reads text)"))))
    arch: str = option("gpt2", _("architecture"), _("Of a causal model."), choices=(("gpt2", "GPT-2"), ("qwen2", "Qwen2")))
    resume: int | None = option(None, _("resume run"), _("ID of a pre-training run to continue from its checkpoint."),
                                minimum=1)
    init: str | None = option(None, _("continue from"), _("Folder of a pre-trained model to train further on a new "
                                                          "schedule, with its own tokenizer and size."))
    tokenizer: str = option("active", _("tokenizer"), _("active: the shop's tokenizer; or a tokenizer folder."))
    test_size: float = option(0.1, _("held-out share"), minimum=0.0, maximum=0.5)
    csv_limit: int = option(20000, _("rows of the extra file"), _("A random sample of the extra data file; 0: all."),
                            minimum=0)
    shop: bool = option(True, _("the shop's own texts"), _("Products, reviews and inquiries of the shop."))
    epochs: float | None = option(None, _("epochs"), _("Passes over the corpus, instead of a number of steps."),
                                  minimum=0.0)
    lr: float | None = option(None, _("learning rate"), _("Empty: 0.001 for a causal model, 0.0005 for a masked one."),
                              minimum=0.0)
    checkpoint_every: int = option(100, _("checkpoint every"), _("Steps between two checkpoints (resume=RUN_ID "
                                                                 "continues from the last one)."), minimum=1)

    def resolve(self) -> None:
        if self.lr is None:
            self.lr = 1e-3 if self.model == "causal" else 5e-4

    def check(self, given: set[str]) -> None:
        super().check(given)
        clash = [k for k in ("tokenizer", "arch", "hidden", "layers", "heads") if k in given]
        if self.init is not None and clash:
            raise OptionError(gettext("init=%(init)r continues a pre-trained model with its own tokenizer and size: "
                                      "drop %(names)s") % {"init": self.init, "names": ", ".join(clash)}, clash[0])

    @property
    def task(self) -> str:
        return self.model


def _tokenizer_and_model(run, o: PretrainOptions, reporter):
    """(tokenizer spec for :func:`prepare`, resume state, a model class to load or None to build one)."""
    from transformers import AutoModelForCausalLM, AutoModelForMaskedLM

    auto = AutoModelForCausalLM if o.model == "causal" else AutoModelForMaskedLM
    if o.resume is not None:
        source = TrainingRun.objects.filter(pk=o.resume).first()
        state_dir = run_dir(source) if source else None
        state = loop.load_checkpoint(state_dir) if state_dir else None
        if state is None:
            raise TrainingError(gettext("Run #%(id)d left no checkpoint to resume from.") % {"id": o.resume})
        from transformers import AutoConfig

        config = AutoConfig.from_pretrained(state_dir / "model-config", local_files_only=True)
        reporter.write(f"resuming run #{o.resume} at step {state['step']}")
        return (state_dir / "tokenizer", f"run:{o.resume}"), state, lambda: auto.from_config(config)
    if o.init is not None:                  # continued pre-training: its weights, its tokenizer, a new schedule
        path = model_folder(o.init, "init")
        return (path, f"init:{o.init}"), None, lambda: auto.from_pretrained(str(path), local_files_only=True)
    if o.tokenizer != "active":
        if not Path(o.tokenizer).is_dir():
            raise TrainingError(gettext("tokenizer=%(value)r is not a tokenizer folder") % {"value": o.tokenizer})
        return (Path(o.tokenizer), f"tokenizer:{Path(o.tokenizer).name}"), None, None
    return "shop", None, None


def train(run, o: PretrainOptions, reporter) -> dict:
    tokenizer_spec, resume_state, load_model = _tokenizer_and_model(run, o, reporter)
    data = prepare(o, reporter, lambda: (corpus.corpus(csv=run.csv or None, csv_limit=o.csv_limit, seed=o.seed,
                                                       shop=o.shop), None, {}),
                   test_size=o.test_size, at_least=10, tokenizer=tokenizer_spec,
                   too_few=gettext("Only %(n)d texts in the shop: seed the shop (or give --csv) before pre-training."))
    tokenizer, size, settings = data.tokenizer, o.size(), o.loop_settings()
    if load_model is not None:
        model = load_model()
        if o.init is not None:
            size.seq = min(size.seq, int(getattr(model.config, "max_position_embeddings", size.seq)))
    else:
        model = builders.causal_lm(tokenizer, size, o.arch) if o.model == "causal" else builders.masked_lm(tokenizer, size)
    directory = run_dir(run)
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(str(directory / "tokenizer"))
    model.config.save_pretrained(str(directory / "model-config"))

    if o.model == "causal":
        def pack(texts):
            return builders.pack(tokenizer(texts, add_special_tokens=False)["input_ids"], size.seq, tokenizer.eos_token_id)

        train_ex, eval_ex = pack(data.train_items), pack(data.test_items)
        collate = builders.causal_collate(tokenizer.pad_token_id)
    else:
        train_ex = tok_lib.encode_for_encoder(tokenizer, data.train_items, size.seq)
        eval_ex = tok_lib.encode_for_encoder(tokenizer, data.test_items, size.seq)
        collate = builders.mlm_collate(tokenizer)
    if o.epochs:                                 # passes over the corpus instead of a step count
        settings.steps = max(1, math.ceil(len(train_ex) / settings.batch_size * o.epochs))
    if resume_state is not None:
        run.loss_history = list(resume_state.get("history") or [])
    texts = data.items
    reporter.write(f"pretrain {o.model}: {len(texts)} texts → {len(train_ex)} train / {len(eval_ex)} eval sequences, "
                   f"{builders.count_parameters(model):,} parameters on {data.device}")
    history = loop.train(model, train_ex, eval_ex, collate, settings, device=data.device, checkpoint_dir=directory,
                         resume=resume_state, on_log=reporter.loss, on_step=reporter.step,
                         loss_fn=builders.masked_lm_loss if o.model == "masked" else None)
    first = next((h["eval_loss"] for h in history if h["eval_loss"] is not None), None)
    last = history[-1]["eval_loss"] if history else None
    metrics = {"model": o.model, "arch": model.config.model_type, "parameters": builders.count_parameters(model),
               "texts": len(texts), "train_sequences": len(train_ex), "eval_sequences": len(eval_ex),
               "steps": settings.steps, "eval_loss_start": first, "eval_loss": last,
               "perplexity": round(math.exp(last), 3) if last is not None and last < 50 else None,
               "tokenizer": data.tokenizer_source, "device": data.device}
    if o.resume is not None:
        metrics["resumed_from"] = o.resume
    if o.init is not None:
        metrics["continued_from"] = o.init
    model.to("cpu")
    if o.model == "causal":
        model.generation_config.eos_token_id = tokenizer.eos_token_id
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    name = LM_ARTIFACT[o.model]
    version = save_model(run, name, model, tokenizer, {"kind": f"pretrain-{o.model}", "metrics": metrics},
                         activate=run.activate_when_done)
    reporter.write(f"{name} {version}: eval loss {first} → {last}, perplexity {metrics['perplexity']}")
    return metrics
