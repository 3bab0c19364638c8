"""The shop's own tokenizer: byte-level BPE (or character-level) trained with ``tokenizers``, saved as a
``PreTrainedTokenizerFast`` folder usable by both the causal LM (ChatML template) and the encoder."""
from __future__ import annotations

from typing import Iterable

from ecom_ai.llm.chat import CHATML_TEMPLATE

EOS, PAD, MASK, CLS, SEP, UNK = "<|endoftext|>", "<pad>", "<mask>", "<cls>", "<sep>", "<unk>"
IM_START, IM_END = "<|im_start|>", "<|im_end|>"
SPECIAL_TOKENS = [EOS, PAD, MASK, CLS, SEP, UNK, IM_START, IM_END]


def train(texts: Iterable[str], *, vocab_size: int = 8000, min_frequency: int = 2, model: str = "bpe"):
    """A fitted ``PreTrainedTokenizerFast``. ``model``: "bpe" (byte-level BPE, never an unknown
    token) or "char" (one token per character seen at least ``min_frequency`` times)."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    texts = list(texts)
    if not texts:
        raise ValueError("No text to train a tokenizer on: seed the shop or give --csv with a text column.")
    if model == "bpe":
        tok = Tokenizer(models.BPE())
        tok.normalizer = normalizers.NFKC()
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=int(vocab_size), min_frequency=int(min_frequency),
                                      special_tokens=SPECIAL_TOKENS, show_progress=False,
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    elif model == "char":
        tok = Tokenizer(models.WordLevel(unk_token=UNK))
        tok.normalizer = normalizers.NFKC()
        tok.pre_tokenizer = pre_tokenizers.Split(pattern="", behavior="isolated")
        tok.decoder = decoders.Fuse()
        trainer = trainers.WordLevelTrainer(vocab_size=int(vocab_size), min_frequency=int(min_frequency),
                                            special_tokens=SPECIAL_TOKENS, show_progress=False)
    else:
        raise ValueError(f"tokenizer model must be 'bpe' or 'char', not {model!r}")
    tok.train_from_iterator(texts, trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=EOS, eos_token=EOS, pad_token=PAD, mask_token=MASK,
                                   cls_token=CLS, sep_token=SEP, unk_token=UNK,
                                   additional_special_tokens=[IM_START, IM_END])
    fast.chat_template = CHATML_TEMPLATE
    return fast


def for_chat(tokenizer):
    """The tokenizer set up for replies: ChatML turns end with ``<|im_end|>`` (the reply model's eos)."""
    if IM_END in tokenizer.get_vocab():
        tokenizer.eos_token = IM_END
        if not getattr(tokenizer, "chat_template", None):
            tokenizer.chat_template = CHATML_TEMPLATE
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def encode_for_encoder(tokenizer, texts: list[str], max_length: int) -> list[list[int]]:
    """``<cls> text <sep>`` ids, at most ``max_length``: what the masked LM and the classifier read. A longer
    text keeps its head and its tail (a review's verdict is as often in its last sentence as in its first)."""
    cls_id = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    sep_id = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    room = max(1, max_length - 2)
    head = (room + 1) // 2
    out = []
    for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]:
        if len(ids) > room:
            ids = ids[:head] + ids[len(ids) - (room - head):]
        out.append([cls_id, *ids, sep_id])
    return out


def fertility(tokenizer, texts: list[str]) -> float:
    """Tokens per character over ``texts`` (lower: the tokenizer compresses the shop's text better)."""
    chars = sum(len(t) for t in texts)
    if not chars:
        return 0.0
    tokens = sum(len(ids) for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"])
    return tokens / chars


__all__ = ["train", "for_chat", "encode_for_encoder", "fertility", "SPECIAL_TOKENS", "CHATML_TEMPLATE"]
