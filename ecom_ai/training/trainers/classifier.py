"""Fine-tuning a text classifier (sentiment or intent) on the pre-trained encoder, or a small one from
scratch, measured beside the scikit-learn baseline on the same held-out split; the better one serves."""
from __future__ import annotations

import time
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ecom_ai.storage import artifacts
from ecom_ai.training import builders, corpus, loop
from ecom_ai.training import tokenizer as tok_lib
from ecom_ai.training.trainers.common import active_path, finish_artifact, model_folder, prepare, save_model, schedule
from ecom_ai.training.trainers.options import OptionError, SizeOptions, TrainingError, option

CLASSIFIER_TASKS = ("sentiment", "intent")

#: the defaults that depend on the task
TASK_DEFAULTS = {
    "sentiment": {"max_examples": 6000, "test_size": 0.1, "epochs": 2.0, "seq": 128, "lr": 1e-3},
    "intent": {"max_examples": 0, "test_size": 0.2, "epochs": 30.0, "seq": 64, "lr": 2e-3},
}


@dataclass
class ClassifierOptions(SizeOptions):
    KIND = "finetune-classifier"

    task: str = option("sentiment", _("task"), choices=(("sentiment", _("sentiment")), ("intent", _("intent"))))
    base: str = option("active", _("encoder"), _("active: the pre-trained masked LM; scratch: a small new one; "
                                                 "or a model folder."))
    pool: str = option("mean", _("pooling"), _("What the classifier reads of the encoder's states."),
                       choices=(("mean", _("mean of the tokens")), ("cls", _("the first token"))))
    distill: float = option(0.0, _("distillation weight"), _("Weight of an n-gram model's out-of-fold probabilities "
                                                           "beside the labels (sentiment only)."),
                            minimum=0, maximum=1)
    limit: int | None = option(None, _("rows of the labelled file"), minimum=1)
    max_examples: int | None = option(None, _("examples at most"), _("A stratified sample; 0: all. Empty: 6000 for "
                                                                     "sentiment, all for intent."), minimum=0)
    shop: bool = option(True, _("the shop's own labels"), _("Rated reviews of the shop."))
    test_size: float | None = option(None, _("held-out share"), _("Empty: 0.1 for sentiment, 0.2 for intent."),
                                     minimum=0.0, maximum=0.5)
    epochs: float | None = option(None, _("epochs"), _("Empty: 2 for sentiment, 30 for intent."), minimum=0.0)
    steps: int | None = option(None, _("steps"), _("Empty: from the epochs."), minimum=1)
    baseline: bool = option(True, _("compare with the baseline"), _("Fit the scikit-learn model on the same split."))
    seq: int | None = option(None, _("sequence length"), _("Empty: 128 for sentiment, 64 for intent."), minimum=8)
    batch_size: int = option(32, _("batch size"), minimum=1)
    lr: float | None = option(None, _("learning rate"), _("Empty: 0.001 for sentiment, 0.002 for intent."), minimum=0.0)

    def resolve(self) -> None:
        for name, value in TASK_DEFAULTS[self.task].items():
            if getattr(self, name) is None:
                setattr(self, name, value)

    def check(self, given: set[str]) -> None:
        super().check(given)
        if self.distill and self.task != "sentiment":
            raise OptionError(gettext("distill is for task=sentiment"), "distill")


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
        raise TrainingError(gettext("distill needs at least two training examples of each label"))
    teacher = sentiment_nlp.build_pipeline(C=4.0, classifier="lr")
    folds = StratifiedKFold(n_splits=min(5, smallest), shuffle=True, random_state=seed)
    probs = cross_val_predict(teacher, list(texts), list(labels), cv=folds, method="predict_proba")
    order = sorted(set(labels), key=str)                  # cross_val_predict's column order
    return probs[:, [order.index(c) for c in classes]].astype(np.float32)


def accuracy(y_true, y_pred) -> float:
    return round(sum(1 for a, b in zip(y_true, y_pred) if a == b) / len(y_true), 4) if y_true else 0.0


def macro_f1(y_true, y_pred) -> float:
    labels = sorted(set(y_true) | set(y_pred), key=str)
    scores = []
    for label in labels:
        tp = sum(1 for a, b in zip(y_true, y_pred) if a == b == label)
        fp = sum(1 for a, b in zip(y_true, y_pred) if b == label and a != label)
        fn = sum(1 for a, b in zip(y_true, y_pred) if a == label and b != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return round(sum(scores) / len(scores), 4) if scores else 0.0


def _read(run, o: ClassifierOptions):
    if o.task == "sentiment":
        return lambda: corpus.sentiment_examples(csv=run.csv or None, limit=o.limit, seed=o.seed, shop=o.shop)

    def intent():
        from ecom_ai.nlp.text import normalize

        texts, labels, sources = corpus.intent_examples(csv=run.csv or None)
        return [normalize(t) for t in texts], labels, sources

    return intent


def train(run, o: ClassifierOptions, reporter) -> dict:
    from ecom_ai.inquiries import services as inquiries
    from ecom_ai.training.classifier import TransformerTextClassifier, predict_ids

    base_path = None
    if o.base not in ("", "none", "scratch"):
        base_path = active_path("lm-masked") if o.base == "active" else model_folder(o.base)
    data = prepare(o, reporter, _read(run, o), test_size=o.test_size, stratify=True, sample=o.max_examples,
                   at_least=20, tokenizer=(base_path, f"pretrained:{base_path}") if base_path else "shop",
                   too_few=gettext("Not enough labelled %(task)s examples (%(n)d, labels %(labels)s)."),
                   too_few_args={"task": o.task})
    tokenizer, size, settings = data.tokenizer, o.size(), o.loop_settings()
    classes = sorted(set(data.labels), key=str)
    index = {c: i for i, c in enumerate(classes)}
    if base_path is not None:
        model = builders.sequence_classifier(len(classes), pool=o.pool, base_path=base_path)
        size.seq = min(size.seq, int(getattr(model.config, "max_position_embeddings", size.seq)))
        encoder = f"pretrained:{base_path.parent.name}/{base_path.name}"
    else:
        model = builders.sequence_classifier(len(classes), pool=o.pool, tokenizer=tokenizer, size=size)
        encoder = f"scratch ({data.tokenizer_source})"
    model.config.id2label = {i: str(c) for i, c in enumerate(classes)}
    model.config.label2id = {str(c): i for i, c in enumerate(classes)}
    tr_x, tr_y, te_x, te_y = data.train_items, data.train_labels, data.test_items, data.test_labels
    train_ex = list(zip(tok_lib.encode_for_encoder(tokenizer, tr_x, size.seq), [index[y] for y in tr_y]))
    eval_ex = list(zip(tok_lib.encode_for_encoder(tokenizer, te_x, size.seq), [index[y] for y in te_y]))
    if o.distill:
        reporter.write(f"distill: out-of-fold probabilities of the n-gram model on the {len(tr_x)} training texts")
        teacher = _teacher_probabilities(tr_x, tr_y, classes, o.seed)
        train_ex = [(ids, y, probs) for (ids, y), probs in zip(train_ex, teacher)]
    schedule(settings, len(train_ex), steps=o.steps, epochs=o.epochs)
    reporter.write(f"finetune {o.task}: {len(train_ex)} train / {len(eval_ex)} held-out, encoder {encoder}, "
                   f"{builders.count_parameters(model):,} parameters, {settings.steps} steps on {data.device}")
    history = loop.train(model, train_ex, eval_ex, builders.classify_collate(tokenizer.pad_token_id), settings,
                         device=data.device, on_log=reporter.loss, on_step=reporter.step,
                         loss_fn=builders.distillation_loss(o.distill) if o.distill else None)

    # held-out accuracy of the transformer
    predicted = predict_ids(model, [ids for ids, _ in eval_ex], tokenizer.pad_token_id).argmax(axis=1)
    pred_labels = [classes[i] for i in predicted]
    metrics = {"task": o.task, "encoder": encoder, "pool": o.pool, "distill": o.distill,
               "parameters": builders.count_parameters(model), "n_train": len(train_ex),
               "n_heldout": len(eval_ex), "steps": settings.steps, "sources": data.sources,
               "accuracy": accuracy(te_y, pred_labels), "macro_f1": macro_f1(te_y, pred_labels),
               "eval_loss": history[-1]["eval_loss"] if history else None}
    baseline_model = None
    if o.baseline:
        started = time.perf_counter()
        baseline_model, base_pred = _baseline(o.task, tr_x, tr_y, te_x)
        metrics.update(baseline_accuracy=accuracy(te_y, base_pred), baseline_macro_f1=macro_f1(te_y, base_pred),
                       baseline_train_s=round(time.perf_counter() - started, 2))
    reporter.write(f"{o.task} held-out accuracy: transformer {metrics['accuracy']}"
                   + (f", scikit-learn baseline {metrics['baseline_accuracy']} (same {len(te_y)} examples)" if o.baseline else ""))

    # store: the HF folder, the wrapper under the task's artefact name, the baseline beside it
    model.to("cpu")
    folder = f"{o.task}-transformer"
    hf_version = save_model(run, folder, model, tokenizer, {"kind": folder, "metrics": metrics}, activate=False,
                            finish=False)
    wrapper = TransformerTextClassifier(folder, hf_version, classes, max_length=size.seq)
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
    finish_artifact(run, o.task, version, artifacts.root() / folder / hf_version,
                    activate=run.activate_when_done and transformer_wins)
    if run.activate_when_done and not transformer_wins:
        artifacts.set_active(o.task, metrics["baseline_version"])
        reporter.write(f"the baseline is better on this split: {o.task} {metrics['baseline_version']} serves "
                       f"(make run #{run.pk} active in the admin to override)")
    return metrics
