"""Tests of the default ``linear`` engine and its trainer (no database, plain functions)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from apps.scoring.engines.base import BASE_LABELS, Driver, EngineOutput
from apps.scoring.engines.lexicon import LexiconEngine
from apps.scoring.engines.linear import (
    ARTIFACT_FILES,
    DEFAULT_ARTIFACT_DIR,
    DENSE_FEATURES,
    STYLE_FEATURES,
    LinearEngine,
    style_features,
)
from apps.scoring.ml.train_linear import evaluate, train


@pytest.fixture(scope="module")
def engine() -> LinearEngine:
    return LinearEngine()


def test_shipped_artifact_loads_and_scores(engine):
    texts = ["I love this so much!", "", "The meeting is at 3pm.", "[NAME] scared me 😱😱"]
    outs = engine.score_batch(texts)
    assert len(outs) == len(texts)
    for out in outs:
        assert isinstance(out, EngineOutput)
        assert set(out.scores) == set(BASE_LABELS)
        assert all(0.0 <= v <= 1.0 for v in out.scores.values())
        assert all(isinstance(d, Driver) and d.weight > 0 and d.label in BASE_LABELS for d in out.drivers)
        assert engine.predict_labels(out.scores)
    assert engine.name == "linear"
    assert engine.version.startswith("linear-")
    th = engine.thresholds
    assert set(th) == set(BASE_LABELS) and all(0.0 < v < 1.0 for v in th.values())
    assert engine.score_batch([]) == []
    # batch scoring and single scoring agree
    single = engine.score(texts[0])
    assert single.scores == pytest.approx(outs[0].scores)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I am so angry right now, this is outrageous and I hate you!", "anger"),
        ("This made my day, thank you so much, I love it!", "joy"),
        ("I'm terrified, that is so scary, I am afraid to go out alone.", "fear"),
        ("That is disgusting, gross, I want to puke.", "disgust"),
        ("I miss her so much, this is so sad.", "sadness"),
        ("Wow, I did not expect that at all!", "surprise"),
    ],
)
def test_obvious_sentences_get_the_right_top_label(engine, text, label):
    out = engine.score(text)
    top = max(out.scores, key=out.scores.get)
    assert top == label, out.scores
    assert label in engine.predict_labels(out.scores)
    # the drivers for the predicted label are real words of the text
    terms = [d.term for d in out.drivers if d.label == label]
    assert terms and all(t.split(" ")[0].lower() in text.lower() for t in terms)


def test_drivers_decompose_the_logit(engine):
    wide = LinearEngine(n_drivers=10_000)
    text = "Thanks [NAME]! I love it, but the ending made me so sad and angry."
    out = wide.score(text)
    z = wide.decision_function([text])[0]
    for label in {d.label for d in out.drivers}:
        k = BASE_LABELS.index(label)
        positive = sum(d.weight for d in out.drivers if d.label == label)
        # positive credits alone reach at least the logit above the bias
        assert positive >= z[k] - wide._bias[k] - 1e-4


def test_lexicon_is_part_of_the_model(engine):
    lexicon_version = LexiconEngine().version
    assert engine.meta["dense"]["lexicon_version"] == lexicon_version
    assert tuple(engine.meta["dense"]["features"]) == DENSE_FEATURES
    assert engine.version.endswith("+" + lexicon_version)


def test_lexicon_version_mismatch_refuses_to_load(tmp_path):
    import json
    import shutil

    for f in ARTIFACT_FILES:
        shutil.copy(DEFAULT_ARTIFACT_DIR / f, tmp_path / f)
    meta = json.loads((tmp_path / "meta.json").read_text(encoding="utf-8"))
    meta["dense"]["lexicon_version"] = "lexicon-r0-000000000000"
    (tmp_path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ValueError, match="retrain"):
        LinearEngine(tmp_path)


def test_style_features():
    assert len(style_features("")) == len(STYLE_FEATURES)
    on = dict(zip([n for n, _ in STYLE_FEATURES], style_features("WHAT IS THIS?! soooo weird... 😱"), strict=True))
    assert on["question"] and on["interrobang"] and on["exclaim"] and not on["exclaim2"]
    assert on["ellipsis"] and on["emoji"] and on["elongation"] and on["all_caps"] and not on["ends_with_period"]
    assert not style_features("[NAME] and [NAME] met")[-1]  # the masks are not shouting


def test_dense_drivers_are_readable(engine):
    out = engine.score("Why would anyone do that?!")
    terms = {d.term for d in out.drivers}
    assert terms & {"why", "?!", "?"}, out.drivers
    readable = {t for _, t in STYLE_FEATURES} | {f"(lexicon: {label})" for label in BASE_LABELS}
    for d in out.drivers:
        assert d.term in readable or any(ch.isalnum() for ch in d.term), d


def test_artifact_loads_without_pickle(monkeypatch):
    files = sorted(p.name for p in DEFAULT_ARTIFACT_DIR.iterdir() if p.is_file())
    assert set(files) == set(ARTIFACT_FILES)
    assert not [f for f in files if f.endswith((".pkl", ".pickle", ".joblib", ".npz"))]
    for f in files:
        if f.endswith(".npy"):
            arr = np.load(DEFAULT_ARTIFACT_DIR / f, allow_pickle=False)
            assert arr.dtype != object

    def refuse(*args, **kwargs):
        raise AssertionError("pickle must not be used to load the artifact")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    fresh = LinearEngine(DEFAULT_ARTIFACT_DIR)
    assert fresh.score("what a lovely day").scores["joy"] > 0.5


def test_artifact_is_small():
    total = sum(p.stat().st_size for p in DEFAULT_ARTIFACT_DIR.iterdir())
    assert total < 10 * 1024 * 1024


# --- retraining on a tiny corpus --------------------------------------------------------------

_SEEDS = {
    "anger": ["i am furious about {x}", "{x} makes me so angry", "i hate {x} so much", "stop it, {x} is infuriating"],
    "disgust": ["{x} is disgusting", "ew, {x} is gross", "{x} makes me want to puke", "so nasty, {x}"],
    "fear": ["i am scared of {x}", "{x} terrifies me", "i'm afraid {x} will happen", "so nervous about {x}"],
    "joy": ["i love {x}", "{x} is awesome, thanks!", "so happy about {x}", "{x} made my day"],
    "neutral": ["{x} is on tuesday", "i read about {x}", "where is {x}?", "{x} has four parts"],
    "sadness": ["i miss {x}", "{x} makes me sad", "so sorry about {x}", "i cried over {x}"],
    "surprise": ["wow, {x}?!", "i did not expect {x}", "whoa, {x} really?", "no way, {x}"],
}
_FILLERS = ["the game", "my boss", "[NAME]", "this thread", "the new update", "her dog", "the movie", "that guy", "it"]


def _write_tiny_corpus(path: Path, fillers: list[str]) -> None:
    lines = []
    for k, label in enumerate(BASE_LABELS):
        for i, tpl in enumerate(_SEEDS[label]):
            for j, x in enumerate(fillers):
                ids = str(k)
                if label == "joy" and (i + j) % 7 == 0:
                    ids = f"{k},{BASE_LABELS.index('surprise')}"  # a few multi-label rows
                lines.append(f"{tpl.format(x=x)}\t{ids}\tid{k}_{i}_{j}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_retraining_is_byte_for_byte_reproducible(tmp_path):
    train_tsv, dev_tsv, labels = tmp_path / "train.tsv", tmp_path / "dev.tsv", tmp_path / "labels.txt"
    _write_tiny_corpus(train_tsv, _FILLERS[:6])
    _write_tiny_corpus(dev_tsv, _FILLERS[6:])
    labels.write_text("\n".join(BASE_LABELS) + "\n", encoding="utf-8")
    params = {"word_min_df": 1, "char_min_df": 1}
    train(train_tsv, dev_tsv, labels, tmp_path / "a", seed=7, params=params)
    train(train_tsv, dev_tsv, labels, tmp_path / "b", seed=7, params=params)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(ARTIFACT_FILES) == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name

    tiny = LinearEngine(tmp_path / "a")
    assert tiny.version == LinearEngine(tmp_path / "b").version
    report = evaluate(tiny, dev_tsv, labels)
    assert set(report["per_label"]) == set(BASE_LABELS)
    assert 0.0 <= report["macro_f1"] <= 1.0 and 0.0 <= report["top_label_accuracy"] <= 1.0
    assert report["messages_per_second"] > 0
    assert report["macro_f1"] > 0.5  # the templates are easy
