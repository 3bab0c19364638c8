"""The training loop's pieces that the big runs depend on: head-and-tail truncation, the sparse masked-LM
loss, length-grouped batches, and pre-training measured in epochs."""
from __future__ import annotations

import io

import pytest
import torch

from ecom_ai.training import builders, loop
from ecom_ai.training import tokenizer as tok_lib

TEXTS = ["质量很好，非常喜欢", "物流很快，包装完好", "味道很怪，不会再买", "屏幕清晰，电池耐用"] * 5


@pytest.fixture(scope="module")
def char_tokenizer():
    return tok_lib.train(TEXTS, model="char", min_frequency=1)


def test_a_long_text_keeps_its_head_and_its_tail(char_tokenizer):
    text = "质量很好" + "包装" * 150 + "不会再买"
    (ids,) = tok_lib.encode_for_encoder(char_tokenizer, [text], 16)
    assert len(ids) == 16 and ids[0] == char_tokenizer.cls_token_id and ids[-1] == char_tokenizer.sep_token_id
    decoded = char_tokenizer.decode(ids[1:-1])
    assert decoded.startswith("质量很好") and decoded.endswith("不会再买")
    (short,) = tok_lib.encode_for_encoder(char_tokenizer, ["很好"], 16)
    assert char_tokenizer.decode(short[1:-1]) == "很好"         # short texts are untouched
    (odd,) = tok_lib.encode_for_encoder(char_tokenizer, [text], 3)
    assert len(odd) == 3


def test_the_sparse_masked_lm_loss_equals_the_models_own(char_tokenizer):
    torch.manual_seed(0)
    model = builders.masked_lm(char_tokenizer, builders.Size(hidden=32, layers=1, heads=2, seq=32)).eval()
    collate = builders.mlm_collate(char_tokenizer)
    batch = collate(tok_lib.encode_for_encoder(char_tokenizer, TEXTS, 32))
    assert (batch["labels"] != -100).any()
    with torch.no_grad():
        assert float(builders.masked_lm_loss(model, batch)) == pytest.approx(float(model(**batch).loss), rel=1e-5)
        nothing = dict(batch, labels=torch.full_like(batch["labels"], -100))
        assert float(builders.masked_lm_loss(model, nothing)) == 0.0      # nothing masked: no NaN


def test_length_grouped_batches_cover_every_example_once_and_pad_less():
    import random

    rnd = random.Random(0)
    examples = [([1] * rnd.randint(2, 200), 0) for _ in range(1000)]
    for grouped in (False, True):
        batches = loop.epoch_batches(examples, 16, seed=3, epoch=1, group_by_length=grouped)
        assert sorted(i for b in batches for i in b) == list(range(1000))
        assert batches == loop.epoch_batches(examples, 16, seed=3, epoch=1, group_by_length=grouped)   # resumable
    assert loop.epoch_batches(examples, 16, 3, 1, True) != loop.epoch_batches(examples, 16, 3, 2, True)

    def padded(batches):
        return sum(max(len(examples[i][0]) for i in b) * len(b) for b in batches)

    real = sum(len(e[0]) for e in examples)
    assert padded(loop.epoch_batches(examples, 16, 3, 1, True)) < 1.1 * real
    assert padded(loop.epoch_batches(examples, 16, 3, 1, False)) > 1.5 * real


@pytest.mark.django_db
def test_pretraining_for_a_number_of_epochs(shop):
    from ecom_ai.training.models import TrainingRun
    from ecom_ai.training import runs

    from .conftest import TINY

    m = runs.pretrain(out=io.StringIO(), model="masked", epochs=2, batch_size=16, eval_every=1000, **TINY)
    run = TrainingRun.objects.get(pk=m["run"])
    assert run.status == "done"
    assert m["steps"] == -(-m["train_sequences"] * 2 // 16)


def test_the_mean_pooling_classifier_starts_from_a_masked_lm_and_reloads_through_the_auto_classes(char_tokenizer, tmp_path):
    import json

    from transformers import AutoModelForSequenceClassification, BertForSequenceClassification

    torch.manual_seed(0)
    mlm = builders.masked_lm(char_tokenizer, builders.Size(hidden=32, layers=1, heads=2, seq=32))
    mlm.save_pretrained(tmp_path / "lm")
    model = builders.sequence_classifier(2, pool="mean", base_path=tmp_path / "lm").eval()
    assert torch.equal(model.bert.embeddings.word_embeddings.weight, mlm.bert.embeddings.word_embeddings.weight)
    model.save_pretrained(tmp_path / "clf")
    assert json.loads((tmp_path / "clf" / "config.json").read_text())["model_type"] == "ecom-ai-bert-mean"
    again = AutoModelForSequenceClassification.from_pretrained(tmp_path / "clf").eval()
    assert type(again) is type(model)
    ids = torch.tensor(tok_lib.encode_for_encoder(char_tokenizer, ["质量很好，非常喜欢"], 32))
    with torch.no_grad():
        assert torch.allclose(model(input_ids=ids).logits, again(input_ids=ids).logits)
        # padding does not move the mean
        padded = torch.cat([ids, torch.full((1, 5), char_tokenizer.pad_token_id)], 1)
        mask = torch.cat([torch.ones_like(ids), torch.zeros(1, 5, dtype=torch.long)], 1)
        assert torch.allclose(model(input_ids=ids).logits, model(input_ids=padded, attention_mask=mask).logits, atol=1e-5)
    cls_head = builders.sequence_classifier(2, pool="cls", base_path=tmp_path / "lm")
    assert isinstance(cls_head, BertForSequenceClassification)
    with pytest.raises(ValueError, match="pool"):
        builders.sequence_classifier(2, pool="max", base_path=tmp_path / "lm")


def test_distillation_from_a_teacher_that_agrees_with_the_labels_is_the_plain_loss(char_tokenizer):
    torch.manual_seed(0)
    model = builders.sequence_classifier(2, tokenizer=char_tokenizer, size=builders.Size(hidden=32, layers=1, heads=2)).eval()
    ids = tok_lib.encode_for_encoder(char_tokenizer, TEXTS[:4], 32)
    labels = [1, 1, 0, 1]
    collate = builders.classify_collate(char_tokenizer.pad_token_id)
    plain = collate(list(zip(ids, labels)))
    one_hot = collate([(i, y, [1.0 - y, float(y)]) for i, y in zip(ids, labels)])
    soft = collate([(i, y, [0.5, 0.5]) for i, y in zip(ids, labels)])
    assert "teacher" in one_hot and "teacher" not in plain
    loss = builders.distillation_loss(0.5)
    with torch.no_grad():
        ce = float(model(**plain).loss)
        assert float(loss(model, dict(plain))) == pytest.approx(ce)              # held-out batches: no teacher
        assert float(loss(model, one_hot)) == pytest.approx(ce, rel=1e-5)        # KL to one-hot = cross-entropy
        assert float(loss(model, soft)) != pytest.approx(ce, rel=1e-3)
