"""Train, tune and evaluate the ``linear`` engine. Django-free; scikit-learn is imported lazily.

Reproduce the shipped artifact (byte for byte on the same kind of CPU; elsewhere up to floating point) with::

    from apps.scoring.ml.train_linear import train
    train("/work/shared/data/goemotions-ekman/train.tsv",
          "/work/shared/data/goemotions-ekman/dev.tsv",
          "/work/shared/data/goemotions-ekman/labels.txt",
          "apps/scoring/artifacts/linear")

Model: for each label k, (a) logistic regression (liblinear, L2, C=1) on tf-idf features scaled
by the NB log-count ratio r_k (NB-LR, Wang & Manning 2012), and (b) a linear SVM (C=0.1) on the
plain tf-idf features. (c) A stacker: per label, a logistic regression (liblinear, C=0.3) on the
5-fold out-of-fold NB-LR logits and SVM margins of all seven labels plus the dense features (the
lexicon engine's seven scores and nine style cues, see ``apps.scoring.engines.linear``). The
stacker is linear in the first-level logits, so the artifact stores just
``W = W_lr @ A_lr + W_svm @ A_svm``, the dense weights ``V`` and one bias per label; ``sigmoid(X @ W
+ D @ V + b)`` is the label's score. Per-label thresholds are tuned on the stacked out-of-fold
train scores (max of a lightly smoothed F1 curve; ``threshold_source`` can switch to dev).
Training never sees dev labels unless ``threshold_source`` asks for them, and then only for
threshold choice.

Determinism: both solvers are single-threaded liblinear with a fixed ``random_state``; the
vocabularies are sorted; arrays are written with ``np.save`` (no zip, no timestamps); JSON is
written with sorted keys and fixed separators; thresholds are grid points rounded to 3 places.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from apps.scoring.engines.base import BASE_LABELS
from apps.scoring.engines.linear import ARTIFACT_FILES, DENSE_FEATURES, Featurizer, dense_features

FORMAT_VERSION = 2

DEFAULTS = {
    "word_ngrams": (1, 2),
    "char_ngrams": (2, 5),
    "word_min_df": 2,
    "char_min_df": 3,
    "lr_C": 1.0,
    "svm_C": 0.1,
    "nb_alpha": 1.0,
    "lr_weight": 0.35,
    "svm_weight": 1.3,
    "cv_folds": 5,
    "stack_C": 0.3,
    "stack_intercept_scaling": 10.0,
    "threshold_source": "oof",  # "oof", "dev" or "oof+dev"
}

THRESHOLD_GRID = np.round(np.arange(0.02, 0.961, 0.01), 2)
THRESHOLD_SMOOTH = 2  # average F1 over +-2 grid points before taking the max


# --- data -------------------------------------------------------------------------------------
def read_labels(labels: str | Path | Sequence[str]) -> list[str]:
    if isinstance(labels, (str, Path)):
        return [ln.strip() for ln in Path(labels).read_text(encoding="utf-8").splitlines() if ln.strip()]
    return list(labels)


def read_tsv(path: str | Path, labels: str | Path | Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Texts and a 0/1 matrix (n x len(BASE_LABELS)) in BASE_LABELS column order."""
    names = read_labels(labels)
    col = {}
    for i, name in enumerate(names):
        if name not in BASE_LABELS:
            raise ValueError(f"unknown label {name!r} in labels file")
        col[i] = BASE_LABELS.index(name)
    texts: list[str] = []
    rows: list[np.ndarray] = []
    with open(path, encoding="utf-8", newline="") as fh:
        for line in fh:
            line = line.rstrip("\r\n")
            if not line:
                continue
            parts = line.split("\t")
            y = np.zeros(len(BASE_LABELS), dtype=np.int8)
            for tok in parts[1].split(","):
                if tok.strip():
                    y[col[int(tok)]] = 1
            texts.append(parts[0])
            rows.append(y)
    return texts, (np.vstack(rows) if rows else np.zeros((0, len(BASE_LABELS)), np.int8))


def _extra_digest(extra: Sequence[tuple[str, Sequence[str]]]) -> str:
    return hashlib.sha256(_dumps([[text, list(labels)] for text, labels in extra]).encode("utf-8")).hexdigest()


def _sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


# --- features ---------------------------------------------------------------------------------
def _tfidf_block(counts, n_docs: int):
    """sklearn-equivalent smooth idf, sublinear tf, row L2 norm; returns (matrix, idf)."""
    from scipy.sparse import csr_matrix

    counts = csr_matrix(counts, dtype=np.float64)
    counts.sort_indices()
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
    idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    X = counts.copy()
    X.data = (1.0 + np.log(X.data)) * idf[X.indices]
    sq = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    norms = np.sqrt(sq)
    norms[norms == 0] = 1.0
    X.data /= np.repeat(norms, np.diff(X.indptr))
    return X, idf


def build_features(texts: Sequence[str], featurizer: Featurizer, word_min_df: int, char_min_df: int):
    """Fit vocabularies on ``texts``; returns (X, word_terms, char_terms, idf)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import CountVectorizer

    blocks, terms, idfs = [], [], []
    for analyzer, min_df in ((featurizer.word_analyzer, word_min_df), (featurizer.char_analyzer, char_min_df)):
        cv = CountVectorizer(analyzer=analyzer, min_df=min_df, dtype=np.float64)
        counts = cv.fit_transform(texts)
        names = cv.get_feature_names_out().tolist()  # sorted, matches column order
        X, idf = _tfidf_block(counts, len(texts))
        blocks.append(X)
        terms.append(names)
        idfs.append(idf)
    X = hstack(blocks, format="csr")
    return X, terms[0], terms[1], np.concatenate(idfs)


# --- model ------------------------------------------------------------------------------------
def fit_weights(X, Y: np.ndarray, params: dict, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-label NB-LR + linear SVM folded into one (n_features x n_labels) matrix and a bias."""
    Wl, bl, Ws, bs = fit_components(X, Y, params, seed)
    return params["lr_weight"] * Wl + params["svm_weight"] * Ws, params["lr_weight"] * bl + params["svm_weight"] * bs


def fit_components(X, Y: np.ndarray, params: dict, seed: int):
    """Per label: NB-LR logit weights (``r_k * w_lr``) and linear SVM weights, with their biases."""
    from scipy.sparse import diags
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    n_feat = X.shape[1]
    Wl = np.zeros((n_feat, Y.shape[1]), dtype=np.float64)
    Ws = np.zeros((n_feat, Y.shape[1]), dtype=np.float64)
    bl = np.zeros(Y.shape[1], dtype=np.float64)
    bs = np.zeros(Y.shape[1], dtype=np.float64)
    Xb = X.copy()
    Xb.data[:] = 1.0
    alpha = float(params["nb_alpha"])
    for k in range(Y.shape[1]):
        y = Y[:, k].astype(np.int64)
        if y.min() == y.max():  # degenerate tiny subsets: constant prior only
            bl[k] = bs[k] = 8.0 if y[0] == 1 else -8.0
            continue
        p = np.asarray(Xb[y == 1].sum(axis=0)).ravel() + alpha
        q = np.asarray(Xb[y == 0].sum(axis=0)).ravel() + alpha
        r = np.log((p / p.sum()) / (q / q.sum()))
        lr = LogisticRegression(C=params["lr_C"], solver="liblinear", max_iter=1000, random_state=seed)
        lr.fit(X @ diags(r), y)
        svm = LinearSVC(C=params["svm_C"], max_iter=5000, random_state=seed)
        svm.fit(X, y)
        Wl[:, k] = r * lr.coef_.ravel()
        Ws[:, k] = svm.coef_.ravel()
        bl[k] = lr.intercept_[0]
        bs[k] = svm.intercept_[0]
    return Wl, bl, Ws, bs


def out_of_fold_logits(X, Y: np.ndarray, params: dict, seed: int) -> np.ndarray:
    """(n x 2 * n_labels) NB-LR logits then SVM margins of each train row from models fit without its fold."""
    from sklearn.model_selection import KFold

    n_labels = Y.shape[1]
    Z = np.zeros((X.shape[0], 2 * n_labels), dtype=np.float64)
    for fit_rows, held in KFold(int(params["cv_folds"]), shuffle=True, random_state=seed).split(np.arange(X.shape[0])):
        Wl, bl, Ws, bs = fit_components(X[fit_rows], Y[fit_rows], params, seed)
        Xh = X[held]
        Z[held, :n_labels] = np.asarray(Xh @ Wl) + bl
        Z[held, n_labels:] = np.asarray(Xh @ Ws) + bs
    return Z


def fit_stacker(Z: np.ndarray, D: np.ndarray, Y: np.ndarray, params: dict, seed: int):
    """Per label, logistic regression on all labels' out-of-fold logits plus the dense features.

    Returns (A (2 * n_labels x n_labels), V (n_dense x n_labels), c (n_labels)) so that the
    stacked logit is ``Z @ A + D @ V + c``, and the in-sample stacked logits of the rows.
    """
    from sklearn.linear_model import LogisticRegression

    n_labels = Y.shape[1]
    F = np.hstack([Z, D])
    A = np.zeros((Z.shape[1], n_labels))
    V = np.zeros((D.shape[1], n_labels))
    c = np.zeros(n_labels)
    for k in range(n_labels):
        y = Y[:, k].astype(np.int64)
        if y.min() == y.max():  # degenerate tiny subsets: constant prior only
            c[k] = 8.0 if y[0] == 1 else -8.0
            continue
        m = LogisticRegression(
            C=params["stack_C"],
            solver="liblinear",
            intercept_scaling=params["stack_intercept_scaling"],
            max_iter=1000,
            random_state=seed,
        )
        m.fit(F, y)
        A[:, k] = m.coef_[0, : Z.shape[1]]
        V[:, k] = m.coef_[0, Z.shape[1] :]
        c[k] = m.intercept_[0]
    return A, V, c, Z @ A + D @ V + c


def f1_curve(p: np.ndarray, y: np.ndarray, grid: np.ndarray) -> np.ndarray:
    pred = p[:, None] >= grid[None, :]
    y = y.astype(bool)[:, None]
    tp = (pred & y).sum(0).astype(np.float64)
    fp = (pred & ~y).sum(0)
    fn = (~pred & y).sum(0)
    denom = 2 * tp + fp + fn
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)


def tune_thresholds(
    P: np.ndarray, Y: np.ndarray, grid: np.ndarray = THRESHOLD_GRID, smooth: int = THRESHOLD_SMOOTH
) -> list[float]:
    out = []
    for k in range(Y.shape[1]):
        if Y[:, k].sum() == 0:
            out.append(0.5)
            continue
        f = f1_curve(P[:, k], Y[:, k], grid)
        if smooth > 0:
            pad = np.pad(f, smooth, mode="edge")
            f = np.convolve(pad, np.ones(2 * smooth + 1) / (2 * smooth + 1), mode="valid")
        out.append(round(float(grid[int(np.argmax(f))]), 3))
    return out


def _write_artifact(out_dir: Path, vocab: dict, idf, W, b, V, meta: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "vocab.json").write_text(_dumps(vocab), encoding="utf-8")
    np.save(out_dir / "idf.npy", np.ascontiguousarray(idf, dtype=np.float32), allow_pickle=False)
    np.save(out_dir / "weights.npy", np.ascontiguousarray(W, dtype=np.float32), allow_pickle=False)
    np.save(out_dir / "bias.npy", np.ascontiguousarray(b, dtype=np.float32), allow_pickle=False)
    np.save(out_dir / "dense.npy", np.ascontiguousarray(V, dtype=np.float32), allow_pickle=False)
    _write_meta(out_dir, meta)


def _write_meta(out_dir: Path, meta: dict) -> None:
    meta = dict(meta)
    meta["sha256"] = {f: _sha256(out_dir / f) for f in ARTIFACT_FILES if f != "meta.json"}
    ident = _dumps(
        {
            "sha256": meta["sha256"],
            "thresholds": meta["thresholds"],
            "featurizer": meta["featurizer"],
            "dense": meta["dense"],
        }
    )
    meta["model_id"] = hashlib.sha256(ident.encode("utf-8")).hexdigest()
    (out_dir / "meta.json").write_text(_dumps(meta), encoding="utf-8")


def train(
    train_tsv: str | Path,
    dev_tsv: str | Path,
    labels_path: str | Path,
    out_dir: str | Path,
    seed: int = 0,
    params: dict | None = None,
    verbose: bool = False,
    extra: Sequence[tuple[str, Sequence[str]]] = (),
) -> dict:
    """Train on ``train_tsv`` (plus ``extra`` (text, labels) examples), tune thresholds, write the artifact to
    ``out_dir`` (see ``_train``).

    BLAS runs on one thread: a multi-threaded reduction sums in another order from run to run. On one kind of
    CPU the artifact then comes out byte for byte the same; another CPU's BLAS kernels may still differ in the
    last bits, which ``train_default_model --check`` tells apart from a real change.
    """
    # scipy's OpenBLAS and scikit-learn's OpenMP are separate libraries loaded on first import: load them before
    # limiting, or the limit misses them and the result depends on the machine's core count.
    import scipy.sparse  # noqa: F401
    import sklearn.linear_model
    import sklearn.svm  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _train(train_tsv, dev_tsv, labels_path, out_dir, seed=seed, params=params, verbose=verbose, extra=extra)


def _extra_rows(extra: Sequence[tuple[str, Sequence[str]]]) -> tuple[list[str], np.ndarray]:
    """(texts, 0/1 matrix) of extra labelled examples (e.g. gold labels from the validation app)."""
    texts, rows = [], []
    for text, labels in extra:
        y = np.zeros(len(BASE_LABELS), dtype=np.int8)
        for label in labels:
            y[BASE_LABELS.index(label)] = 1  # ValueError on an unknown label
        texts.append(text)
        rows.append(y)
    return texts, (np.vstack(rows) if rows else np.zeros((0, len(BASE_LABELS)), np.int8))


def _train(
    train_tsv: str | Path,
    dev_tsv: str | Path,
    labels_path: str | Path,
    out_dir: str | Path,
    seed: int = 0,
    params: dict | None = None,
    verbose: bool = False,
    extra: Sequence[tuple[str, Sequence[str]]] = (),
) -> dict:
    """Train on ``train_tsv`` (and ``extra``), write the artifact to ``out_dir`` (``dev_tsv`` is hashed into the
    provenance and used for thresholds only with ``threshold_source`` "dev" or "oof+dev").

    Returns a small report (sizes, timings, dev thresholds). Deterministic for fixed inputs/seed.
    """
    from apps.scoring.engines.linear import LinearEngine

    t0 = time.perf_counter()
    cfg = dict(DEFAULTS)
    cfg.update(params or {})
    out_dir = Path(out_dir)
    texts, Y = read_tsv(train_tsv, labels_path)
    if extra:
        extra_texts, extra_Y = _extra_rows(extra)
        texts, Y = texts + extra_texts, np.vstack([Y, extra_Y])
    dev_texts, dev_Y = read_tsv(dev_tsv, labels_path)
    featurizer = Featurizer(cfg["word_ngrams"], cfg["char_ngrams"])
    X, word_terms, char_terms, idf = build_features(texts, featurizer, cfg["word_min_df"], cfg["char_min_df"])
    t_feat = time.perf_counter()
    if verbose:
        print(f"features {X.shape} in {t_feat - t0:.1f}s", flush=True)
    from apps.scoring.engines.lexicon import LexiconEngine

    lexicon = LexiconEngine()
    D = dense_features(texts, lexicon)[0]
    Z = out_of_fold_logits(X, Y, cfg, seed)
    t_oof = time.perf_counter()
    if verbose:
        print(f"out-of-fold logits in {t_oof - t_feat:.1f}s", flush=True)
    A, V, c, Z_stack = fit_stacker(Z, D, Y, cfg, seed)
    Wl, bl, Ws, bs = fit_components(X, Y, cfg, seed)
    n_labels = len(BASE_LABELS)
    # the stacker is linear in the first-level logits, so it folds into one weight matrix
    W = Wl @ A[:n_labels] + Ws @ A[n_labels:]
    b = bl @ A[:n_labels] + bs @ A[n_labels:] + c
    t_fit = time.perf_counter()
    if verbose:
        print(f"fit in {t_fit - t_oof:.1f}s", flush=True)

    meta = {
        "format_version": FORMAT_VERSION,
        "engine": "linear",
        "labels": list(BASE_LABELS),
        "featurizer": {
            "normalize": "mask->xxname/xxrelig, lowercase",
            "word_ngrams": list(cfg["word_ngrams"]),
            "char_ngrams": list(cfg["char_ngrams"]),
            "char_analyzer": "char_wb",
            "sublinear_tf": True,
            "idf": "smooth",
            "norm": "l2 per block",
        },
        "dense": {
            "features": list(DENSE_FEATURES),
            "lexicon_version": lexicon.version,
            "lexicon_revision": lexicon.version.split("-")[1],
        },
        "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in sorted(cfg.items())},
        "seed": seed,
        "n_features": {"word": len(word_terms), "char": len(char_terms)},
        "training": {
            "train_sha256": _sha256(train_tsv),
            "dev_sha256": _sha256(dev_tsv),
            "n_train": len(texts),
            "n_dev": len(dev_texts),
            # only when there are extra examples, so that the shipped artifact stays byte for byte the same
            **({"n_extra": len(extra), "extra_sha256": _extra_digest(extra)} if extra else {}),
        },
        "dataset": "GoEmotions (Demszky et al., ACL 2020; Apache-2.0), Ekman grouping (monologg/GoEmotions-pytorch)",
        "thresholds": dict.fromkeys(BASE_LABELS, 0.5),
    }
    _write_artifact(out_dir, {"word": word_terms, "char": char_terms}, idf, W, b, V, meta)

    # thresholds: the out-of-fold stacked train scores (43k rows) by default, which generalise
    # better than the 5k dev rows; "dev" tunes through the exact shipped scoring path instead
    source = cfg["threshold_source"]
    P_oof = 1.0 / (1.0 + np.exp(-Z_stack))
    if source == "oof":
        th = tune_thresholds(P_oof, Y)
    else:
        P = LinearEngine(out_dir).predict_proba(dev_texts)
        th = (
            tune_thresholds(P, dev_Y)
            if source == "dev"
            else tune_thresholds(np.vstack([P, P_oof]), np.vstack([dev_Y, Y]))
        )
    meta["thresholds"] = {label: th[k] for k, label in enumerate(BASE_LABELS)}
    _write_meta(out_dir, meta)
    t_end = time.perf_counter()
    return {
        "out_dir": str(out_dir),
        "n_features": X.shape[1],
        "thresholds": meta["thresholds"],
        "seconds": {"features": t_feat - t0, "oof": t_oof - t_feat, "fit": t_fit - t_oof, "total": t_end - t0},
    }


# --- evaluation -------------------------------------------------------------------------------
def evaluate(engine, tsv: str | Path, labels: str | Path | Sequence[str], batch_size: int = 1000) -> dict:
    """Multi-label metrics of ``engine`` on ``tsv`` using ``engine.predict_labels``.

    Returns macro-F1 over all labels of ``engine.labels``, per-label precision/recall/F1/support,
    top-label accuracy (the highest-scoring label is among the gold ones), and messages/second
    of ``score_batch`` (drivers included) over the whole file.
    """
    texts, Y = read_tsv(tsv, labels)
    names = list(engine.labels)
    cols = [BASE_LABELS.index(n) for n in names]
    Y = Y[:, cols].astype(bool)
    outputs = []
    t0 = time.perf_counter()
    for i in range(0, len(texts), batch_size):
        outputs.extend(engine.score_batch(texts[i : i + batch_size]))
    elapsed = time.perf_counter() - t0
    pred = np.zeros_like(Y)
    top_hit = 0
    for r, out in enumerate(outputs):
        for name in engine.predict_labels(out.scores):
            pred[r, names.index(name)] = True
        top = max(names, key=lambda n: out.scores.get(n, 0.0))
        top_hit += bool(Y[r, names.index(top)])
    per_label = {}
    for k, name in enumerate(names):
        tp = int((pred[:, k] & Y[:, k]).sum())
        fp = int((pred[:, k] & ~Y[:, k]).sum())
        fn = int((~pred[:, k] & Y[:, k]).sum())
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_label[name] = {"precision": prec, "recall": rec, "f1": f1, "support": int(Y[:, k].sum())}
    n = len(texts)
    return {
        "n": n,
        "macro_f1": float(np.mean([per_label[nm]["f1"] for nm in names])) if names else 0.0,
        "per_label": per_label,
        "top_label_accuracy": top_hit / n if n else 0.0,
        "messages_per_second": n / elapsed if elapsed > 0 else float("inf"),
        "seconds": elapsed,
    }
