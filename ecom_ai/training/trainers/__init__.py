"""The trainers, one module each, with its options dataclass; :data:`TRAINERS` maps a run kind to both.

Every torch trainer starts with the one shared preparation step, :func:`common.prepare` (read the corpus,
split it, pick the tokenizer); the baselines and the recommender call their feature's public trainer.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

from ecom_ai.training.models import TrainingRun
from ecom_ai.training.trainers import baselines, classifier, pretrain, recommender, replies, tokenizer
from ecom_ai.training.trainers.options import OptionError, Options, TrainingError

Kind = TrainingRun.Kind


class Trainer(NamedTuple):
    options: type[Options]
    train: Callable            # train(run, options, reporter) -> metrics


TRAINERS: dict[str, Trainer] = {
    Kind.TOKENIZER: Trainer(tokenizer.TokenizerOptions, tokenizer.train),
    Kind.PRETRAIN: Trainer(pretrain.PretrainOptions, pretrain.train),
    Kind.FINETUNE_CLASSIFIER: Trainer(classifier.ClassifierOptions, classifier.train),
    Kind.FINETUNE_REPLIES: Trainer(replies.RepliesOptions, replies.train),
    Kind.SENTIMENT_BASELINE: Trainer(baselines.SentimentBaselineOptions, baselines.train_sentiment),
    Kind.INTENT_BASELINE: Trainer(baselines.IntentBaselineOptions, baselines.train_intent),
    Kind.RECOMMENDER: Trainer(recommender.RecommenderOptions, recommender.train),
}


def options_for(kind: str) -> type[Options]:
    return TRAINERS[kind].options


__all__ = ["TRAINERS", "Trainer", "options_for", "Options", "OptionError", "TrainingError"]
