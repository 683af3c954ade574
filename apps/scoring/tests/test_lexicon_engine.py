"""Tests for the lexicon engine: VADER-style rules over VADER valence and NRC emotions, explained."""

from __future__ import annotations

import pytest

from apps.scoring.engines import lexicon
from apps.scoring.engines.base import BASE_LABELS, Driver, Engine, EngineOutput
from apps.scoring.engines.lexicon import ENGINE_REVISION, LexiconEngine


@pytest.fixture(scope="module")
def engine() -> LexiconEngine:
    return LexiconEngine()


def _terms(output: EngineOutput, label: str | None = None) -> set[str]:
    return {d.term for d in output.drivers if label is None or d.label == label}


def test_it_is_an_engine_named_lexicon_for_english_with_every_base_label(engine: LexiconEngine) -> None:
    assert isinstance(engine, Engine)
    assert engine.name == "lexicon"
    assert engine.labels == BASE_LABELS
    assert "en" in engine.languages


@pytest.mark.parametrize(
    "text",
    [
        "I am happy",
        "",
        "   ",
        "!!!",
        "The package arrived on Tuesday.",
        "😡😡 WORST. SERVICE. EVER!!!",
        "no " * 50,
    ],
)
def test_it_returns_every_base_label_in_0_1_and_valence_in_minus_1_1(engine: LexiconEngine, text: str) -> None:
    output = engine.score(text)
    assert set(output.scores) == set(BASE_LABELS)
    assert all(0.0 <= value <= 1.0 for value in output.scores.values())
    assert output.valence is not None
    assert -1.0 <= output.valence <= 1.0


def test_it_scores_joy_and_positive_valence_for_happy_text(engine: LexiconEngine) -> None:
    output = engine.score("I am happy")
    assert output.scores["joy"] > 0.5
    assert output.valence > 0.3
    assert engine.predict_labels(output.scores) == ["joy"]


def test_not_happy_does_not_score_joy_and_turns_valence_negative(engine: LexiconEngine) -> None:
    happy = engine.score("I am happy")
    not_happy = engine.score("I am not happy")
    assert not_happy.scores["joy"] < 0.1
    assert not_happy.scores["joy"] < happy.scores["joy"]
    assert not_happy.valence < 0.0 < happy.valence
    assert "joy" not in engine.predict_labels(not_happy.scores)


def test_a_negated_word_becomes_a_negative_driver_named_with_its_negator(engine: LexiconEngine) -> None:
    output = engine.score("I am not happy")
    joy = [d for d in output.drivers if d.label == "joy"]
    assert joy == [Driver("not happy", "joy", pytest.approx(-0.5), "lexicon")]


@pytest.mark.parametrize("text", ["I don't feel happy", "I didn't feel happy", "I never was happy", "Isn’t happy"])
def test_negation_reaches_a_few_words_ahead_and_handles_contractions(engine: LexiconEngine, text: str) -> None:
    output = engine.score(text)
    assert output.scores["joy"] < 0.1, text
    assert output.valence < 0.0, text


def test_negation_stops_at_a_clause_boundary(engine: LexiconEngine) -> None:
    output = engine.score("I'm not happy, I'm furious")
    assert output.scores["anger"] > 0.5
    assert "furious" in _terms(output, "anger")


def test_not_bad_is_not_scored_as_anger(engine: LexiconEngine) -> None:
    output = engine.score("Not bad at all")
    assert output.scores["anger"] == 0.0
    assert output.valence > 0.0


def test_intensifiers_raise_and_dampeners_lower_the_score(engine: LexiconEngine) -> None:
    plain = engine.score("I am happy")
    very = engine.score("I am very happy")
    extremely = engine.score("I am extremely happy")
    kind_of = engine.score("I am kind of happy")
    assert kind_of.scores["joy"] < plain.scores["joy"] < very.scores["joy"]
    assert extremely.scores["joy"] > plain.scores["joy"]
    assert kind_of.valence < plain.valence < very.valence


def test_all_caps_emphasis_raises_the_score_when_the_rest_is_not_shouted(engine: LexiconEngine) -> None:
    plain = engine.score("I am angry with you")
    shouted = engine.score("I am ANGRY with you")
    assert shouted.scores["anger"] > plain.scores["anger"]
    assert shouted.valence < plain.valence


def test_exclamation_marks_raise_emotion_and_valence(engine: LexiconEngine) -> None:
    plain = engine.score("This is great")
    excited = engine.score("This is great!!!")
    assert excited.scores["joy"] > plain.scores["joy"]
    assert excited.valence > plain.valence


def test_but_shifts_weight_to_the_clause_after_it(engine: LexiconEngine) -> None:
    bad_after = engine.score("The food was great, but the service was terrible")
    good_after = engine.score("The food was terrible, but the service was great")
    assert bad_after.valence < 0.0 < good_after.valence
    assert bad_after.scores["anger"] > good_after.scores["anger"]


@pytest.mark.parametrize(
    ("emoji", "label"),
    [
        ("😡", "anger"),
        ("🤬", "anger"),
        ("😢", "sadness"),
        ("😭", "sadness"),
        ("😂", "joy"),
        ("😍", "joy"),
        ("🎉", "joy"),
        ("😱", "fear"),
        ("😨", "fear"),
        ("🤢", "disgust"),
        ("🤮", "disgust"),
        ("😮", "surprise"),
        ("😲", "surprise"),
    ],
)
def test_emoji_map_to_their_emotion(engine: LexiconEngine, emoji: str, label: str) -> None:
    output = engine.score(emoji)
    assert max(BASE_LABELS, key=output.scores.__getitem__) == label
    assert emoji in _terms(output, label)


def test_emoji_glued_to_a_word_still_count(engine: LexiconEngine) -> None:
    assert engine.score("thanks😡").scores["anger"] > 0.3


def test_emoji_valence_follows_their_emotion(engine: LexiconEngine) -> None:
    assert engine.score("😡").valence < 0.0 < engine.score("😂").valence


@pytest.mark.parametrize(("face", "label"), [(":)", "joy"), (":-D", "joy"), ("<3", "joy"), (":(", "sadness")])
def test_ascii_emoticons_count_like_emoji(engine: LexiconEngine, face: str, label: str) -> None:
    output = engine.score(f"ok {face}")
    assert output.scores[label] > 0.3
    assert face.lower() in _terms(output, label)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I'm so scared", "fear"),
        ("that is disgusting", "disgust"),
        ("I feel sad", "sadness"),
        ("wow I did not see that coming", "surprise"),
        ("I'm furious", "anger"),
        ("thanks so much", "joy"),
    ],
)
def test_plain_emotion_words_score_their_label(engine: LexiconEngine, text: str, label: str) -> None:
    output = engine.score(text)
    assert label in engine.predict_labels(output.scores)


@pytest.mark.parametrize(
    ("word", "label"),
    [
        ("frustrates", "anger"),
        ("sadder", "sadness"),
        ("scariest", "fear"),
        ("disgustingly", "disgust"),
        ("annoyingly", "anger"),
    ],
)
def test_inflected_forms_fall_back_to_their_lexicon_stem(engine: LexiconEngine, word: str, label: str) -> None:
    output = engine.score(f"it {word} me")
    assert output.scores[label] > 0.0
    assert word in _terms(output, label)


def test_nrc_lexicon_words_outside_the_curated_list_fire(engine: LexiconEngine) -> None:
    # "murder" is only in the NRC file (anger, fear, sadness, disgust...), not in the curated supplement.
    output = engine.score("they reported a murder")
    assert {"fear", "sadness"} <= {d.label for d in output.drivers if d.term == "murder"}


def test_vader_phrases_are_recognised(engine: LexiconEngine) -> None:
    output = engine.score("I'm fed up")
    assert output.valence < 0.0
    assert "fed up" in _terms(output)


def test_a_question_suggests_surprise_curiosity(engine: LexiconEngine) -> None:
    output = engine.score("Why did my order ship to another city?")
    assert output.scores["surprise"] > 0.0
    assert "?" in _terms(output, "surprise")


def test_factual_text_is_neutral(engine: LexiconEngine) -> None:
    output = engine.score("The package arrived on Tuesday.")
    assert output.scores["neutral"] > 0.9
    assert output.valence == 0.0
    assert output.drivers == []
    assert engine.predict_labels(output.scores) == ["neutral"]


def test_emotional_text_is_not_neutral(engine: LexiconEngine) -> None:
    output = engine.score("I am absolutely furious and disgusted with this terrible service")
    assert output.scores["neutral"] < 0.1
    assert "neutral" not in engine.predict_labels(output.scores)


def test_drivers_name_the_words_that_fired_with_label_weight_and_source(engine: LexiconEngine) -> None:
    output = engine.score("I am so angry and sad 😡")
    assert {"angry", "sad", "😡"} <= _terms(output)
    for driver in output.drivers:
        assert driver.source == "lexicon"
        assert driver.label in BASE_LABELS
        assert driver.weight != 0.0
    weights = [abs(d.weight) for d in output.drivers]
    assert weights == sorted(weights, reverse=True)


def test_urls_are_not_scored(engine: LexiconEngine) -> None:
    output = engine.score("see https://example.com/happy-great-love/awesome")
    assert output.drivers == []


def test_it_tolerates_empty_and_non_text_input(engine: LexiconEngine) -> None:
    outputs = engine.score_batch(["", None, 42, "great"])  # type: ignore[list-item]
    assert [o.scores["neutral"] for o in outputs[:3]] == [1.0, 1.0, 1.0]
    assert outputs[3].scores["joy"] > 0.5


def test_score_batch_keeps_order_and_length(engine: LexiconEngine) -> None:
    texts = ["I am happy", "I am furious", "I am scared"]
    outputs = engine.score_batch(texts)
    assert len(outputs) == 3
    assert [max(BASE_LABELS, key=o.scores.__getitem__) for o in outputs] == ["joy", "anger", "fear"]
    assert engine.score_batch([]) == []


def test_thresholds_cover_every_label_and_predictions_are_never_empty(engine: LexiconEngine) -> None:
    thresholds = engine.thresholds
    assert set(thresholds) == set(BASE_LABELS)
    assert all(0.0 < value < 1.0 for value in thresholds.values())
    assert engine.predict_labels(engine.score("").scores)


def test_version_is_stable_and_names_the_code_revision(engine: LexiconEngine) -> None:
    assert engine.version == LexiconEngine().version
    assert engine.version.startswith(f"lexicon-r{ENGINE_REVISION}-")


def test_version_changes_when_a_lexicon_file_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    before = LexiconEngine().version
    real_read = lexicon._read

    def edited_read(package: str, *parts: str) -> bytes:
        data = real_read(package, *parts)
        return data + b"zzzunhappyword\t-2.0\t0.5\t[-2]\n" if parts == ("vader_lexicon.txt",) else data

    monkeypatch.setattr(lexicon, "_read", edited_read)
    lexicon._load_tables.cache_clear()
    try:
        assert LexiconEngine().version != before
    finally:
        monkeypatch.undo()
        lexicon._load_tables.cache_clear()
    assert LexiconEngine().version == before


def test_the_lexicon_scores_the_same_in_every_process() -> None:
    """Hash randomisation must not change any score (":P" and ":p" once collided in a set)."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "from apps.scoring.engines.lexicon import LexiconEngine;"
        "out = LexiconEngine().score_batch(['so good :p', 'that is too much :P', 'fine :D :d XD', 'meh :/ :-/']);"
        "print(repr([(sorted(o.scores.items()), o.valence, [(d.term, d.weight) for d in o.drivers]) for o in out]))"
    )
    root = Path(__file__).resolve().parents[3]
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(runs) == 1
