"""The shop's tokenizer: byte-level BPE (or one token per character) trained on the shop's own text."""
from __future__ import annotations

import time
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ecom_ai.storage import artifacts
from ecom_ai.training import corpus
from ecom_ai.training import tokenizer as tok_lib
from ecom_ai.training.trainers.common import finish_artifact, prepare
from ecom_ai.training.trainers.options import Options, option


@dataclass
class TokenizerOptions(Options):
    KIND = "tokenizer"

    vocab_size: int = option(8000, _("vocabulary size"), minimum=100)
    min_frequency: int = option(2, _("minimum frequency"), _("Times a piece must occur to enter the vocabulary."),
                                minimum=1)
    model: str = option("bpe", _("tokenizer model"), choices=(("bpe", _("byte-level BPE")),
                                                              ("char", _("one token per character"))))
    csv_limit: int = option(20000, _("rows of the extra file"), _("A random sample of the extra data file; 0: all."),
                            minimum=0)
    shop: bool = option(True, _("the shop's own texts"), _("Products, reviews and inquiries of the shop."))
    seed: int = option(0, _("seed"))
    threads: int | None = option(None, _("CPU threads"), _("Empty: torch's own choice."), minimum=1)

    @property
    def task(self) -> str:
        return self.model


def train(run, o: TokenizerOptions, reporter) -> dict:
    data = prepare(o, reporter, lambda: (corpus.corpus(csv=run.csv or None, csv_limit=o.csv_limit, seed=o.seed,
                                                       shop=o.shop), None, {}),
                   test_size=0.0, at_least=1, torch=False,
                   too_few=gettext("No text to train a tokenizer on: seed the shop or give --csv with a text column."))
    texts = data.items
    reporter.write(f"tokenizer: {len(texts)} texts, {sum(map(len, texts))} characters")
    started = time.perf_counter()
    tokenizer = tok_lib.train(texts, vocab_size=o.vocab_size, min_frequency=o.min_frequency, model=o.model)
    train_s = time.perf_counter() - started
    reporter.step(1, 1)
    metrics = {"vocab_size": len(tokenizer), "texts": len(texts), "characters": sum(map(len, texts)),
               "tokens_per_char": round(tok_lib.fertility(tokenizer, texts[:2000]), 4), "train_s": round(train_s, 2),
               "model": o.model}
    version = artifacts.save_dir("tokenizer", lambda tmp: tokenizer.save_pretrained(str(tmp)),
                                 {"kind": "tokenizer", "run": run.pk, "metrics": metrics}, activate=False)
    finish_artifact(run, "tokenizer", version, artifacts.root() / "tokenizer" / version, activate=run.activate_when_done)
    reporter.write(f"tokenizer {version}: vocab {metrics['vocab_size']}, {metrics['tokens_per_char']} tokens/char")
    return metrics
