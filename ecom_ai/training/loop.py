"""A minimal, resumable torch training loop: seeded epochs, AdamW + linear warm-up/decay, eval loss on a
held-out set every N steps, checkpoints (model, optimizer, scheduler, step, history) written atomically."""
from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

CHECKPOINT = "checkpoint.pt"


@dataclass
class LoopSettings:
    steps: int = 300
    batch_size: int = 16
    lr: float = 1e-3
    warmup: float = 0.06          # share of the steps
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    eval_every: int = 50
    checkpoint_every: int = 100
    seed: int = 0
    group_by_length: bool = True  # batches of similar lengths (shuffled): far less padding to compute


def seed_everything(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.manual_seed(seed)


def _to(batch: dict, device: str) -> dict:
    return {k: v.to(device) for k, v in batch.items()}


def _loss(model, batch: dict, loss_fn: Callable | None):
    return loss_fn(model, batch) if loss_fn is not None else model(**batch).loss


def _length(example) -> int:
    if isinstance(example, dict):
        example = example["input_ids"]
    elif isinstance(example, tuple):
        example = example[0]
    return len(example)


def epoch_batches(examples: Sequence, batch_size: int, seed: int, epoch: int, group_by_length: bool) -> list[list[int]]:
    """The batches (lists of indices) of one epoch, the same for a seed and epoch (so a resumed run sees
    what a straight run would have). Grouped by length: the shuffled order is cut into windows of 50
    batches, each sorted by length, and the batches shuffled again."""
    import torch

    g = torch.Generator().manual_seed(seed * 1000 + epoch)
    order = torch.randperm(len(examples), generator=g).tolist()
    if group_by_length:
        window = batch_size * 50
        order = [i for w in range(0, len(order), window)
                 for i in sorted(order[w:w + window], key=lambda i: _length(examples[i]))]
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    if group_by_length:
        batches = [batches[i] for i in torch.randperm(len(batches), generator=g).tolist()]
    return batches


def evaluate_loss(model, examples: Sequence, collate: Callable, *, batch_size: int, device: str, seed: int = 0,
                  loss_fn: Callable | None = None) -> float:
    """Mean loss over ``examples`` (weighted by batch size); the collate's randomness (MLM masks) is fixed."""
    import torch

    if not examples:
        return float("nan")
    examples = sorted(examples, key=_length)   # similar lengths per batch: little padding
    was_training = model.training
    model.eval()
    total, n = 0.0, 0
    devices = [torch.cuda.current_device()] if device.startswith("cuda") else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed + 12345)
        with torch.inference_mode():
            for start in range(0, len(examples), batch_size):
                chunk = examples[start:start + batch_size]
                loss = _loss(model, _to(collate(chunk), device), loss_fn)
                total += float(loss) * len(chunk)
                n += len(chunk)
    model.train(was_training)
    return total / max(1, n)


def _save_checkpoint(directory: Path, state: dict) -> None:
    import torch

    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{CHECKPOINT}.tmp"
    torch.save(state, tmp)
    os.replace(tmp, directory / CHECKPOINT)


def load_checkpoint(directory) -> dict | None:
    import torch

    path = Path(directory) / CHECKPOINT
    if not path.exists():
        return None
    return torch.load(path, map_location="cpu", weights_only=False)


def train(model, train_examples: Sequence, eval_examples: Sequence, collate: Callable, settings: LoopSettings, *,
          device: str = "cpu", checkpoint_dir: str | Path | None = None, resume: dict | None = None,
          on_log: Callable[[dict], None] | None = None, on_step: Callable[[int, int], None] | None = None,
          loss_fn: Callable | None = None) -> list[dict]:
    """Train ``model`` for ``settings.steps`` optimiser steps; returns the loss history
    ``[{step, train_loss, eval_loss}]`` (step 0 holds the untrained eval loss).

    ``loss_fn(model, batch)``: the loss to minimise (default: the model's own ``.loss``).
    ``resume``: a checkpoint dict from :func:`load_checkpoint`; training continues at its step with
    its optimizer and scheduler state, and the same batches a straight run would have seen.
    """
    import torch
    from transformers import get_linear_schedule_with_warmup

    if not train_examples:
        raise ValueError("Nothing to train on.")
    s = settings
    model.to(device)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim >= 2]
    no_decay = [p for p in params if p.ndim < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": s.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=s.lr)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(s.steps * s.warmup), s.steps)
    history: list[dict] = []
    step = 0
    if resume is not None:
        model.load_state_dict(resume["model"])
        optimizer.load_state_dict(resume["optimizer"])
        scheduler.load_state_dict(resume["scheduler"])
        step = int(resume["step"])
        history = list(resume.get("history") or [])

    def log(entry):
        history.append(entry)
        if on_log:
            on_log(entry)

    eval_bs = max(s.batch_size, 32)
    if step == 0:
        log({"step": 0, "train_loss": None, "eval_loss": _r(evaluate_loss(model, eval_examples, collate, batch_size=eval_bs,
                                                                            device=device, seed=s.seed, loss_fn=loss_fn))})
    per_epoch = max(1, math.ceil(len(train_examples) / s.batch_size))
    running, running_n = 0.0, 0
    batches: list[list[int]] = []
    batches_epoch = -1
    while step < s.steps:
        epoch, pos = divmod(step, per_epoch)
        if epoch != batches_epoch:
            batches = epoch_batches(train_examples, s.batch_size, s.seed, epoch, s.group_by_length)
            batches_epoch = epoch
        torch.manual_seed(s.seed * 1_000_003 + step)   # MLM masks / dropout: same on a resumed run
        batch = _to(collate([train_examples[i] for i in batches[pos]]), device)
        loss = _loss(model, batch, loss_fn)
        loss.backward()
        if s.grad_clip:
            torch.nn.utils.clip_grad_norm_(params, s.grad_clip)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        running += float(loss.detach())
        running_n += 1
        if on_step:
            on_step(step, s.steps)
        if step % s.eval_every == 0 or step == s.steps:
            log({"step": step, "train_loss": _r(running / running_n),
                 "eval_loss": _r(evaluate_loss(model, eval_examples, collate, batch_size=eval_bs, device=device, seed=s.seed,
                                                  loss_fn=loss_fn))})
            running, running_n = 0.0, 0
        if checkpoint_dir and (step % s.checkpoint_every == 0 or step == s.steps):
            _save_checkpoint(Path(checkpoint_dir), {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                                                    "scheduler": scheduler.state_dict(), "step": step, "history": history})
    model.eval()
    return history


def _r(x: float) -> float | None:
    return None if x is None or math.isnan(x) else round(float(x), 5)


__all__ = ["LoopSettings", "train", "evaluate_loss", "epoch_batches", "load_checkpoint", "seed_everything"]
