"""Scoring with a local Hugging Face transformers text-classification model.

The model is whatever the user fine-tuned and saved with ``save_pretrained`` (config.json,
weights, tokenizer files) into a directory; it is never fetched from the hub. Its own labels
(``config.id2label``) are folded onto ``BASE_LABELS`` through a label map, so a GoEmotions-style
model with 28 labels and a model trained directly on the seven base emotions both fit.

torch and transformers are imported only when an engine is built, so the rest of the app
(and the lexicon engines) work on machines without requirements/ml.txt installed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import BASE_LABELS, Driver, Engine, EngineOutput, EngineUnavailable

if TYPE_CHECKING:
    import torch

# Set before transformers/huggingface_hub are first imported (they read these once): a model
# that is not on disk must fail loudly instead of being downloaded by a web worker.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

#: What a label map may say for one model label: a base label, or weights over base labels.
LabelTarget = str | Mapping[str, float]

DEFAULT_THRESHOLD = 0.5
#: config.json key with per-base-label decision thresholds tuned for the model.
THRESHOLDS_KEY = "emotionhub_thresholds"
#: Drivers reported per text: the biggest contributions, and nothing below the floor.
MAX_DRIVERS = 3
MIN_DRIVER_WEIGHT = 0.05

_WEIGHT_GLOBS = (
    "*.safetensors",
    "*.safetensors.index.json",
    "pytorch_model*.bin",
    "pytorch_model*.bin.index.json",
)
# The tokenizer changes outputs as surely as the weights do, so its files are in the version too.
_TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "spiece.model",
    "tokenizer.model",
    "sentencepiece.bpe.model",
)


def resolve_label_map(
    model_labels: Sequence[str], label_map: Mapping[str, LabelTarget] | None
) -> dict[str, dict[str, float]]:
    """Validate ``label_map`` against the model's labels; return model label → {base label: weight}.

    Without a map, model labels whose names equal a base label (ignoring case) map onto it.
    Model labels left out of the map are ignored. Raises ``ValueError`` for a map that names an
    unknown base label or model label, has a weight outside 0..1, or maps nothing at all.
    """
    if label_map is None:
        by_name = {label.strip().lower(): label for label in model_labels}
        resolved = {by_name[base]: {base: 1.0} for base in BASE_LABELS if base in by_name}
        if not resolved:
            names = list(model_labels)
            raise ValueError(f"none of the model's labels {names} is a base label; pass a label_map")
        return resolved

    unknown_model = sorted(set(label_map) - set(model_labels))
    if unknown_model:
        # A typo here would silently drop a label's probability mass, so it is an error.
        raise ValueError(f"label_map names labels the model does not have: {unknown_model}")
    resolved = {}
    for model_label, target in label_map.items():
        weights = {target: 1.0} if isinstance(target, str) else dict(target)
        for base, weight in weights.items():
            if base not in BASE_LABELS:
                raise ValueError(
                    f"label_map maps {model_label!r} onto unknown base label {base!r}; "
                    f"base labels are {list(BASE_LABELS)}"
                )
            if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0.0 <= weight <= 1.0:
                pair = f"{model_label!r} → {base!r}"
                raise ValueError(f"label_map weight for {pair} must be in 0..1, got {weight!r}")
        weights = {base: float(w) for base, w in weights.items() if w > 0}
        if weights:
            resolved[model_label] = weights
    if not resolved:
        raise ValueError("label_map maps no model label onto a base label")
    return resolved


def _import_backends() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise EngineUnavailable(
            f"the transformers engine needs torch and transformers ({exc}); "
            "install them with pip install -r requirements/ml.txt"
        ) from exc
    return torch, transformers


@contextmanager
def _quiet_progress_bars(transformers: Any) -> Iterator[None]:
    # Progress bars from every worker that loads a model are noise in the logs.
    logging = transformers.utils.logging
    were_on = logging.is_progress_bar_enabled()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        if were_on:
            logging.enable_progress_bar()


def _model_files(model_dir: Path) -> tuple[list[Path], list[Path]]:
    weights = sorted({p for pattern in _WEIGHT_GLOBS for p in model_dir.glob(pattern) if p.is_file()})
    tokenizer = [model_dir / name for name in _TOKENIZER_FILES if (model_dir / name).is_file()]
    return weights, tokenizer


def _fingerprint(files: Iterable[Path], model_dir: Path, settings: Mapping[str, Any]) -> str:
    """A short hash of the files' names and bytes plus the engine settings that change outputs."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(model_dir).as_posix().encode() + b"\0")
        with path.open("rb") as fh:
            digest.update(hashlib.file_digest(fh, "sha256").digest())
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()[:12]


def _read_thresholds(raw_config: Mapping[str, Any], config_file: Path) -> dict[str, float]:
    thresholds = dict.fromkeys(BASE_LABELS, DEFAULT_THRESHOLD)
    tuned = raw_config.get(THRESHOLDS_KEY)
    if tuned is None:
        return thresholds
    if not isinstance(tuned, Mapping):
        raise EngineUnavailable(f"{config_file}: {THRESHOLDS_KEY} must be an object of label → threshold")
    for label, value in tuned.items():
        if label not in BASE_LABELS:
            raise EngineUnavailable(f"{config_file}: {THRESHOLDS_KEY} names unknown base label {label!r}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            raise EngineUnavailable(f"{config_file}: threshold for {label!r} must be in 0..1, got {value!r}")
        thresholds[label] = float(value)
    return thresholds


class TransformersEngine(Engine):
    """Scores with a local fine-tuned sequence-classification model, folded onto ``BASE_LABELS``."""

    name = "transformers"

    def __init__(
        self,
        model_path: str | os.PathLike[str],
        label_map: Mapping[str, LabelTarget] | None = None,
        batch_size: int = 32,
        max_length: int = 256,
        device: str = "auto",
        languages: Iterable[str] | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if max_length < 2:
            raise ValueError(f"max_length must be at least 2, got {max_length}")
        if languages is not None:
            self.languages = frozenset(languages)
        self.batch_size = batch_size

        model_dir = Path(model_path).expanduser()
        config_file = model_dir / "config.json"
        if not model_dir.is_dir():
            raise EngineUnavailable(f"model directory {model_dir} does not exist")
        if not config_file.is_file():
            raise EngineUnavailable(f"{model_dir} has no config.json: not a saved transformers model")
        weight_files, tokenizer_files = _model_files(model_dir)
        if not weight_files:
            raise EngineUnavailable(f"{model_dir} has no weights (model.safetensors or pytorch_model.bin)")
        if not tokenizer_files:
            raise EngineUnavailable(f"{model_dir} has no tokenizer files (tokenizer.json, vocab.txt, ...)")
        try:
            raw_config = json.loads(config_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise EngineUnavailable(f"cannot read {config_file}: {exc}") from exc
        self._thresholds = _read_thresholds(raw_config, config_file)

        torch, transformers = _import_backends()
        self._torch = torch
        self.device = self._pick_device(torch, device)

        with _quiet_progress_bars(transformers):
            try:
                config = transformers.AutoConfig.from_pretrained(model_dir, local_files_only=True)
            except Exception as exc:  # OSError, ValueError, KeyError... depending on what is wrong
                raise EngineUnavailable(f"cannot read the model config in {model_dir}: {exc}") from exc
            if config.problem_type == "regression":
                raise EngineUnavailable(f"{model_dir} is a regression model: it has no label probabilities")
            self.model_labels: tuple[str, ...] = tuple(config.id2label[i] for i in range(config.num_labels))
            # Checked before the weights load so a bad map fails fast; it stays a ValueError
            # because the caller's argument is wrong, not the model.
            self.label_map = resolve_label_map(self.model_labels, label_map)
            try:
                self.tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
                self.model = transformers.AutoModelForSequenceClassification.from_pretrained(
                    model_dir,
                    config=config,
                    local_files_only=True,
                    # Half-precision checkpoints are slow or unsupported on CPU; GPUs keep theirs.
                    dtype=torch.float32 if self.device.type == "cpu" else "auto",
                )
            except Exception as exc:  # transformers raises many types for unreadable files
                raise EngineUnavailable(f"cannot load the model in {model_dir}: {exc}") from exc

        self._prepare_padding()
        self.model.to(self.device)
        self.model.eval()
        # A single-logit head is a yes/no detector: softmax over one logit would always say 1.0.
        self.multi_label = config.problem_type == "multi_label_classification" or config.num_labels == 1
        self.max_length = self._effective_max_length(max_length, config)

        # (model label index, model label, base label, weight) for every mapped pair.
        self._pairs = [
            (self.model_labels.index(model_label), model_label, base, weight)
            for model_label, weights in self.label_map.items()
            for base, weight in weights.items()
        ]
        settings = {"label_map": self.label_map, "max_length": self.max_length}
        files = sorted([config_file, *weight_files, *tokenizer_files])
        self._version = f"{model_dir.resolve().name}-{_fingerprint(files, model_dir, settings)}"

    @staticmethod
    def _pick_device(torch_module: Any, device: str) -> torch.device:
        cuda = torch_module.cuda.is_available()
        if device == "auto":
            return torch_module.device("cuda" if cuda else "cpu")
        try:
            picked = torch_module.device(device)
        except RuntimeError as exc:
            raise ValueError(f"unknown device {device!r}") from exc
        if picked.type == "cuda" and not cuda:
            raise EngineUnavailable(f"device {device!r} was asked for but CUDA is not available")
        return picked

    def _prepare_padding(self) -> None:
        # GPT-style tokenizers have no pad token; batching needs one, and the usual fix is EOS
        # (the model then finds each text's last real token through config.pad_token_id).
        if self.tokenizer.pad_token is None:
            if self.tokenizer.eos_token is None:
                raise EngineUnavailable("the tokenizer has neither a pad nor an eos token to batch with")
            self.tokenizer.pad_token = self.tokenizer.eos_token
        if getattr(self.model.config, "pad_token_id", None) is None:
            self.model.config.pad_token_id = self.tokenizer.pad_token_id

    def _effective_max_length(self, max_length: int, config: Any) -> int:
        # Longer inputs than the position embeddings would crash the model; tokenizers without a
        # recorded limit report a huge sentinel, so the config is the fallback.
        limit = self.tokenizer.model_max_length
        if not limit or limit > 100_000:
            limit = getattr(config, "max_position_embeddings", None) or max_length
        return min(max_length, int(limit))

    @property
    def version(self) -> str:
        return self._version

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(self._thresholds)

    def score_batch(self, texts: Sequence[str]) -> list[EngineOutput]:
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"texts must be strings, got {type(text).__name__}")
        if not texts:
            return []
        probabilities = self._probabilities(list(texts))
        return [self._output(row) for row in probabilities]

    def _probabilities(self, texts: list[str]) -> list[list[float]]:
        """Per-text model-label probabilities, in input order."""
        torch = self._torch
        encoded = self.tokenizer(texts, truncation=True, max_length=self.max_length)
        keys = [key for key in encoded if key in self.tokenizer.model_input_names]
        lengths = [len(ids) for ids in encoded["input_ids"]]
        # Similar lengths share a batch, so little compute goes into padding.
        order = sorted(range(len(texts)), key=lengths.__getitem__)
        results: list[list[float]] = [[] for _ in texts]
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                chunk = order[start : start + self.batch_size]
                features = [{key: encoded[key][i] for key in keys} for i in chunk]
                batch = self.tokenizer.pad(features, return_tensors="pt")
                batch = {key: value.to(self.device) for key, value in batch.items()}
                logits = self.model(**batch).logits.float()
                probs = logits.sigmoid() if self.multi_label else logits.softmax(dim=-1)
                for i, row in zip(chunk, probs.cpu().tolist(), strict=True):
                    results[i] = row
        return results

    def _output(self, probs: list[float]) -> EngineOutput:
        scores = dict.fromkeys(BASE_LABELS, 0.0)
        contributions: list[tuple[float, str, str]] = []
        for index, model_label, base, weight in self._pairs:
            amount = probs[index] * weight
            scores[base] += amount
            contributions.append((amount, model_label, base))
        # Softmax mass summed over a many-to-one map stays <= 1, but sigmoid outputs need not.
        scores = {label: min(1.0, max(0.0, value)) for label, value in scores.items()}
        contributions.sort(key=lambda c: c[0], reverse=True)
        top = [c for c in contributions[:MAX_DRIVERS] if c[0] >= MIN_DRIVER_WEIGHT] or contributions[:1]
        drivers = [
            Driver(term=f"model:{model_label}", label=base, weight=amount, source="model")
            for amount, model_label, base in top
            if math.isfinite(amount)
        ]
        return EngineOutput(scores=scores, drivers=drivers)
