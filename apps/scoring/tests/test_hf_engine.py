"""The transformers engine, run on tiny models built on the fly (no download, no database)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from apps.scoring.engines.base import BASE_LABELS  # noqa: E402 - only once torch is known to exist
from apps.scoring.engines.hf import EngineUnavailable, TransformersEngine  # noqa: E402
from apps.scoring.tests.tiny_hf import DEFAULT_EXAMPLES, build_tiny_model  # noqa: E402

#: Labels of a model trained on its own taxonomy, as a GoEmotions-style model would be.
CUSTOM_EXAMPLES = {
    "rage": DEFAULT_EXAMPLES["anger"],
    "delight": DEFAULT_EXAMPLES["joy"],
    "gloom": DEFAULT_EXAMPLES["sadness"],
    "calm": DEFAULT_EXAMPLES["neutral"],
    "other": DEFAULT_EXAMPLES["surprise"],
}
CUSTOM_MAP = {"rage": "anger", "delight": "joy", "gloom": {"sadness": 0.7, "fear": 0.3}, "calm": "neutral"}

MIXED = [
    "I love this",
    "I am furious about the refund and I hate this stupid service, the delay is too long again",
    "ok",
    "",
    "I am scared and worried about my account and the payment",
    "I am furious",
    "what a surprise",
]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("single") / "tiny-emotion", thresholds={"anger": 0.3})


@pytest.fixture(scope="module")
def multi_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("multi") / "tiny-multi", multi_label=True)


@pytest.fixture(scope="module")
def custom_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("custom") / "tiny-custom"
    return build_tiny_model(path, labels=tuple(CUSTOM_EXAMPLES), examples=CUSTOM_EXAMPLES)


@pytest.fixture(scope="module")
def engine(model_dir: Path) -> TransformersEngine:
    return TransformersEngine(str(model_dir))


def raw_probabilities(model_dir: Path, text: str, multi_label: bool = False) -> list[float]:
    """The model's own per-label probabilities, computed without the engine."""
    tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(model_dir, local_files_only=True)
    model.eval()
    with torch.inference_mode():
        logits = model(**tokenizer(text, return_tensors="pt")).logits[0]
    return (logits.sigmoid() if multi_label else logits.softmax(-1)).tolist()


def top(scores: dict[str, float]) -> str:
    return max(scores, key=scores.__getitem__)


def test_trained_sentences_get_their_label(engine: TransformersEngine) -> None:
    furious, love = engine.score_batch(["I am furious", "I love this"])
    assert top(furious.scores) == "anger"
    assert top(love.scores) == "joy"
    assert engine.predict_labels(love.scores) == ["joy"]
    assert engine.name == "transformers"
    assert engine.device.type == "cpu"


def test_scores_cover_base_labels_as_probabilities(engine: TransformersEngine) -> None:
    for output in engine.score_batch(MIXED):
        assert set(output.scores) == set(BASE_LABELS)
        assert all(0.0 <= value <= 1.0 for value in output.scores.values())
        # The identity map covers every softmax label, so the mass is all there.
        assert sum(output.scores.values()) == pytest.approx(1.0, abs=1e-5)


def test_drivers_name_the_model_labels_that_contributed(engine: TransformersEngine) -> None:
    output = engine.score("I am furious")
    first = output.drivers[0]
    assert (first.term, first.label, first.source) == ("model:anger", "anger", "model")
    assert first.weight == pytest.approx(output.scores["anger"])
    assert len(output.drivers) <= 3
    assert [d.weight for d in output.drivers] == sorted((d.weight for d in output.drivers), reverse=True)


def test_batches_keep_input_order_across_mixed_lengths(model_dir: Path, engine: TransformersEngine) -> None:
    small_batches = TransformersEngine(model_dir, batch_size=2)
    batched = small_batches.score_batch(MIXED)
    assert len(batched) == len(MIXED)
    for text, output in zip(MIXED, batched, strict=True):
        alone = engine.score(text)
        assert output.scores == pytest.approx(alone.scores, abs=1e-5), text
    assert top(batched[0].scores) == "joy"
    assert top(batched[5].scores) == "anger"


def test_empty_batch_and_overlong_text(engine: TransformersEngine) -> None:
    assert engine.score_batch([]) == []
    # Far past the tiny model's 128 positions: truncated, not a crash.
    assert engine.max_length == 128
    assert set(engine.score("I am furious " * 400).scores) == set(BASE_LABELS)


def test_non_text_is_rejected(engine: TransformersEngine) -> None:
    with pytest.raises(TypeError):
        engine.score_batch(["fine", None])  # type: ignore[list-item]


def test_label_map_folds_model_labels_onto_base_labels(custom_dir: Path) -> None:
    engine = TransformersEngine(custom_dir, label_map=CUSTOM_MAP)
    text = "I am so sad"
    probs = dict(zip(engine.model_labels, raw_probabilities(custom_dir, text), strict=True))
    scores = engine.score(text).scores
    assert scores["anger"] == pytest.approx(probs["rage"], abs=1e-5)
    assert scores["joy"] == pytest.approx(probs["delight"], abs=1e-5)
    assert scores["sadness"] == pytest.approx(0.7 * probs["gloom"], abs=1e-5)
    assert scores["fear"] == pytest.approx(0.3 * probs["gloom"], abs=1e-5)
    assert scores["neutral"] == pytest.approx(probs["calm"], abs=1e-5)
    # "other" is unmapped: its mass is dropped, and nothing else feeds these two.
    assert scores["surprise"] == scores["disgust"] == 0.0
    assert top(engine.score("I am furious").scores) == "anger"
    assert engine.score("I am furious").drivers[0].term == "model:rage"


def test_default_map_needs_base_label_names(custom_dir: Path) -> None:
    with pytest.raises(ValueError, match="pass a label_map"):
        TransformersEngine(custom_dir)


@pytest.mark.parametrize(
    ("label_map", "message"),
    [
        ({"rage": "fury"}, "unknown base label 'fury'"),
        ({"gloom": {"sadness": 0.5, "melancholy": 0.5}}, "unknown base label 'melancholy'"),
        ({"rag": "anger"}, "does not have"),
        ({"rage": {"anger": 1.5}}, "must be in 0..1"),
        ({}, "maps no model label"),
    ],
)
def test_bad_label_map_is_a_clear_value_error(custom_dir: Path, label_map: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TransformersEngine(custom_dir, label_map=label_map)


def test_summed_sigmoids_are_clipped_to_one(tmp_path: Path) -> None:
    # Untrained, every sigmoid sits near 0.5, so seven labels folded onto one sum to about 3.5.
    untrained = build_tiny_model(tmp_path / "untrained", multi_label=True, train=False)
    engine = TransformersEngine(untrained, label_map=dict.fromkeys(BASE_LABELS, "anger"))
    assert engine.score("anything at all").scores["anger"] == 1.0


def test_multi_label_model_uses_sigmoid(multi_dir: Path) -> None:
    engine = TransformersEngine(multi_dir)
    assert engine.multi_label
    scores = engine.score("I am furious").scores
    expected = dict(zip(engine.model_labels, raw_probabilities(multi_dir, "I am furious", True), strict=True))
    assert scores == pytest.approx(expected, abs=1e-5)
    assert sum(scores.values()) != pytest.approx(1.0, abs=1e-3)
    assert "anger" in engine.predict_labels(scores)
    assert top(engine.score("I love this").scores) == "joy"


def test_thresholds_come_from_config(engine: TransformersEngine, multi_dir: Path) -> None:
    assert engine.thresholds == {label: (0.3 if label == "anger" else 0.5) for label in BASE_LABELS}
    assert TransformersEngine(multi_dir).thresholds == dict.fromkeys(BASE_LABELS, 0.5)


def test_bad_thresholds_in_config_are_reported(model_dir: Path, tmp_path: Path) -> None:
    broken = Path(shutil.copytree(model_dir, tmp_path / model_dir.name))
    config = json.loads((broken / "config.json").read_text())
    config["emotionhub_thresholds"] = {"angr": 0.4}
    (broken / "config.json").write_text(json.dumps(config))
    with pytest.raises(EngineUnavailable, match="unknown base label 'angr'"):
        TransformersEngine(broken)


def test_missing_model_is_engine_unavailable(tmp_path: Path, model_dir: Path) -> None:
    with pytest.raises(EngineUnavailable, match="does not exist"):
        TransformersEngine(tmp_path / "nowhere")
    # A hub id is not a path: it must fail here, not be downloaded.
    with pytest.raises(EngineUnavailable, match="does not exist"):
        TransformersEngine("j-hartmann/emotion-english-distilroberta-base")
    with pytest.raises(EngineUnavailable, match=r"no config\.json"):
        TransformersEngine(tmp_path)

    no_weights = Path(shutil.copytree(model_dir, tmp_path / "no-weights"))
    (no_weights / "model.safetensors").unlink()
    with pytest.raises(EngineUnavailable, match="no weights"):
        TransformersEngine(no_weights)

    corrupt = Path(shutil.copytree(model_dir, tmp_path / "corrupt"))
    (corrupt / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(EngineUnavailable, match="cannot load"):
        TransformersEngine(corrupt)


def test_cuda_asked_for_without_cuda(model_dir: Path) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(EngineUnavailable, match="CUDA is not available"):
        TransformersEngine(model_dir, device="cuda")


def test_version_is_stable_and_follows_the_weights(model_dir: Path, tmp_path: Path) -> None:
    first = TransformersEngine(model_dir)
    assert first.version == TransformersEngine(str(model_dir)).version
    assert first.version.startswith("tiny-emotion-")
    # The same files elsewhere are the same model.
    copy = Path(shutil.copytree(model_dir, tmp_path / model_dir.name))
    assert TransformersEngine(copy).version == first.version

    from safetensors.torch import load_file, save_file

    weights = load_file(copy / "model.safetensors")
    weights["classifier.bias"] = weights["classifier.bias"] + 1.0 * torch.eye(len(BASE_LABELS))[0]
    save_file(weights, copy / "model.safetensors", metadata={"format": "pt"})
    changed = TransformersEngine(copy)
    assert changed.version != first.version
    assert changed.score("ok").scores != pytest.approx(first.score("ok").scores)

    # A different label map gives different outputs from the same files, so a different version.
    assert TransformersEngine(model_dir, label_map={"anger": "anger"}).version != first.version
