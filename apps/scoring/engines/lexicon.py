"""A fast, explainable lexicon engine: VADER valence plus NRC emotion words.

Valence follows VADER's rules (negation, boosters such as "very", ALL CAPS emphasis, "but",
exclamation and question marks, emoji) re-implemented over VADER's own lexicon files, because the
reference analyzer rebuilds strings per emoji and re-lowercases the sentence for every word.
Emotions come from the NRC Emotion Lexicon shipped in ``nrclex`` (read directly: ``NRCLex`` itself
tokenises with TextBlob, which downloads NLTK data at run time), a small curated supplement for
everyday words that file lacks, and an emoji table. Every word that fires becomes a ``Driver``.

Lexicons: VADER (Hutto & Gilbert, ICWSM 2014, MIT licence) and the NRC Word-Emotion Association
Lexicon (Mohammad & Turney, 2013; free for research, see NRC's terms for commercial use).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from vaderSentiment.vaderSentiment import (
    B_DECR,
    B_INCR,
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
)

from .base import BASE_LABELS, Driver, Engine, EngineOutput

__all__ = ["ENGINE_REVISION", "LexiconEngine"]

#: Bump whenever the code below changes how scores are computed (the lexicon hash covers data).
ENGINE_REVISION = "2"

ANGER, DISGUST, FEAR, JOY, NEUTRAL, SADNESS, SURPRISE = range(7)
if BASE_LABELS != ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"):  # pragma: no cover
    raise ImportError("LexiconEngine's label indexes assume the GoEmotions-Ekman label order")
_LABEL_INDEX = {label: i for i, label in enumerate(BASE_LABELS)}
_EMOTION_INDEXES = (ANGER, DISGUST, FEAR, JOY, SADNESS, SURPRISE)

# --------------------------------------------------------------------------------------------
# Weights, tuned by coordinate search for macro-F1 on the GoEmotions-Ekman *train* split (dev is
# only used to report). Evidence per label is summed and squashed as 1 - exp(-evidence).
# --------------------------------------------------------------------------------------------

_P: dict[str, float] = {
    # NRC associations are trusted only for words VADER also rates as clearly affective
    # (|valence| >= 1): on their own they fire on "money", "god", "arrive", "feeling" and cost F1.
    "nrc_weight": 0.17,
    "nrc_spread": 1.5,  # a word tied to n base emotions gives each nrc_weight / n ** spread
    "nrc_requires_valence": 1.0,
    "trust_to_joy": 0.033,  # NRC trust/anticipation only nudge joy
    "anticipation_to_joy": 0.05,
    "extra_weight": 1.0,  # curated supplement entries: one clear word scores about 0.63
    "emoji_weight": 0.75,
    "valence_to_joy": 0.25,  # per 4 VADER valence units, for words without emotion entries
    "valence_to_anger": 0.094,
    "valence_to_sadness": 0.1,
    # Negation is set by meaning rather than F1 (the data barely rewards it): "not happy" pushes
    # joy down, reads as mild disappointment; "not bad" is mildly positive.
    "negated_own": -0.5,
    "negated_pos_to_sadness": 0.2,
    "negated_neg_to_joy": 0.1,
    "booster": 1.0,  # an intensifier's VADER scalar (0.293) scales the emotion by 1 + booster * 0.293
    "caps": 1.3,
    "but_before": 0.6,  # contrast: what follows "but" is what the writer means
    "but_after": 1.2,
    "exclaim": 0.08,  # per "!" (up to 4), on every emotion
    "question_surprise": 0.5,  # curiosity and confusion are "surprise" in the Ekman grouping
    "neutral_evidence": 1.0,
    "neutral_valence": 0.75,
}

# NRC's surprise and fear lists are broad ("good", "money", "lucky" are surprise) and misfire most.
_NRC_LABEL_SCALE: dict[int, float] = {SURPRISE: 0.5, FEAR: 0.5}

#: Per-label decision thresholds, tuned for F1 per label on the train split (searched in 0.15..0.6:
#: lower ones gain little and would fire on a single weak hint).
_THRESHOLDS: dict[str, float] = {
    "anger": 0.15,
    "disgust": 0.25,
    "fear": 0.3,
    "joy": 0.2,
    "neutral": 0.25,
    "sadness": 0.4,
    "surprise": 0.25,
}

# --------------------------------------------------------------------------------------------
# Curated tables
# --------------------------------------------------------------------------------------------

# Everyday emotion words that nrc_en.json lacks ("sad", "scared", "thanks", "wow", "lol"...) or gets
# misleading for messages ("hope" -> surprise). An entry here replaces the NRC entry for the word.
_EXTRA_WORDS: dict[str, str] = {
    "joy": """lol lmao lmfao rofl haha hahaha hehe thanks thank thx ty appreciate appreciated grateful
        thankful awesome great amazing fantastic best nice cool yay woohoo congrats congratulations glad
        loved lovely enjoy enjoyed enjoying funny hilarious cute adorable beautiful happy happier happiest
        pleased delighted thrilled excited exciting proud relieved relief hope hopefully hoping lucky
        welcome perfect brilliant impressed impressive helpful recommend sweet fun laughed laughing smile
        smiled smiling blessed wish wonderful excellent superb terrific glorious yes yeah agree agreed
        like liked likes love loves loving favorite favourite wholesome kudos bravo cheers exactly respect
        support caring honored inspiring inspired gorgeous stunning legend hero champion satisfied
        win won winning""",
    "sadness": """sad sadly sadness unfortunately sorry miss missed missing lonely depressed depressing
        depression heartbroken heartbreaking cry cried crying tears grief grieving rip disappointed
        disappointing disappointment unhappy hurt hurts painful regret regrets ashamed embarrassed
        embarrassing guilty hopeless tragic tragedy miserable devastated died condolences poor sorrow
        lost lose losing apologize apologies unlucky bummer shame pity alone sigh letdown unfortunate""",
    "anger": """angry mad furious pissed annoying annoyed annoys irritating irritated frustrated
        frustrating frustration hate hated hates hating stupid idiot idiots dumb moron ridiculous
        bullshit wtf fuck fucking fucked damn dammit shit crap sucks sucked worst useless pathetic
        outrageous unacceptable rude scam liar lies hell disagree nonsense awful terrible horrible bad
        ugh shut dislike disrespect disrespectful offended offensive toxic garbage trash screw idiotic
        hypocrite incompetent ripoff horrendous""",
    "disgust": """disgusting disgusted gross eww ew yuck nasty vile revolting sickening repulsive creepy
        cringe cringey cringy filthy vomit puke disgust disgrace disgraceful despicable appalling ick barf
        sick sickened""",
    "fear": """scared scary afraid fear terrified terrifying frightening frightened worried worry worrying
        nervous anxious anxiety panic horror horrified dangerous danger threat concerned nightmare dread
        yikes freaked spooky paranoid unsafe risky scares terrify terrifies panicking panicked""",
    "surprise": """wow whoa woah omg surprised surprising surprise shocked shocking unexpected unbelievable
        amazed astonished huh realize realized confused confusing curious wonder wondering weird strange
        interesting wait til unreal insane crazy speechless omfg jeez geez""",
}

# emoji -> (label, weight, valence). The valence replaces VADER's, which is derived from the emoji's
# English name and misses many (😡 "pouting face" is 0, 🔥 "fire" is negative).
_EMOJI: dict[str, tuple[str, float, float]] = {
    **dict.fromkeys("😠😡🤬👿💢😤🖕👎", ("anger", 1.0, -2.5)),
    **dict.fromkeys("🙄😒😑", ("anger", 0.5, -1.0)),
    **dict.fromkeys("🤢🤮💩🤧", ("disgust", 1.0, -2.0)),
    **dict.fromkeys("😱😨😰😧😟😬🙀", ("fear", 1.0, -2.0)),
    **dict.fromkeys("😢😭😞😔😿💔🥺😩😫😓😥☹🙁😪", ("sadness", 1.0, -2.0)),
    **dict.fromkeys("😮😯😲😳🤯😵", ("surprise", 1.0, 0.5)),
    **dict.fromkeys("🤔😕❓⁉", ("surprise", 0.6, -0.3)),
    **dict.fromkeys("😂🤣😆😹", ("joy", 1.0, 2.0)),
    **dict.fromkeys("😍🥰😘😻❤♥💕💖💗💓💞💘💝", ("joy", 1.0, 3.0)),
    **dict.fromkeys("😀😁😃😄😊😇🙂☺😉😋😛😜🤪😝🤗🤩🥳😎😸🥲", ("joy", 0.8, 2.0)),
    **dict.fromkeys("🎉🎊✨🌟⭐💯👍👏🙌🙏💪🤝✅🔥", ("joy", 0.9, 1.5)),
    **dict.fromkeys("😐😶", ("neutral", 0.8, 0.0)),
}

# Words after which the next few words are negated. VADER's list, plus the bare pieces its
# whitespace tokenizer never sees apart ("n't" stays attached there; our regex keeps it too).
_NEGATORS = frozenset(NEGATE) | {"no", "not", "dont", "didnt", "wont", "cant", "isnt", "nobody", "noone"}
_BOOSTERS: dict[str, float] = {k: v for k, v in BOOSTER_DICT.items() if " " not in k}
# Two-word boosters ("kind of", "sort of") are recognised by their last word.
_BOOSTER_BIGRAMS: dict[str, dict[str, float]] = {}
for _phrase, _scalar in BOOSTER_DICT.items():
    if " " in _phrase:
        _first, _last = _phrase.split(" ", 1)
        _BOOSTER_BIGRAMS.setdefault(_last, {})[_first] = _scalar
_NEGATION_WINDOW = 3  # words after a negator that it reaches, as in VADER
_CLAUSE_END = ".,;!?"  # negation and boosting do not cross these (a str: fastest "in" for one char)

# URLs would otherwise score their path words ("/great-deals/happy-hour").
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Cheap pre-check before the ALL CAPS rule: is any word of two or more capitals there at all?
_CAPS_RE = re.compile(r"[A-Z\u00c0-\u00de]{2}")
# Emoji blocks as ranges: a character class listing every emoji one by one makes the tokenizer
# several times slower. Characters in these ranges without a lexicon entry are simply ignored.
_EMOJI_RANGES = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff\u2190-\u21ff\u3030\u303d\u3297\u3299\u203c\u2049"
)


def _words(block: str) -> list[str]:
    # Word tables are kept as prose blocks: far easier to review than hundreds of quoted literals.
    return block.split()


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

# Entry kinds: a word scored with the rules, an emoji/emoticon (no rules: it is the writer's own
# feeling), or a word that only matters as the end of a phrase ("fed up", "the bomb").
_WORD, _EMOJI_KIND, _PHRASE_END = 0, 1, 2
_Phrases = tuple[tuple[tuple[str, ...], float], ...]  # (previous words, valence)
# (VADER valence or 0.0, ((label index, weight), ...), kind, phrases ending in this word or None).
# Plain tuples, unpacked in the hot loop: attribute access on NamedTuples costs measurably.
_Entry = tuple[float, tuple[tuple[int, float], ...], int, _Phrases | None]


class _Tables(NamedTuple):
    entries: dict[str, _Entry]
    token_re: re.Pattern[str]
    digest: str


def _inflections(word: str) -> set[str]:
    """Regular inflections of a lexicon word, so "frustrated" finds "frustrate" with a dict lookup.

    Generating them once at load time is the suffix-stripping fallback turned inside out: the hot
    loop then needs exactly one lookup per token.
    """
    forms = {word + "s", word + "ed", word + "ing", word + "ly", word + "er", word + "est", word + "ness"}
    if word.endswith("e"):
        stem = word[:-1]
        forms |= {word + "d", stem + "ing", word + "r", word + "st", stem + "ingly", word + "dly"}
    elif word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        stem = word[:-1]
        forms |= {stem + "ies", stem + "ied", stem + "ily", stem + "iness", stem + "ier", stem + "iest"}
    elif word.endswith(("s", "sh", "ch", "x", "z")):
        forms.add(word + "es")
    if 3 <= len(word) <= 5 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        double = word + word[-1]  # sad -> sadder, stop -> stopped
        forms |= {double + "ed", double + "ing", double + "er", double + "est"}
    forms |= {form + "ly" for form in forms if form.endswith(("ing", "ed"))}
    return forms


def _read(package: str, *parts: str) -> bytes:
    return resources.files(package).joinpath(*parts).read_bytes()


@lru_cache(maxsize=1)
def _load_tables() -> _Tables:
    """Read and merge the lexicons once per process (about 0.1 s)."""
    vader_raw = _read("vaderSentiment", "vader_lexicon.txt")
    emoji_raw = _read("vaderSentiment", "emoji_utf8_lexicon.txt")
    nrc_raw = _read("nrclex", "data", "nrc_en.json")

    valence: dict[str, float] = {}
    phrases: dict[str, list[tuple[tuple[str, ...], float]]] = {}
    for line in vader_raw.decode("utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        term, value = parts[0].strip(), float(parts[1])
        if " " in term:  # "fed up", "can't stand": VADER's whitespace tokens never match these
            *head, last = term.split(" ")
            phrases.setdefault(last, []).append((tuple(head), value))
        else:
            valence[term] = value
    for phrase, value in SPECIAL_CASES.items():
        *head, last = phrase.split(" ")
        phrases.setdefault(last, []).append((tuple(head), float(value)))

    emotions: dict[str, dict[int, float]] = {}
    for word, assoc in json.loads(nrc_raw).items():
        if abs(valence.get(word, 0.0)) < _P["nrc_requires_valence"]:
            continue
        weights = _nrc_weights(assoc)
        if weights:
            emotions[word] = weights
    for block in _EXTRA_WORDS.values():
        for word in _words(block):
            emotions[word] = {}  # the curated entry replaces NRC's for this word
    for label, block in _EXTRA_WORDS.items():
        for word in _words(block):
            emotions[word][_LABEL_INDEX[label]] = _P["extra_weight"]
    # Inflected forms inherit their base word's emotions unless a lexicon lists them itself;
    # curated words go first so "annoyingly" follows "annoying" rather than NRC's "annoy".
    curated = {word for block in _EXTRA_WORDS.values() for word in _words(block)}
    for word in sorted(emotions, key=lambda w: w not in curated):
        if len(word) >= 3:
            for form in _inflections(word):
                emotions.setdefault(form, emotions[word])

    entries: dict[str, _Entry] = {}
    for word in valence.keys() | emotions.keys():
        if word in _BOOSTERS or (word in _NEGATORS and word != "no"):
            continue  # modifiers shape their neighbours; VADER gives them no sentiment of their own
        entries[word] = (valence.get(word, 0.0), tuple(sorted(emotions.get(word, {}).items())), _WORD, None)

    # VADER scores emoji through the words of their English names ("face with tears of joy").
    for line in emoji_raw.decode("utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and len(parts[0]) == 1:
            score = sum(valence.get(w, 0.0) for w in parts[1].split())
            if score:
                entries[parts[0]] = (score, (), _EMOJI_KIND, None)
    for char, (label, weight, value) in _EMOJI.items():
        entries[char] = (value, ((_LABEL_INDEX[label], weight * _P["emoji_weight"]),), _EMOJI_KIND, None)

    # Longest first; among faces that lowercase alike (":P", ":p") the lowercase original comes last and wins,
    # so the table is the same in every process (a bare set would order them by hash, differently each run).
    emoticons = sorted({t for t in valence if _is_emoticon(t)}, key=lambda t: (-len(t), t == t.lower(), t))
    for face in emoticons:
        # Emoticons are emoji in ASCII: ":)" is joy, ":(" sadness, ">:(" anger, by VADER's valence.
        value = valence[face]
        weights_t: tuple[tuple[int, float], ...] = ()
        if abs(value) >= 1.0:
            label_index = JOY if value > 0 else (ANGER if face.startswith(">") else SADNESS)
            weights_t = ((label_index, _P["emoji_weight"] * min(1.0, abs(value) / 2.0)),)
        # Text is lowercased before tokenising: ":D" is looked up as ":d".
        entries[face.lower()] = (value, weights_t, _EMOJI_KIND, None)

    for last, options in phrases.items():
        value_, weights_, kind, _ = entries.get(last, (0.0, (), _PHRASE_END, None))
        entries[last] = (value_, weights_, kind, tuple(options))

    token_re = _build_token_re(sorted({f.lower() for f in emoticons}, key=len, reverse=True))

    digest = hashlib.sha256()
    for blob in (vader_raw, emoji_raw, nrc_raw):
        digest.update(hashlib.sha256(blob).digest())
    # The curated tables, weights and VADER's rule constants are data too.
    tables_repr = repr(
        (
            _EXTRA_WORDS,
            sorted(_EMOJI.items()),
            sorted(_P.items()),
            _NRC_LABEL_SCALE,
            sorted(_THRESHOLDS.items()),
        )
    )
    rules_repr = repr((sorted(_NEGATORS), sorted(BOOSTER_DICT.items()), B_INCR, B_DECR, C_INCR, N_SCALAR))
    digest.update(tables_repr.encode("utf-8"))
    digest.update(rules_repr.encode("utf-8"))
    return _Tables(entries, token_re, digest.hexdigest())


def _nrc_weights(assoc: list[str]) -> dict[int, float]:
    base = [_LABEL_INDEX[a] for a in assoc if a in _LABEL_INDEX]
    weights: dict[int, float] = {}
    if base:
        # Words tied to many emotions ("feeling" has all ten) say little about any one of them.
        each = _P["nrc_weight"] / len(base) ** _P["nrc_spread"]
        for index in base:
            weights[index] = each * _NRC_LABEL_SCALE.get(index, 1.0)
    nudge = _P["trust_to_joy"] * ("trust" in assoc) + _P["anticipation_to_joy"] * ("anticipation" in assoc)
    if nudge and "negative" not in assoc:
        weights[JOY] = weights.get(JOY, 0.0) + nudge
    return weights


def _is_emoticon(term: str) -> bool:
    # Only emoticons that start with punctuation: letter-initial ones ("xd", "d:") are caught by
    # the word pattern, digit ones ("8)", "0:)") mostly match list numbering and prices, and
    # bracket-initial ones ("(:", ")-:") match ordinary parentheses.
    return (
        len(term) >= 2
        and not term[0].isalnum()
        and not any(c.isdigit() for c in term if c != "3")
        and not term.startswith(("(", ")", "[", "]", "{", "}", "-", "/", "\\", "|", ".", ","))
    )


def _build_token_re(emoticons: list[str]) -> re.Pattern[str]:
    alnum_end = "|".join(re.escape(e) for e in emoticons if e[-1].isalnum())
    other = "|".join(re.escape(e) for e in emoticons if not e[-1].isalnum())
    first_chars = re.escape("".join(sorted({e[0] for e in emoticons})))
    # Order matters: words first (most tokens), then clause punctuation (scopes negation and
    # boosting), then emoticons behind a one-character guard so ordinary positions skip the long
    # alternation (":D" must not run into a word), then emoji.
    return re.compile(
        r"[^\W\d_]+(?:'[^\W\d_]+)*"
        rf"|[{re.escape(_CLAUSE_END)}]+"
        rf"|(?=[{first_chars}])(?:(?:{alnum_end})(?!\w)|{other})"
        rf"|[{_EMOJI_RANGES}]"
    )


# --------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------


class LexiconEngine(Engine):
    """VADER valence and NRC emotions, with VADER-style negation/intensifier rules, fully explained."""

    name = "lexicon"

    def __init__(self) -> None:
        self._tables = _load_tables()

    @property
    def version(self) -> str:
        return f"lexicon-r{ENGINE_REVISION}-{self._tables.digest[:12]}"

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(_THRESHOLDS)

    def score_batch(self, texts: Sequence[str]) -> list[EngineOutput]:
        """Score each text independently (there is nothing to gain from batching a lexicon)."""
        tables = self._tables
        out = []
        for text in texts:
            evidence, compound, fired = _evidence(text, tables)
            out.append(EngineOutput(scores=_scores(evidence, compound), drivers=_drivers(fired), valence=compound))
        return out


def _scores(evidence: list[float], compound: float) -> dict[str, float]:
    exp = math.exp
    total = 0.0
    scores = dict.fromkeys(BASE_LABELS, 0.0)
    for index in _EMOTION_INDEXES:
        value = evidence[index]
        if value > 0.0:
            total += value
            scores[BASE_LABELS[index]] = 1.0 - exp(-value)
    # Neutral: little emotional evidence and a valence near zero (an explicit 😐 adds to it).
    neutral = exp(-_P["neutral_evidence"] * total) * (1.0 - abs(compound)) ** _P["neutral_valence"]
    bonus = evidence[NEUTRAL]
    if bonus > 0.0:
        neutral = 1.0 - (1.0 - neutral) * exp(-bonus)
    scores["neutral"] = neutral
    return scores


def _drivers(fired: dict[tuple[str, int], float]) -> list[Driver]:
    drivers = [Driver(term, BASE_LABELS[index], weight, "lexicon") for (term, index), weight in fired.items()]
    if len(drivers) > 1:
        drivers.sort(key=lambda d: -abs(d.weight))
    return drivers


def _evidence(text: str, tables: _Tables) -> tuple[list[float], float, dict[tuple[str, int], float]]:
    """Per-label evidence, VADER compound valence and the (term, label) -> weight that fired."""
    evidence = [0.0] * 7
    fired: dict[tuple[str, int], float] = {}
    if not text or not isinstance(text, str):
        return evidence, 0.0, fired
    if not text.isascii():
        text = text.replace("\u2019", "'").replace("\u2018", "'")
    if "://" in text or "www." in text or "WWW." in text:
        text = _URL_RE.sub(" ", text)
    token_re = tables.token_re
    lowers = token_re.findall(text.lower())
    entries = tables.entries
    hits = [i for i, word in enumerate(lowers) if word in entries]
    questions = text.count("?")
    if not hits and not questions:
        return evidence, 0.0, fired

    # ALL CAPS emphasises only when the rest is not shouting too (VADER's "cap differential").
    originals: list[str] | None = None
    if _CAPS_RE.search(text):
        tokens = token_re.findall(text)
        if len(tokens) == len(lowers):  # lowercasing can change lengths in rare scripts
            words = [t for t in tokens if t[0].isalpha()]
            n_caps = sum(1 for t in words if t.isupper())
            if 0 < n_caps < len(words):
                originals = tokens

    boosters = _BOOSTERS
    bigram_boosters = _BOOSTER_BIGRAMS
    negators = _NEGATORS
    clause_end = _CLAUSE_END
    p = _P
    but_at = lowers.index("but") if "but" in lowers else -1
    but_before, but_after = p["but_before"], p["but_after"]
    n = len(lowers)
    valence_sum = 0.0

    for i in hits:
        low = lowers[i]
        valence, emotions, kind, options = entries[low]
        # Contrast: what follows "but" is what the writer means ("nice box, but it broke").
        if but_at < 0 or i == but_at:
            val_scale = emo_scale = 1.0
        elif i < but_at:
            val_scale, emo_scale = 0.5, but_before
        else:
            val_scale, emo_scale = 1.5, but_after

        if options is not None:
            phrase = _match_phrase(lowers, i, options)
            if phrase is not None:
                term, value = phrase
                if value:
                    _add_one(evidence, fired, term, JOY if value > 0 else ANGER, abs(value) / 4.0 * emo_scale)
                valence_sum += value * val_scale
                continue
        if kind == _PHRASE_END:
            continue
        if kind == _EMOJI_KIND:
            # Emoji express the writer's own feeling: not negated or boosted by nearby words.
            if emotions:
                _add(evidence, fired, low, emotions, 1.0)
            elif valence > 0.0:
                _add_one(evidence, fired, low, JOY, p["valence_to_joy"] * valence / 4.0)
            valence_sum += valence * val_scale
            continue
        if low == "kind" and i + 1 < n and lowers[i + 1] == "of":
            continue  # "kind of" is a dampener, not the adjective
        if low == "no" and i + 1 < n and lowers[i + 1] in entries:
            valence = 0.0  # "no" negates the next word instead of being negative itself

        shouted = originals is not None and len(low) > 1 and originals[i].isupper()
        if shouted and valence:
            valence += C_INCR if valence > 0 else -C_INCR

        # Look back within the clause for intensifiers and negators, VADER-style.
        boost = 0.0
        negator = ""
        negations = 0
        for distance in range(1, min(_NEGATION_WINDOW, i) + 1):
            j = i - distance
            prev = lowers[j]
            if prev[0] in clause_end:
                break
            scalar = boosters.get(prev)
            if scalar is None and j > 0:
                pair = bigram_boosters.get(prev)
                if pair is not None:
                    scalar = pair.get(lowers[j - 1])
            if scalar is not None:
                if originals is not None and originals[j].isupper():
                    scalar += C_INCR if scalar > 0 else -C_INCR
                boost += scalar * (1.0 if distance == 1 else (0.95 if distance == 2 else 0.9))
            elif prev in negators or prev.endswith("n't"):
                if prev == "never" and lowers[j + 1] in ("so", "this"):
                    valence *= 1.25  # "never so good" is emphasis, not negation
                elif prev == "without" and "doubt" in lowers[j + 1 : i]:
                    pass
                else:
                    negations += 1
                    negator = negator or prev
            elif prev == "least" and distance == 1 and (j == 0 or lowers[j - 1] not in ("at", "very")):
                negations += 1
                negator = negator or prev

        negated = negations % 2 == 1
        if valence:
            valence += boost if valence > 0 else -boost
            if negated:
                valence *= N_SCALAR
        valence_sum += valence * val_scale

        factor = 1.0 + p["booster"] * boost
        if factor < 0.2:
            factor = 0.2
        if shouted:
            factor *= p["caps"]
        factor *= emo_scale
        if negated:
            term = f"{negator} {low}"
            if emotions:
                _add(evidence, fired, term, emotions, p["negated_own"] * factor)
            base_valence = entries[low][0]
            if base_valence > 0.0:
                _add_one(evidence, fired, term, SADNESS, p["negated_pos_to_sadness"] * factor)
            elif base_valence < 0.0:
                _add_one(evidence, fired, term, JOY, p["negated_neg_to_joy"] * factor)
        elif emotions:
            _add(evidence, fired, low, emotions, factor)
        elif valence > 0.0:
            _add_one(evidence, fired, low, JOY, p["valence_to_joy"] * valence / 4.0 * factor)
        elif valence < 0.0:
            _add_one(evidence, fired, low, ANGER, p["valence_to_anger"] * -valence / 4.0 * factor)
            _add_one(evidence, fired, low, SADNESS, p["valence_to_sadness"] * -valence / 4.0 * factor)

    exclaims = text.count("!")
    if questions:
        _add_one(evidence, fired, "?", SURPRISE, p["question_surprise"])
    if exclaims:
        lift = 1.0 + p["exclaim"] * min(exclaims, 4)
        for index in _EMOTION_INDEXES:
            if evidence[index] > 0.0:
                evidence[index] *= lift

    # VADER's punctuation emphasis and normalisation (alpha = 15).
    compound = 0.0
    if valence_sum:
        emphasis = min(exclaims, 4) * 0.292
        if questions > 1:
            emphasis += questions * 0.18 if questions <= 3 else 0.96
        valence_sum += emphasis if valence_sum > 0 else -emphasis
        compound = max(-1.0, min(1.0, valence_sum / math.sqrt(valence_sum * valence_sum + 15.0)))
    return evidence, compound, fired


def _match_phrase(lowers: list[str], i: int, options: _Phrases) -> tuple[str, float] | None:
    for head, value in options:
        k = len(head)
        if i >= k and tuple(lowers[i - k : i]) == head:
            return " ".join((*head, lowers[i])), value
    return None


def _add(
    evidence: list[float],
    fired: dict[tuple[str, int], float],
    term: str,
    emotions: tuple[tuple[int, float], ...],
    factor: float,
) -> None:
    for index, weight in emotions:
        value = weight * factor
        evidence[index] += value
        key = (term, index)
        fired[key] = fired.get(key, 0.0) + value


def _add_one(evidence: list[float], fired: dict[tuple[str, int], float], term: str, index: int, value: float) -> None:
    evidence[index] += value
    key = (term, index)
    fired[key] = fired.get(key, 0.0) + value
