"""Supervised fine-tuning of a causal LM on approved replies (LoRA for large models), in the exact prompt
the TransformersBackend sends; the result loads as the ``artifact:replies`` backend model."""
from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ecom_ai.conf import ecom_ai_settings
from ecom_ai.training import builders, corpus, loop
from ecom_ai.training import tokenizer as tok_lib
from ecom_ai.training.trainers.common import active_path, model_folder, prepare, save_model, schedule
from ecom_ai.training.trainers.options import TorchOptions, TrainingError, option

LORA_THRESHOLD = 50_000_000   # parameters above which reply fine-tuning uses LoRA by default


@dataclass
class RepliesOptions(TorchOptions):
    KIND = "finetune-replies"

    base: str = option("active", _("base model"), _("active: the pre-trained causal LM; or a local model folder."))
    lora: bool | None = option(None, _("LoRA"), _("Empty: LoRA for models over 50 million parameters."))
    lora_r: int = option(8, _("LoRA rank"), minimum=1)
    lora_alpha: int = option(16, _("LoRA alpha"), minimum=1)
    max_length: int = option(512, _("tokens per example"), minimum=16)
    test_size: float = option(0.1, _("held-out share"), _("With at least 10 pairs."), minimum=0.0, maximum=0.5)
    epochs: float = option(3.0, _("epochs"), minimum=0.0)
    steps: int | None = option(None, _("steps"), _("Empty: from the epochs."), minimum=1)
    batch_size: int = option(4, _("batch size"), minimum=1)
    lr: float | None = option(5e-4, _("learning rate"), minimum=0.0)
    eval_every: int = option(20, _("evaluate every"), minimum=1)

    @property
    def task(self) -> str:
        return "replies"


def render_prompt(tokenizer, pair: dict) -> str:
    """The prompt TransformersBackend would send for this inquiry (same facts, card-masked question, fence
    and chat template)."""
    from ecom_ai.inquiries.services import reply_request
    from ecom_ai.llm.base import Fact, build_prompt
    from ecom_ai.llm.transformers import render_chat

    facts = [Fact(f.get("key", ""), str(f.get("value", "")), f.get("source", ""), f.get("label", ""))
             for f in pair.get("facts") or [] if isinstance(f, dict)]
    request = reply_request(question=pair["question"], facts=facts, language=pair.get("language") or "zh",
                            intent=pair.get("intent") or "")
    return render_chat(tokenizer, build_prompt(request, pii_filter=bool(ecom_ai_settings.PII_FILTER),
                                               max_chars=int(ecom_ai_settings.MAX_INPUT_CHARS)))


def sft_examples(tokenizer, pairs: list[dict], max_length: int) -> list[dict]:
    """Prompt + reply token ids, the loss on the reply only; the end of a long prompt kept."""
    out = []
    eos = tokenizer.eos_token_id
    for pair in pairs:
        prompt = tokenizer(render_prompt(tokenizer, pair), add_special_tokens=False)["input_ids"]
        reply = tokenizer(pair["reply"], add_special_tokens=False)["input_ids"] + [eos]
        reply = reply[:max_length // 2]
        prompt = prompt[-(max_length - len(reply)):]   # keep the end of the prompt: the question and the turn marker
        out.append({"input_ids": prompt + reply, "labels": [-100] * len(prompt) + reply})
    return out


def train(run, o: RepliesOptions, reporter) -> dict:
    import torch
    from transformers import AutoModelForCausalLM

    base_path = active_path("lm-causal") if o.base == "active" else model_folder(o.base)
    if base_path is None:
        raise TrainingError(gettext("No pre-trained causal LM is active: run `ecom_ai train pretrain --param "
                                    "model=causal` or give --param base=/path/to/a/local/hf/model."))
    pairs = corpus.reply_pairs()
    data = prepare(o, reporter, lambda: (pairs, None, {}), test_size=o.test_size if len(pairs) >= 10 else 0.0,
                   at_least=2, tokenizer=(base_path, str(base_path)),
                   too_few=gettext("Only %(n)d approved replies: approve some reply drafts first."))
    tokenizer, settings = tok_lib.for_chat(data.tokenizer), o.loop_settings()
    model = AutoModelForCausalLM.from_pretrained(str(base_path), local_files_only=True, dtype=torch.float32)
    n_params = builders.count_parameters(model)
    use_lora = o.lora if o.lora is not None else n_params > LORA_THRESHOLD
    if use_lora:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(model, LoraConfig(r=o.lora_r, lora_alpha=o.lora_alpha, lora_dropout=0.05,
                                                 target_modules="all-linear", task_type="CAUSAL_LM"))
    train_ex = sft_examples(tokenizer, data.train_items, o.max_length)
    eval_ex = sft_examples(tokenizer, data.test_items, o.max_length)
    schedule(settings, len(train_ex), steps=o.steps, epochs=o.epochs)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    reporter.write(f"finetune replies: {len(train_ex)} train / {len(eval_ex)} held-out pairs, base {base_path}, "
                   f"{n_params:,} parameters ({trainable:,} trained{', LoRA' if use_lora else ''}), {settings.steps} steps")
    history = loop.train(model, train_ex, eval_ex, builders.causal_collate(tokenizer.pad_token_id), settings,
                         device=data.device, on_log=reporter.loss, on_step=reporter.step)
    if use_lora:
        model = model.merge_and_unload()
    model.to("cpu")
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    losses = [h["train_loss"] for h in history if h["train_loss"] is not None]
    last_eval = history[-1]["eval_loss"] if history else None
    metrics = {"base": str(base_path), "pairs": len(pairs), "n_train": len(train_ex), "n_heldout": len(eval_ex),
               "parameters": n_params, "trainable_parameters": trainable, "lora": use_lora, "steps": settings.steps,
               "eval_loss_start": history[0]["eval_loss"] if history else None, "eval_loss": last_eval,
               "train_loss_end": losses[-1] if losses else None,
               "perplexity": round(math.exp(last_eval), 3) if last_eval is not None and last_eval < 50 else None}
    version = save_model(run, "replies", model, tokenizer, {"kind": "replies", "metrics": metrics},
                         activate=run.activate_when_done)
    reporter.write(f"replies {version}: eval loss {metrics['eval_loss_start']} → {last_eval}")
    return metrics
