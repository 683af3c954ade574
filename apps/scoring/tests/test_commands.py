"""The scoring management commands, as an operator runs them."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.scoring.models import EmotionScore
from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db

LABELS = "anger\ndisgust\nfear\njoy\nneutral\nsadness\nsurprise\n"
ROWS = [
    ("I am so angry at this, furious!", "0"),
    ("This is disgusting and gross", "1"),
    ("I'm scared and worried", "2"),
    ("I love this, thank you so much", "3"),
    ("The meeting is at noon", "4"),
    ("I'm so sad, this is heartbreaking", "5"),
    ("Wow, I did not expect that!", "6"),
    ("Thanks, amazing work", "3"),
]


@pytest.fixture
def dataset(tmp_path):
    (tmp_path / "labels.txt").write_text(LABELS)
    lines = [f"{text}\t{ids}\tid{i}" for i, (text, ids) in enumerate(ROWS * 6)]
    (tmp_path / "train.tsv").write_text("\n".join(lines) + "\n")
    (tmp_path / "dev.tsv").write_text("\n".join(lines[:14]) + "\n")
    return tmp_path


def test_evaluate_emotions_prints_the_figures_as_json(dataset):
    out = StringIO()
    call_command(
        "evaluate_emotions",
        "--tsv",
        str(dataset / "dev.tsv"),
        "--labels",
        str(dataset / "labels.txt"),
        "--engine",
        "linear",
        "--json",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert {"macro_f1", "per_label", "top_label_accuracy", "messages_per_second", "engine", "model_version"} <= set(
        report
    )
    assert report["engine"] == "linear" and report["rows"] == 14
    assert set(report["per_label"]) == set(LABELS.split())
    assert report["top_label_accuracy"] > 0.5  # the shipped model gets these plain sentences mostly right


def test_evaluate_emotions_names_a_bad_label_id(dataset):
    (dataset / "bad.tsv").write_text("some text\t9\tx1\n")
    with pytest.raises(CommandError, match="bad label ids"):
        call_command("evaluate_emotions", "--tsv", str(dataset / "bad.tsv"), "--labels", str(dataset / "labels.txt"))


def test_evaluate_emotions_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("evaluate_emotions", "--tsv", str(tmp_path / "nope.tsv"))


def test_train_default_model_reproduces_an_artifact_and_notices_a_changed_one(dataset, tmp_path):
    out = tmp_path / "artifact"
    call_command("train_default_model", "--data", str(dataset), "--out", str(out), stdout=StringIO())
    ok = StringIO()
    call_command("train_default_model", "--data", str(dataset), "--out", str(out), "--check", stdout=ok)
    assert "reproduced byte for byte" in ok.getvalue()
    (out / "meta.json").write_text((out / "meta.json").read_text().replace('"seed":0', '"seed":1'))
    with pytest.raises(CommandError, match="not reproduced"):
        call_command("train_default_model", "--data", str(dataset), "--out", str(out), "--check", stdout=StringIO())


def _perturb_weights(artifact, change) -> None:
    """Rewrite weights.npy (and its checksum, as a training on another CPU would) with ``change`` applied."""
    import hashlib

    import numpy as np

    weights = np.load(artifact / "weights.npy")
    np.save(artifact / "weights.npy", change(weights).astype(weights.dtype), allow_pickle=False)
    meta = json.loads((artifact / "meta.json").read_text())
    meta["sha256"]["weights.npy"] = hashlib.sha256((artifact / "weights.npy").read_bytes()).hexdigest()
    (artifact / "meta.json").write_text(json.dumps(meta))


def test_train_default_model_accepts_floating_point_noise_of_another_cpu(dataset, tmp_path):
    out = tmp_path / "artifact"
    call_command("train_default_model", "--data", str(dataset), "--out", str(out), stdout=StringIO())
    _perturb_weights(out, lambda w: w + 1e-5)
    ok = StringIO()
    call_command("train_default_model", "--data", str(dataset), "--out", str(out), "--check", stdout=ok)
    assert "reproduced up to floating point: meta.json, weights.npy differ" in ok.getvalue()
    assert "agree on 100.00% of 14 texts" in ok.getvalue()


def test_train_default_model_refuses_weights_that_decide_differently(dataset, tmp_path):
    out = tmp_path / "artifact"
    call_command("train_default_model", "--data", str(dataset), "--out", str(out), stdout=StringIO())
    _perturb_weights(out, lambda w: -w)
    with pytest.raises(CommandError, match="decide differently"):
        call_command("train_default_model", "--data", str(dataset), "--out", str(out), "--check", stdout=StringIO())


def test_rescore_scores_the_backlog_once(settings):
    settings.SCORING_ENGINE = "lexicon"
    messages = MessageFactory.create_batch(3, text="I'm worried about the outage")
    MessageFactory(author_role="agent", text="Sorry about that")
    out = StringIO()
    call_command("rescore", "--no-progress", "--batch-size", "2", stdout=out)
    assert "3 messages to score" in out.getvalue()
    assert EmotionScore.objects.filter(message__in=messages).count() == 3
    again = StringIO()
    call_command("rescore", "--no-progress", stdout=again)
    assert "0 messages to score" in again.getvalue()


def test_rescore_with_another_engine_keeps_history(settings):
    settings.SCORING_ENGINE = "lexicon"
    message = MessageFactory(text="Thank you, wonderful support")
    call_command("rescore", "--no-progress", stdout=StringIO())
    call_command("rescore", "--no-progress", "--engine", "linear", stdout=StringIO())
    scores = EmotionScore.objects.filter(message=message)
    assert sorted(scores.values_list("engine", "is_current")) == [("lexicon", False), ("linear", True)]


def test_rescore_refuses_a_bad_since():
    with pytest.raises(CommandError, match="ISO date-time"):
        call_command("rescore", "--since", "yesterday", stdout=StringIO())
