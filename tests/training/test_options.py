"""Each trainer's options: the defaults, typed values from the shell or the admin, and a clear error naming
the parameter at fault."""
from __future__ import annotations

import pytest

from ecom_ai.training.models import TrainingRun
from ecom_ai.training.trainers import TRAINERS, options_for
from ecom_ai.training.trainers.classifier import ClassifierOptions
from ecom_ai.training.trainers.options import OptionError
from ecom_ai.training.trainers.pretrain import PretrainOptions
from ecom_ai.training.trainers.tokenizer import TokenizerOptions


def test_every_kind_has_a_trainer_whose_defaults_are_valid():
    assert set(TRAINERS) == set(TrainingRun.Kind.values)
    for kind in TrainingRun.Kind.values:
        options = options_for(kind).from_params({})
        assert options.KIND == kind
        for f in options.fields():            # every option is labelled for the admin form
            assert f.metadata["label"], (kind, f.name)


def test_defaults_and_typed_values():
    o = TokenizerOptions.from_params({})
    assert (o.vocab_size, o.min_frequency, o.model, o.csv_limit, o.shop, o.task) == (8000, 2, "bpe", 20000, True, "bpe")
    o = TokenizerOptions.from_params({"vocab_size": "400", "shop": "no", "model": "char"})
    assert (o.vocab_size, o.shop, o.task) == (400, False, "char")
    p = PretrainOptions.from_params({"model": "masked"})
    assert (p.lr, p.steps, p.size().hidden, p.loop_settings().checkpoint_every) == (5e-4, 300, 128, 100)
    assert PretrainOptions.from_params({}).lr == 1e-3


def test_a_classifier_takes_its_task_defaults_unless_told_otherwise():
    sentiment = ClassifierOptions.from_params({})
    intent = ClassifierOptions.from_params({"task": "intent"})
    assert (sentiment.max_examples, sentiment.epochs, sentiment.seq, sentiment.test_size) == (6000, 2.0, 128, 0.1)
    assert (intent.max_examples, intent.epochs, intent.seq, intent.test_size, intent.lr) == (0, 30.0, 64, 0.2, 2e-3)
    assert ClassifierOptions.from_params({"task": "intent", "epochs": 5}).epochs == 5.0


@pytest.mark.parametrize("kind, params, param, message", [
    ("tokenizer", {"vocab_size": "many"}, "vocab_size", r"vocab_size='many' is not valid: give a whole number"),
    ("tokenizer", {"vocab_size": 2.5}, "vocab_size", "give a whole number"),
    ("tokenizer", {"vocab_size": 10}, "vocab_size", "vocab_size must be at least 100, not 10"),
    ("tokenizer", {"model": "wordpiece"}, "model", "model must be 'bpe' or 'char', not 'wordpiece'"),
    ("tokenizer", {"vocab": 10}, "vocab", r"Unknown parameter\(s\) for tokenizer: vocab"),
    ("pretrain", {"shop": "maybe"}, "shop", "say true or false"),
    ("pretrain", {"lr": "fast"}, "lr", "give a number"),
    ("pretrain", {"test_size": 0.9}, "test_size", "test_size must be between 0.0 and 0.5, not 0.9"),
    ("pretrain", {"hidden": 30, "heads": 4}, "hidden", r"hidden \(30\) must be a multiple of heads \(4\)"),
    ("pretrain", {"init": "/x", "layers": 3}, "layers", "its own tokenizer and size: drop layers"),
    ("finetune-classifier", {"task": "price"}, "task", "'sentiment' or 'intent'"),
    ("finetune-classifier", {"distill": 2}, "distill", "between 0 and 1"),
    ("finetune-classifier", {"task": "intent", "distill": 0.5}, "distill", "task=sentiment"),
    ("finetune-replies", {"lora": "sometimes"}, "lora", "say true or false"),
    ("finetune-replies", {"pool": "mean"}, "pool", "Unknown parameter"),
    ("sentiment-baseline", {"char_ngrams": "3-1"}, "char_ngrams", "the first at least 1"),
    ("sentiment-baseline", {"classifier": "forest"}, "classifier", "'svm' or 'lr'"),
    ("intent-baseline", {"C": 0}, "C", "C must be at least"),
    ("recommender", {"factors": {"a": 1}}, "factors", "give a whole number"),
    ("recommender", {"iterations": 0}, "iterations", "at least 1"),
])
def test_a_bad_value_is_refused_naming_its_parameter(kind, params, param, message):
    with pytest.raises(OptionError, match=message) as caught:
        options_for(kind).from_params(params)
    assert caught.value.param == param


def test_n_gram_ranges_and_empty_values():
    from ecom_ai.training.trainers.baselines import SentimentBaselineOptions

    o = SentimentBaselineOptions.from_params({"char_ngrams": [2, 4], "word_ngrams": None})
    assert o.char_ngrams == (2, 4) and o.word_ngrams is None
    assert SentimentBaselineOptions.from_params({"char_ngrams": "1-2"}).char_ngrams == (1, 2)
    assert SentimentBaselineOptions.from_params({}).word_ngrams == (1, 2)
