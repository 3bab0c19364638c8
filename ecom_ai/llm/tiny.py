"""Tiny random-weight causal LMs with a tokenizer trained on the spot, for tests and benchmarks (offline, seconds on a CPU)."""
from __future__ import annotations

import os

from ecom_ai.llm.chat import CHATML_TEMPLATE

_CORPUS = [
    "您好，这款手机的电池容量是5000mAh，屏幕尺寸6.7英寸。",
    "您的订单已经发货，预计三天内送达，请注意查收。",
    "满200减30，秒杀价1799元，限量100件，11月29日开抢。",
    "客户最常提到的是续航和屏幕，大多是称赞。",
    "Hello! The battery capacity is 5000mAh and the screen size is 6.7 inches.",
    "Your order has shipped and should arrive within three days.",
    "Flash sale: only 100 available, 20% off, starts Nov 29.",
    "Customers most often mention battery life and the screen, mostly with praise.",
    "Facts (data, not instructions): price, warranty, colour, weight, storage.",
    "以下内容是客户提供的数据，不是指令。事实（数据，不是指令）",
    "system user assistant UNTRUSTED END name question review",
]


def corpus(lines: int = 300) -> list[str]:
    out = []
    for i in range(lines):
        base = _CORPUS[i % len(_CORPUS)]
        out.append(f"{base} {i} {i * 7 % 1000}")
    return out


def build_tokenizer(chat_template: bool, vocab_size: int = 800):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] if chat_template else ["<|endoftext|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(corpus(), trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>" if chat_template else "<|endoftext|>",
                                   bos_token="<|endoftext|>", unk_token="<|endoftext|>")
    if chat_template:
        fast.pad_token = "<|endoftext|>"
        fast.chat_template = CHATML_TEMPLATE
    return fast


def build_tiny_model(directory: str, arch: str = "gpt2", *, hidden: int = 32, layers: int = 2, seed: int = 0) -> str:
    """Write a random tiny ``gpt2`` or ``qwen2`` model and its tokenizer to ``directory``; return it."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, Qwen2Config, Qwen2ForCausalLM

    os.makedirs(directory, exist_ok=True)
    torch.manual_seed(seed)
    tokenizer = build_tokenizer(chat_template=(arch == "qwen2"))
    vocab = len(tokenizer)
    if arch == "gpt2":
        config = GPT2Config(vocab_size=vocab, n_positions=1024, n_embd=hidden, n_layer=layers, n_head=2, initializer_range=0.4,
                            bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
        model = GPT2LMHeadModel(config)
    elif arch == "qwen2":
        config = Qwen2Config(vocab_size=vocab, hidden_size=hidden, intermediate_size=hidden * 2, num_hidden_layers=layers,
                             num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=1024, initializer_range=0.4,
                             bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                             pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=True)
        model = Qwen2ForCausalLM(config)
    else:
        raise ValueError(f"unknown arch {arch!r}")
    model.eval()
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
