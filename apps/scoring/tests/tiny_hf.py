"""Build a tiny BERT text classifier on the fly, so the transformers engine is tested offline.

Nothing is downloaded: the vocabulary is written here, the weights start from a fixed seed and
a few hundred optimiser steps on a handful of sentences teach it the obvious cases ("I am
furious" → anger, "I love this" → joy). The result is saved with ``save_pretrained`` exactly
as a user's fine-tuned model would be, so the engine loads it through its ordinary path.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from pathlib import Path

#: Sentences per base label; the first of each is the probe the training loop must get right.
DEFAULT_EXAMPLES: dict[str, tuple[str, ...]] = {
    "anger": (
        "I am furious",
        "this makes me so angry",
        "I hate this stupid service",
        "I am mad about the delay",
        "furious about the refund",
        "so annoyed and angry with support",
    ),
    "disgust": (
        "this is disgusting",
        "gross and dirty room",
        "the food was revolting",
        "that smell is nasty",
        "I am sickened by this",
        "disgusting dirty gross",
    ),
    "fear": (
        "I am scared",
        "this is terrifying",
        "worried about my account",
        "I am afraid it will break",
        "nervous about the payment",
        "scared and worried",
    ),
    "joy": (
        "I love this",
        "this is wonderful",
        "so happy with it",
        "great service thank you",
        "I am delighted",
        "love the new app",
    ),
    "neutral": (
        "the order arrived on tuesday",
        "please update my address",
        "the meeting is at noon",
        "I have a question about the invoice",
        "it is a box",
        "send the form to the office",
    ),
    "sadness": (
        "I am so sad",
        "this is heartbreaking",
        "I miss my old phone",
        "feeling down today",
        "so disappointed and lonely",
        "sad and unhappy",
    ),
    "surprise": (
        "wow I did not expect that",
        "what a surprise",
        "I am shocked",
        "this is unexpected",
        "amazed it arrived early",
        "wow shocked and amazed",
    ),
}

#: Probability every training sentence must give its own label before training stops.
MIN_CONFIDENCE = 0.6

_SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
_FILLER = (  # noqa: SIM905 - a word list reads better as a sentence than as 130 quoted strings
    ". , ! ? ' a an the and or but not no is are was were be been it this that these those "
    "i me my we our you your he she they them his her its am do did does have has had will would "
    "can could should so very really too just about of to in on at for with from by up out over "
    "after before today yesterday tomorrow now again still also new old good bad day time week "
    "order product service support app phone account payment refund delivery price team store "
    "staff manager email call message ticket issue problem help please thanks thank hello okay yes "
    "maybe never always fine sure what when where why how who which"
).split()
_SUBWORDS = ("##s", "##ed", "##ing", "##ly", "##er", "##est", "##y", "##n't")


def _vocabulary(examples: Mapping[str, Sequence[str]]) -> list[str]:
    words: list[str] = list(_SPECIAL)
    seen = set(words)
    example_words = [w for texts in examples.values() for t in texts for w in t.lower().split()]
    for word in [*_FILLER, *example_words, *_SUBWORDS]:
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def _make_tokenizer(vocab_file: Path):
    from transformers import BertTokenizerFast

    # transformers 5 takes the vocabulary as ``vocab`` and silently ignores ``vocab_file``
    # (every token would become [UNK]); 4.x only knows ``vocab_file``.
    if "vocab" in inspect.signature(BertTokenizerFast.__init__).parameters:
        return BertTokenizerFast(vocab=str(vocab_file), do_lower_case=True)
    return BertTokenizerFast(vocab_file=str(vocab_file), do_lower_case=True)


def build_tiny_model(
    path: str | Path,
    labels: Sequence[str] = tuple(DEFAULT_EXAMPLES),
    multi_label: bool = False,
    *,
    examples: Mapping[str, Sequence[str]] | None = None,
    train: bool = True,
    thresholds: Mapping[str, float] | None = None,
    seed: int = 0,
    max_steps: int = 600,
) -> Path:
    """Create, optionally train, and save a tiny classifier with ``labels`` into ``path``.

    ``examples`` maps each label to training sentences (default: ``DEFAULT_EXAMPLES`` for the
    labels it knows). Training stops as soon as every training sentence gives its own label the
    top score, at ``MIN_CONFIDENCE`` or more; it raises if ``max_steps`` is not enough, so a test
    never runs on a model that silently failed to learn. ``thresholds`` is written to
    config.json as ``emotionhub_thresholds``.
    """
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    labels = tuple(labels)
    if examples is None:
        examples = {label: DEFAULT_EXAMPLES[label] for label in labels if label in DEFAULT_EXAMPLES}
    unknown = set(examples) - set(labels)
    if unknown:
        raise ValueError(f"examples for labels the model does not have: {sorted(unknown)}")

    vocab_file = path / "vocab.txt"
    vocab_file.write_text("\n".join(_vocabulary(examples)) + "\n", encoding="utf-8")
    tokenizer = _make_tokenizer(vocab_file)

    torch.manual_seed(seed)
    extra = {"emotionhub_thresholds": dict(thresholds)} if thresholds else {}
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        # Without dropout the few hundred steps below converge several times faster.
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
        problem_type="multi_label_classification" if multi_label else "single_label_classification",
        **extra,
    )
    model = BertForSequenceClassification(config)

    if train and examples:
        # The matrices are tiny, so extra threads only add overhead, and on a busy two-core
        # machine they contend badly (measured: 20 s with 2 threads against 1 s with one).
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            _train(model, tokenizer, labels, examples, multi_label=multi_label, max_steps=max_steps)
        finally:
            torch.set_num_threads(threads)

    model.eval()
    tokenizer.save_pretrained(path)
    model.save_pretrained(path)
    return path


def _train(model, tokenizer, labels, examples, *, multi_label: bool, max_steps: int) -> None:
    import torch

    texts = [text for label in labels for text in examples.get(label, ())]
    targets = [labels.index(label) for label in labels for _ in examples.get(label, ())]
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    target = torch.tensor(targets)
    # Multi-label models pick BCE-with-logits from problem_type and want float multi-hot targets.
    target_input = torch.nn.functional.one_hot(target, len(labels)).float() if multi_label else target

    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)  # higher rates diverge multi-label
    model.train()
    for step in range(max_steps):
        optimiser.zero_grad()
        out = model(**batch, labels=target_input)
        out.loss.backward()
        optimiser.step()
        # Checking every few steps keeps the loop cheap; dropout is off for the check.
        if step % 10 == 9:
            model.eval()
            with torch.inference_mode():
                logits = model(**batch).logits
            model.train()
            probs = logits.sigmoid() if multi_label else logits.softmax(-1)
            # Not merely leading: a clear margin keeps the tests' assertions far from a coin toss.
            own = probs.gather(1, target[:, None]).squeeze(1)
            correct = bool((probs.argmax(-1) == target).all() and (own >= MIN_CONFIDENCE).all())
            if correct:
                return
    raise RuntimeError(f"tiny model did not fit its {len(texts)} training sentences in {max_steps} steps")
