"""The default emotion engine: a sparse linear model over word and character n-grams.

Trained on GoEmotions (Demszky et al., ACL 2020, Apache-2.0; Ekman grouping as published in
monologg/GoEmotions-pytorch) by :mod:`apps.scoring.ml.train_linear`. The model is one weight
matrix ``W`` (features x labels) plus a bias per label and a small dense weight matrix ``V``:
per label, an NB-weighted logistic regression and a linear SVM are fit on the n-grams, and a
stacking logistic regression (fit on their out-of-fold logits for all seven labels plus the dense
features) combines them. Every stage is linear, so it all folds into ``X @ W + D @ V + b``:
scoring is a sparse matrix product and every score decomposes exactly into per-feature
contributions, which is where the drivers come from.

Features (identical at training and scoring time, both use :class:`Featurizer` and
:func:`dense_features`):

* text normalisation: ``[NAME]``/``[RELIGION]`` masks become ``xxname``/``xxrelig``, lower case;
* word block: tokens ``\\w+`` or any single non-space non-word character (punctuation, emoji),
  unigrams and bigrams; tf-idf with sublinear tf, L2-normalised;
* char block: ``char_wb`` n-grams (2..5) of each space-padded token, same weighting, normalised
  separately;
* dense block ``D``: the :class:`~apps.scoring.engines.lexicon.LexiconEngine`'s seven label scores
  and nine 0/1 style cues (``?``, ``?!``, ``!``, ``!!``, ``...``, final period, emoji, elongated
  word, mostly ALL CAPS). The lexicon engine is therefore part of the model: its version is
  recorded in ``meta.json``, checked at load time, and part of :attr:`LinearEngine.version`.

The artifact is a directory holding ``meta.json`` (labels, thresholds, featurizer settings,
lexicon version, checksums), ``vocab.json`` (the word and char vocabularies, in index order) and
``.npy`` arrays (``idf``, ``weights``, ``bias``, ``dense``) read with ``allow_pickle=False``.
Nothing is unpickled.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from operator import itemgetter
from pathlib import Path

import numpy as np

from .base import BASE_LABELS, Driver, Engine, EngineOutput

DEFAULT_ARTIFACT_DIR = Path(__file__).resolve().parent.parent / "artifacts" / "linear"

ARTIFACT_FILES = ("meta.json", "vocab.json", "idf.npy", "weights.npy", "bias.npy", "dense.npy")

_TOKEN_RE = re.compile(r"\w+|[^\w\s]")

#: Dense features after the n-gram blocks: the lexicon engine's seven label scores, then style cues.
#: Each style cue is 0/1 and is credited in drivers to the readable term next to it.
STYLE_FEATURES: tuple[tuple[str, str], ...] = (
    ("question", "?"),
    ("interrobang", "?!"),
    ("exclaim", "!"),
    ("exclaim2", "!!"),
    ("ellipsis", "..."),
    ("ends_with_period", "."),
    ("emoji", "(emoji)"),
    ("elongation", "(elongated word)"),
    ("all_caps", "(ALL CAPS)"),
)
DENSE_FEATURES: tuple[str, ...] = tuple(f"lexicon:{label}" for label in BASE_LABELS) + tuple(
    f"style:{name}" for name, _ in STYLE_FEATURES
)
_N_LEX = len(BASE_LABELS)
_NEUTRAL = BASE_LABELS.index("neutral")
_ELONG_RE = re.compile(r"([a-zA-Z])\1\1")
_EMOJI_RE = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
_CAPS_WORD_RE = re.compile(r"[A-Za-z]{2,}")


def style_features(text: str) -> list[float]:
    """The 0/1 style cues of one (raw, not normalised) text, in ``STYLE_FEATURES`` order."""
    n_ex = text.count("!")
    words = _CAPS_WORD_RE.findall(text)
    caps = sum(1 for w in words if w.isupper() and w not in ("NAME", "RELIGION"))
    return [
        float("?" in text),
        float("?!" in text or "!?" in text),
        float(n_ex >= 1),
        float(n_ex >= 2),
        float("..." in text),
        float(text.rstrip().endswith(".")),
        float(_EMOJI_RE.search(text) is not None),
        float(_ELONG_RE.search(text) is not None),
        float(caps >= 2 and caps * 2 > len(words)),
    ]


def dense_features(texts: Sequence[str], lexicon) -> tuple[np.ndarray, list]:
    """(n x len(DENSE_FEATURES)) float64 matrix and the lexicon's drivers per text."""
    outs = lexicon.score_batch([t or "" for t in texts])
    get = itemgetter(*BASE_LABELS)
    rows = [[*get(out.scores), *style_features(text or "")] for text, out in zip(texts, outs, strict=True)]
    D = np.array(rows, dtype=np.float64).reshape(len(outs), len(DENSE_FEATURES))
    return D, [out.drivers for out in outs]


_MASKS = (("[NAME]", " xxname "), ("[RELIGION]", " xxrelig "))


def normalize(text: str) -> str:
    for mask, token in _MASKS:
        if mask in text:
            text = text.replace(mask, token)
    return text.lower()


class Featurizer:
    """Turns normalised text into word and char n-grams (the analyzers used by training too)."""

    def __init__(self, word_ngrams: tuple[int, int] = (1, 2), char_ngrams: tuple[int, int] = (2, 5)):
        self.word_ngrams = (int(word_ngrams[0]), int(word_ngrams[1]))
        self.char_ngrams = (int(char_ngrams[0]), int(char_ngrams[1]))

    def tokens(self, norm_text: str) -> list[str]:
        return _TOKEN_RE.findall(norm_text)

    def word_grams(self, tokens: list[str]) -> list[str]:
        lo, hi = self.word_ngrams
        out = list(tokens) if lo == 1 else []
        n_tok = len(tokens)
        for n in range(max(lo, 2), hi + 1):
            for i in range(n_tok - n + 1):
                out.append(" ".join(tokens[i : i + n]))
        return out

    def char_grams_of_word(self, word: str) -> list[str]:
        """sklearn's ``char_wb`` n-grams of one whitespace-delimited word."""
        lo, hi = self.char_ngrams
        w = " " + word + " "
        w_len = len(w)
        out = []
        for n in range(lo, hi + 1):
            if n >= w_len:
                out.append(w)
                break
            for i in range(w_len - n + 1):
                out.append(w[i : i + n])
        return out

    def char_words(self, norm_text: str) -> list[str]:
        return norm_text.split()  # same split as sklearn's char_wb

    def char_grams(self, norm_text: str) -> list[str]:
        out: list[str] = []
        for w in self.char_words(norm_text):
            out.extend(self.char_grams_of_word(w))
        return out

    # callables handed to sklearn's CountVectorizer(analyzer=...) at training time
    def word_analyzer(self, text: str) -> list[str]:
        return self.word_grams(self.tokens(normalize(text)))

    def char_analyzer(self, text: str) -> list[str]:
        return self.char_grams(normalize(text))


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class LinearEngine(Engine):
    """Scores with the shipped (or a given) linear artifact.

    Safe to share between threads: the only mutable state is a bounded cache of per-word char
    n-gram ids (plain dict operations under the GIL). Score in batches: per-call overhead is
    a few hundred microseconds, per-text cost well under a hundred.
    """

    name = "linear"

    def __init__(self, artifact_dir: str | Path | None = None, n_drivers: int = 5):
        self.artifact_dir = Path(artifact_dir) if artifact_dir is not None else DEFAULT_ARTIFACT_DIR
        self.n_drivers = int(n_drivers)
        d = self.artifact_dir
        meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
        if tuple(meta["labels"]) != tuple(BASE_LABELS):
            raise ValueError(f"artifact labels {meta['labels']} != BASE_LABELS {BASE_LABELS}")
        for fname, digest in meta.get("sha256", {}).items():
            if _sha256_file(d / fname) != digest:
                raise ValueError(f"artifact file {fname} does not match its checksum in meta.json")
        self.meta = meta
        vocab = json.loads((d / "vocab.json").read_text(encoding="utf-8"))
        self._word_vocab: dict[str, int] = {t: i for i, t in enumerate(vocab["word"])}
        n_word = len(vocab["word"])
        self._char_vocab: dict[str, int] = {t: i + n_word for i, t in enumerate(vocab["char"])}
        self._terms: list[str] = list(vocab["word"]) + list(vocab["char"])
        self._n_word = n_word
        self._idf = np.load(d / "idf.npy", allow_pickle=False).astype(np.float64)
        self._weights = np.ascontiguousarray(np.load(d / "weights.npy", allow_pickle=False), dtype=np.float32)
        self._bias = np.load(d / "bias.npy", allow_pickle=False).astype(np.float32)
        self._dense_w = np.load(d / "dense.npy", allow_pickle=False).astype(np.float64)
        n_feat = len(self._terms)
        if self._idf.shape != (n_feat,) or self._weights.shape != (n_feat, len(BASE_LABELS)):
            raise ValueError("artifact arrays do not match the vocabulary")
        if tuple(meta["dense"]["features"]) != DENSE_FEATURES or self._dense_w.shape != (
            len(DENSE_FEATURES),
            len(BASE_LABELS),
        ):
            raise ValueError("artifact dense features do not match this engine's DENSE_FEATURES")
        from .lexicon import LexiconEngine

        # the lexicon engine's scores are model inputs: its version is part of the model
        self._lexicon = LexiconEngine()
        if self._lexicon.version != meta["dense"]["lexicon_version"]:
            raise ValueError(
                f"artifact was trained with {meta['dense']['lexicon_version']}, this is {self._lexicon.version}:"
                " retrain the linear model (apps.scoring.ml.train_linear)"
            )
        feat = meta["featurizer"]
        self.featurizer = Featurizer(tuple(feat["word_ngrams"]), tuple(feat["char_ngrams"]))
        self._sublinear = bool(feat.get("sublinear_tf", True))
        self._thresholds = {label: float(meta["thresholds"][label]) for label in self.labels}
        self._version = f"linear-{meta['model_id'][:16]}+{self._lexicon.version}"
        self._word_cache: dict[str, tuple[str, tuple[int, ...]]] = {}
        # the driver term each word feature is credited to (a bigram with a punctuation
        # token, like "wow ," or ", thank", is credited to its word)
        self._word_segment: list[str] = [_segment_term(t) for t in vocab["word"]]

    @property
    def version(self) -> str:
        return self._version

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(self._thresholds)

    # --- features -------------------------------------------------------------------------
    def _word_entry(self, word: str) -> tuple[str, tuple[int, ...]]:
        """(display term, vocab ids of its char n-grams) for one whitespace word, cached."""
        entry = self._word_cache.get(word)
        if entry is None:
            get = self._char_vocab.get
            ids = tuple(j for j in map(get, self.featurizer.char_grams_of_word(word)) if j is not None)
            term = word.strip(_EDGE_PUNCT) or word
            entry = (term, ids)
            if len(self._word_cache) >= _WORD_CACHE_SIZE:
                self._word_cache.clear()
            self._word_cache[word] = entry
        return entry

    def _occurrences(self, texts: Sequence[str], with_segments: bool):
        """Every in-vocabulary n-gram occurrence of the batch as parallel arrays.

        Returns (rows, cols) and, when asked, (segs, seg_rows, seg_terms): each occurrence's
        segment, i.e. the human-readable term it is credited to in drivers (the word n-gram
        itself, or for char n-grams the word they were cut from), numbered across the batch.
        """
        fz = self.featurizer
        wget = self._word_vocab.get
        rows: list[int] = []
        cols: list[int] = []
        segs: list[int] = []
        seg_rows: list[int] = []
        seg_terms: list[str] = []
        for r, text in enumerate(texts):
            norm = normalize(text or "")
            grams = fz.word_grams(fz.tokens(norm))
            local: dict[str, int] = {}
            n0 = len(cols)
            if with_segments:
                seg_of = self._word_segment
                for g in grams:
                    j = wget(g)
                    if j is not None:
                        cols.append(j)
                        term = seg_of[j]
                        s = local.get(term)
                        if s is None:
                            s = local[term] = len(seg_terms)
                            seg_terms.append(term)
                            seg_rows.append(r)
                        segs.append(s)
                for w in norm.split():
                    term, ids = self._word_entry(w)
                    if ids:
                        cols.extend(ids)
                        s = local.get(term)
                        if s is None:
                            s = local[term] = len(seg_terms)
                            seg_terms.append(term)
                            seg_rows.append(r)
                        segs.extend([s] * len(ids))
            else:
                cols.extend([j for j in map(wget, grams) if j is not None])
                for w in norm.split():
                    cols.extend(self._word_entry(w)[1])
            rows.extend([r] * (len(cols) - n0))
        return rows, cols, segs, seg_rows, seg_terms

    def _tfidf(self, n_rows: int, rows: list[int], cols: list[int]):
        """Unique (row, col) entries in CSR order, their counts, the inverse map, and values."""
        n_feat = len(self._terms)
        rows_a = np.asarray(rows, dtype=np.int64)
        cols_a = np.asarray(cols, dtype=np.int64)
        keys, inverse, counts = np.unique(rows_a * n_feat + cols_a, return_inverse=True, return_counts=True)
        u_rows = keys // n_feat
        u_cols = keys - u_rows * n_feat
        tf = counts.astype(np.float64)
        if self._sublinear:
            tf = 1.0 + np.log(tf)
        vals = tf * self._idf[u_cols]
        # L2 norm per row and per block (word block, char block), as in two TfidfVectorizers
        is_char = u_cols >= self._n_word
        block = u_rows * 2 + is_char
        sq = np.bincount(block, weights=vals * vals, minlength=2 * n_rows)
        norms = np.sqrt(sq)
        norms[norms == 0] = 1.0
        vals /= norms[block]
        return u_rows, u_cols, counts, inverse, vals

    def transform(self, texts: Sequence[str]):
        """The batch's tf-idf rows as a scipy CSR matrix (n_texts x n_features)."""
        texts = list(texts)
        rows, cols, *_ = self._occurrences(texts, with_segments=False)
        return self._csr(len(texts), *self._tfidf(len(texts), rows, cols))

    def _csr(self, n_rows, u_rows, u_cols, counts, inverse, vals):
        from scipy.sparse import csr_matrix

        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(u_rows, minlength=n_rows), out=indptr[1:])
        return csr_matrix((vals.astype(np.float32), u_cols.astype(np.int32), indptr), shape=(n_rows, len(self._terms)))

    def _logits(self, X, D: np.ndarray) -> np.ndarray:
        return np.asarray(X @ self._weights, dtype=np.float64) + self._bias + D @ self._dense_w

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        return self._logits(self.transform(texts), dense_features(texts, self._lexicon)[0])

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Independent per-label probabilities, shape (n_texts, 7), columns in BASE_LABELS order."""
        return _sigmoid(self.decision_function(texts))

    # --- scoring --------------------------------------------------------------------------
    def score_batch(self, texts: Sequence[str]) -> list[EngineOutput]:
        texts = list(texts)
        n = len(texts)
        if not n:
            return []
        want_drivers = self.n_drivers > 0
        rows, cols, segs, seg_rows, seg_terms = self._occurrences(texts, with_segments=want_drivers)
        u_rows, u_cols, counts, inverse, vals = self._tfidf(n, rows, cols)
        X = self._csr(n, u_rows, u_cols, counts, inverse, vals)
        D, lex_drivers = dense_features(texts, self._lexicon)
        probs = _sigmoid(self._logits(X, D))
        labels = self.labels
        th = np.array([self._thresholds[label] for label in labels])
        picked = probs >= th
        empty = ~picked.any(axis=1)
        picked[np.flatnonzero(empty), probs[empty].argmax(axis=1)] = True
        drivers: list[list[Driver]] = [[] for _ in range(n)]
        if want_drivers:
            dense_contrib = self._dense_credits(D, lex_drivers, segs, seg_rows, seg_terms)
            self._fill_drivers(
                drivers,
                picked,
                np.asarray(cols, dtype=np.int64),
                segs,
                seg_rows,
                seg_terms,
                counts,
                inverse,
                vals,
                dense_contrib,
            )
        prob_rows = probs.tolist()
        return [EngineOutput(scores=dict(zip(labels, prob_rows[r], strict=True)), drivers=drivers[r]) for r in range(n)]

    def _dense_credits(self, D, lex_drivers, segs, seg_rows, seg_terms) -> np.ndarray:
        """Credit the dense features' logit contributions to readable segments (appended as needed).

        A lexicon score's contribution is split among the words the lexicon fired for that label
        (by their positive lexicon weight), merged with the same word's n-gram segment; the
        neutral score, and any score without such a word, goes to a ``(lexicon: label)`` term;
        a style cue goes to its own term ("?", "!", "(emoji)", ...). Returns the
        (n_segments x n_labels) dense credits, aligned with ``seg_terms`` after the append.
        """
        from scipy.sparse import csr_matrix

        seg_index = {(seg_rows[s], seg_terms[s]): s for s in range(len(seg_terms))}
        c_seg: list[int] = []
        c_feat: list[int] = []
        c_val: list[float] = []

        def segment(r: int, term: str) -> int:
            s = seg_index.get((r, term))
            if s is None:
                s = seg_index[(r, term)] = len(seg_terms)
                seg_terms.append(term)
                seg_rows.append(r)
            return s

        rr, jj = np.nonzero(D)
        vals = D[rr, jj].tolist()
        for r, j, x in zip(rr.tolist(), jj.tolist(), vals, strict=True):
            if j >= _N_LEX:
                c_seg.append(segment(r, STYLE_FEATURES[j - _N_LEX][1]))
                c_feat.append(j)
                c_val.append(x)
                continue
            label = BASE_LABELS[j]
            fired = [(d.term, d.weight) for d in lex_drivers[r] if d.label == label and d.weight > 0]
            if j == _NEUTRAL or not fired:
                c_seg.append(segment(r, f"(lexicon: {label})"))
                c_feat.append(j)
                c_val.append(x)
                continue
            total = sum(w for _, w in fired)
            for term, w in fired:
                c_seg.append(segment(r, term))
                c_feat.append(j)
                c_val.append(x * w / total)
        C = csr_matrix((c_val, (c_seg, c_feat)), shape=(len(seg_terms), len(DENSE_FEATURES)))
        return np.asarray(C @ self._dense_w, dtype=np.float64)

    def _fill_drivers(self, drivers, picked, cols, segs, seg_rows, seg_terms, counts, inverse, vals, dense) -> None:
        """Top positive contributions to each predicted label, per text.

        Each n-gram occurrence is credited ``x_j * W[j, label] / count_j`` (its feature value
        shared evenly among the feature's occurrences in the text), and credits are summed per
        segment: the word n-gram itself, or the word a char n-gram was cut from (merged with the
        same word's unigram), plus the dense features' credits (see :meth:`_dense_credits`). Over
        all segments the credits add up to the label's logit minus its bias, so the drivers are an
        exact decomposition, not a post-hoc guess.
        """
        from scipy.sparse import csr_matrix

        n_seg = len(seg_terms)
        if n_seg == 0:
            return
        share = (vals / counts)[inverse]  # per occurrence
        # segment x feature matrix of summed shares, then one sparse product with W
        S = csr_matrix((share, (np.asarray(segs, dtype=np.int64), cols)), shape=(n_seg, len(self._terms)))
        contrib = np.asarray(S @ self._weights, dtype=np.float64) + dense  # (n_seg, n_labels)
        seg_rows_a = np.asarray(seg_rows, dtype=np.int64)
        keep = self.n_drivers
        labels = self.labels
        for k in range(len(labels)):
            col = contrib[:, k]
            mask = picked[seg_rows_a, k] & (col > 0)
            cand = np.flatnonzero(mask)
            if cand.size == 0:
                continue
            order = cand[np.lexsort((-col[cand], seg_rows_a[cand]))]
            r_sorted = seg_rows_a[order]
            # rank within each row
            starts = np.flatnonzero(np.r_[True, r_sorted[1:] != r_sorted[:-1]])
            rank = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
            sel = order[rank < keep]
            label = labels[k]
            weights = col[sel].tolist()
            for s, wgt in zip(sel.tolist(), weights, strict=True):
                drivers[seg_rows[s]].append(Driver(term=_display(seg_terms[s]), label=label, weight=wgt))


_EDGE_PUNCT = "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum() and chr(c) != "_")
_WORD_CACHE_SIZE = 200_000


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _segment_term(term: str) -> str:
    parts = term.split(" ")
    if len(parts) > 1:
        words = [p for p in parts if any(ch.isalnum() for ch in p)]
        if len(words) == 1:
            return words[0]
    return term


def _display(term: str) -> str:
    return term.replace("xxname", "[NAME]").replace("xxrelig", "[RELIGION]")
