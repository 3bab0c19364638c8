"""Small transformer configurations built from scratch for the shop's tokenizer, and the data collators."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Size:
    hidden: int = 128
    layers: int = 2
    heads: int = 4
    seq: int = 128

    @classmethod
    def from_params(cls, params: dict, **defaults) -> "Size":
        base = cls(**defaults)
        size = cls(hidden=int(params.pop("hidden", base.hidden)), layers=int(params.pop("layers", base.layers)),
                   heads=int(params.pop("heads", base.heads)), seq=int(params.pop("seq", base.seq)))
        if size.hidden % size.heads:
            raise ValueError(f"hidden ({size.hidden}) must be a multiple of heads ({size.heads})")
        return size


def causal_lm(tokenizer, size: Size, arch: str = "gpt2"):
    """A GPT-2 (default) or Qwen2 causal LM sized ``size`` for ``tokenizer``."""
    from transformers import GPT2Config, GPT2LMHeadModel, Qwen2Config, Qwen2ForCausalLM

    common = dict(vocab_size=len(tokenizer), bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                  pad_token_id=tokenizer.pad_token_id)
    if arch == "gpt2":
        return GPT2LMHeadModel(GPT2Config(n_embd=size.hidden, n_layer=size.layers, n_head=size.heads,
                                          n_positions=max(size.seq, 512), **common))
    if arch == "qwen2":
        return Qwen2ForCausalLM(Qwen2Config(hidden_size=size.hidden, intermediate_size=size.hidden * 4,
                                            num_hidden_layers=size.layers, num_attention_heads=size.heads,
                                            num_key_value_heads=max(1, size.heads // 2),
                                            max_position_embeddings=max(size.seq, 512), tie_word_embeddings=True, **common))
    raise ValueError(f"arch must be 'gpt2' or 'qwen2', not {arch!r}")


def bert_config(tokenizer, size: Size, **extra):
    from transformers import BertConfig

    return BertConfig(vocab_size=len(tokenizer), hidden_size=size.hidden, num_hidden_layers=size.layers,
                      num_attention_heads=size.heads, intermediate_size=size.hidden * 4,
                      max_position_embeddings=max(size.seq, 512), pad_token_id=tokenizer.pad_token_id, **extra)


def mean_pool_classifier_class():
    """``BertMeanPoolForSequenceClassification``: BERT whose classifier reads the mean of the token states
    rather than the ``<cls>`` state. A masked LM pre-trained from scratch never trains its ``<cls>`` state
    (there is no next-sentence task), so the mean is the better summary of a review. Registered with the
    Auto classes (model type ``ecom-ai-bert-mean``), so saved folders load like any Hugging Face model."""
    global _MEAN_POOL
    if _MEAN_POOL is None:
        _MEAN_POOL = _define_mean_pool()
    return _MEAN_POOL


_MEAN_POOL = None


def _define_mean_pool():
    import torch
    from transformers import AutoConfig, AutoModelForSequenceClassification, BertConfig, BertModel, BertPreTrainedModel
    from transformers.modeling_outputs import SequenceClassifierOutput

    class MeanPoolBertConfig(BertConfig):
        model_type = "ecom-ai-bert-mean"

    class BertMeanPoolForSequenceClassification(BertPreTrainedModel):
        config_class = MeanPoolBertConfig

        def __init__(self, config):
            super().__init__(config)
            self.num_labels = config.num_labels
            self.bert = BertModel(config, add_pooling_layer=False)
            self.dropout = torch.nn.Dropout(config.classifier_dropout if config.classifier_dropout is not None
                                            else config.hidden_dropout_prob)
            self.classifier = torch.nn.Linear(config.hidden_size, config.num_labels)
            self.post_init()

        def forward(self, input_ids=None, attention_mask=None, labels=None, **kwargs):
            if attention_mask is None:
                attention_mask = torch.ones_like(input_ids)
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
            logits = self.classifier(self.dropout(pooled))
            loss = torch.nn.functional.cross_entropy(logits, labels) if labels is not None else None
            return SequenceClassifierOutput(loss=loss, logits=logits)

    AutoConfig.register(MeanPoolBertConfig.model_type, MeanPoolBertConfig, exist_ok=True)
    AutoModelForSequenceClassification.register(MeanPoolBertConfig, BertMeanPoolForSequenceClassification, exist_ok=True)
    return BertMeanPoolForSequenceClassification


POOLS = ("mean", "cls")


def sequence_classifier(num_labels: int, *, pool: str = "mean", base_path=None, tokenizer=None, size: Size | None = None):
    """A BERT sequence classifier: from the encoder folder ``base_path`` (a pre-trained masked LM, say) or
    from scratch for ``tokenizer`` and ``size``. ``pool``: "mean" (the mean of the token states, see
    :func:`mean_pool_classifier_class`) or "cls" (Hugging Face's own head on the ``<cls>`` state). A base
    that is not a BERT keeps its own Auto head."""
    from transformers import AutoConfig, AutoModelForSequenceClassification, BertForSequenceClassification

    if pool not in POOLS:
        raise ValueError(f"pool must be 'mean' or 'cls', not {pool!r}")
    mean_cls = mean_pool_classifier_class()
    if base_path is not None:
        model_type = AutoConfig.from_pretrained(str(base_path), local_files_only=True).model_type
        if pool == "mean" and model_type in ("bert", mean_cls.config_class.model_type):
            return mean_cls.from_pretrained(str(base_path), num_labels=num_labels, local_files_only=True)
        return AutoModelForSequenceClassification.from_pretrained(str(base_path), num_labels=num_labels,
                                                                  local_files_only=True)
    config = bert_config(tokenizer, size, num_labels=num_labels)
    if pool == "mean":
        return mean_cls(mean_cls.config_class(**config.to_diff_dict()))
    return BertForSequenceClassification(config)


def masked_lm(tokenizer, size: Size):
    from transformers import BertForMaskedLM

    return BertForMaskedLM(bert_config(tokenizer, size))


def causal_collate(pad_id: int):
    """Pads blocks of ids; labels ignore padding (``-100``), and ``labels`` given per example are kept."""
    import torch

    def collate(examples):
        rows = [e if isinstance(e, dict) else {"input_ids": e} for e in examples]
        n = max(len(r["input_ids"]) for r in rows)
        ids = torch.full((len(rows), n), pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), n), dtype=torch.long)
        labels = torch.full((len(rows), n), -100, dtype=torch.long)
        for i, r in enumerate(rows):
            k = len(r["input_ids"])
            ids[i, :k] = torch.tensor(r["input_ids"])
            mask[i, :k] = 1
            labels[i, :k] = torch.tensor(r.get("labels", r["input_ids"]))
        return {"input_ids": ids, "attention_mask": mask, "labels": labels}

    return collate


def mlm_collate(tokenizer, probability: float = 0.15):
    """``DataCollatorForLanguageModeling`` (15% masked: 80% <mask>, 10% random, 10% kept)."""
    from transformers import DataCollatorForLanguageModeling

    inner = DataCollatorForLanguageModeling(tokenizer=tokenizer, mlm=True, mlm_probability=probability,
                                            return_tensors="pt")

    def collate(examples):
        batch = inner([{"input_ids": e} for e in examples])
        return {k: batch[k] for k in ("input_ids", "attention_mask", "labels") if k in batch}

    return collate


def masked_lm_loss(model, batch: dict):
    """A ``BertForMaskedLM``'s loss with the vocabulary head applied to the masked positions only (about
    15% of them): the same value as ``model(**batch).loss``, for a fraction of the head's cost, which
    dominates a small encoder over a character vocabulary."""
    import torch.nn.functional as F

    labels = batch["labels"]
    chosen = labels != -100
    hidden = model.base_model(input_ids=batch["input_ids"], attention_mask=batch.get("attention_mask")).last_hidden_state
    if not bool(chosen.any()):          # a batch of very short texts where nothing was masked
        return hidden.sum() * 0.0
    return F.cross_entropy(model.cls(hidden[chosen]), labels[chosen])   # BertForMaskedLM's head


def classify_collate(pad_id: int):
    """Pads ``(ids, label)`` examples; ``(ids, label, teacher_probabilities)`` ones add ``teacher``."""
    import torch

    def collate(examples):
        n = max(len(e[0]) for e in examples)
        ids = torch.full((len(examples), n), pad_id, dtype=torch.long)
        mask = torch.zeros((len(examples), n), dtype=torch.long)
        for i, e in enumerate(examples):
            ids[i, :len(e[0])] = torch.tensor(e[0])
            mask[i, :len(e[0])] = 1
        batch = {"input_ids": ids, "attention_mask": mask, "labels": torch.tensor([e[1] for e in examples])}
        if all(len(e) > 2 for e in examples):
            batch["teacher"] = torch.tensor([list(e[2]) for e in examples], dtype=torch.float32)
        return batch

    return collate


def distillation_loss(weight: float):
    """``loss_fn`` for :func:`ecom_ai.training.loop.train`: ``(1 - weight)`` × cross-entropy with the labels
    + ``weight`` × KL divergence from a teacher's class probabilities (a batch's ``teacher``; batches
    without one, the held-out ones, get the plain cross-entropy)."""
    import torch.nn.functional as F

    def loss_fn(model, batch):
        teacher = batch.pop("teacher", None)
        out = model(**batch)
        if teacher is None or not weight:
            return out.loss
        kl = F.kl_div(F.log_softmax(out.logits.float(), dim=-1), teacher, reduction="batchmean")
        return (1 - weight) * out.loss + weight * kl

    return loss_fn


def pack(sequences: list[list[int]], block: int, eos_id: int) -> list[list[int]]:
    """Concatenate ``sequences`` (each followed by eos) and cut into blocks of ``block`` ids."""
    flat: list[int] = []
    for ids in sequences:
        flat.extend(ids)
        flat.append(eos_id)
    blocks = [flat[i:i + block] for i in range(0, len(flat), block)]
    return [b for b in blocks if len(b) >= 8]


def count_parameters(model) -> int:
    return sum(p.numel() for p in model.parameters())


__all__ = ["Size", "POOLS", "causal_lm", "masked_lm", "mean_pool_classifier_class", "sequence_classifier",
           "bert_config", "causal_collate", "mlm_collate", "masked_lm_loss", "classify_collate", "distillation_loss", "pack",
           "count_parameters"]
