"""Model cards (Mitchell et al., FAT* 2019) for legal and compliance: one per scoring model version.

Built from what is really configured and measured: the governance register (purposes, prohibited uses, the
DPIA), the artifact's training record, evaluation runs on this company's gold labels (validation app), the
GoEmotions dev-set figures measured when the shipped model was built, and the latest drift reports.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

LIMITATIONS = (
    (
        "Sarcasm and irony",
        "Read literally: “Great, another outage.” looks like joy unless a domain lexicon entry says otherwise.",
    ),
    (
        "Languages other than English",
        "Trained on English Reddit comments. Text detected as another language is marked unsupported_language "
        "and not scored.",
    ),
    (
        "Very short texts",
        "One or two words carry little evidence: scores are less certain (see the confidence distribution).",
    ),
    (
        "Emoji-only messages",
        "Emoji count only as a style cue and through the lexicon; an emoji-only message is weakly scored or "
        "unscorable.",
    ),
    (
        "Domain jargon",
        "Support vocabulary (“issue”, “ticket”, “broken build”) differs from the training data; domain lexicon "
        "entries correct known terms and vocabulary drift tracks the rest.",
    ),
    (
        "Agents' messages are not scored",
        "Only customers' words are analysed, never employees' (EU AI Act Art. 5(1)(f)).",
    ),
    (
        "Not for decisions about individuals",
        "Scores are signals for aggregate reporting and for people serving an account; never the sole basis for "
        "a decision about a person (GDPR Art. 22).",
    ),
)

BUILT_IN_PROHIBITIONS = (
    "Inferring the emotions of employees (agents' own messages are never scored; EU AI Act Art. 5(1)(f)).",
    "Automated decisions about an individual customer based on inferred emotion alone.",
)


def _meta(model) -> tuple[dict | None, str]:
    """The linear artifact's meta.json and where it came from (the shipped one unless options name another)."""
    from apps.scoring.engines.linear import DEFAULT_ARTIFACT_DIR

    if model.engine != "linear":
        return None, ""
    directory = Path(model.options.get("artifact_dir") or DEFAULT_ARTIFACT_DIR)
    try:
        return json.loads((directory / "meta.json").read_text(encoding="utf-8")), str(directory)
    except (OSError, ValueError):
        return None, str(directory)


def shipped_dev_figures(meta: dict | None) -> dict | None:
    """The GoEmotions dev-set figures measured for this artifact (kept beside this module, keyed by model id)."""
    if not meta:
        return None
    if isinstance(meta.get("dev"), dict):
        return meta["dev"]
    path = ARTIFACTS / "goemotions-dev.json"
    try:
        figures = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return figures.get(meta.get("model_id", ""))


def _training(model, meta: dict | None, directory: str) -> dict:
    if model.engine == "linear" and meta:
        training = meta.get("training", {})
        return {
            "dataset": meta.get("dataset", ""),
            "citation": "Demszky, D. et al. (2020). GoEmotions: A Dataset of Fine-Grained Emotions. ACL 2020.",
            "licence": "Apache-2.0",
            "grouping": "Ekman (anger, disgust, fear, joy, sadness, surprise) plus neutral",
            "n_train": training.get("n_train"),
            "n_dev": training.get("n_dev"),
            "train_sha256": training.get("train_sha256", ""),
            "dev_sha256": training.get("dev_sha256", ""),
            "labels": meta.get("labels", []),
            "thresholds": meta.get("thresholds", {}),
            "model_id": meta.get("model_id", ""),
            "artifact": directory,
            "method": _(
                "NB-weighted logistic regression and linear SVM over word 1–2-grams and character 2–5-grams, "
                "stacked per label with the lexicon engine's scores and style cues; thresholds chosen on "
                "out-of-fold training predictions."
            ),
            "n_extra_gold_examples": training.get("n_extra"),
            "extra_sha256": training.get("extra_sha256", ""),
            "calibration": (
                _(
                    "Calibrated: trained on GoEmotions plus %(n)s gold-labelled examples from this company's "
                    "annotations (validation app)."
                )
                % {"n": training["n_extra"]}
                if training.get("n_extra")
                else _("Not calibrated: GoEmotions only.")
            ),
        }
    if model.engine == "lexicon":
        return {
            "dataset": _("No training: VADER's valence rules and the NRC emotion lexicon, with domain entries."),
            "licence": "VADER: MIT; NRC Emotion Lexicon: research licence (see README)",
        }
    return {
        "dataset": _("A local Hugging Face model: see its own model card at %(p)s.")
        % {"p": model.options.get("model_path", "")},
        "label_map": model.options.get("label_map", {}),
    }


def _evaluations(version: str) -> tuple[list[dict], str]:
    """Evaluation runs on this company's gold labels, newest first, or why there are none."""
    if not version:
        return [], _("This model has not been loaded yet, so it has no version to evaluate.")
    try:
        from apps.validation.selectors import evaluation_runs_for
    except ImportError:
        return [], _("No evaluation on this company's data yet (the annotation and evaluation tools are not set up).")
    runs = []
    for run in evaluation_runs_for(model_version=version)[:10]:
        metrics = run.metrics or {}
        per_label = {
            label: {
                **{k: fig.get(k) for k in ("precision", "recall", "f1", "support")},
                "miss_rate": _rate(fig.get("recall")),
                "false_discovery_rate": _rate(fig.get("precision")),
            }
            for label, fig in sorted((metrics.get("per_label") or {}).items())
        }
        runs.append(
            {
                "created_at": run.created_at.isoformat(),
                "n_items": run.n_items,
                "macro_f1": metrics.get("macro_f1"),
                "per_label": per_label,
                "by_platform": {
                    p: {"n": v.get("n"), "macro_f1": v.get("macro_f1")}
                    for p, v in sorted((metrics.get("by_platform") or {}).items())
                },
                "confusion": metrics.get("confusion"),
            }
        )
    return runs, "" if runs else _("No evaluation on this company's data yet.")


def _rate(value) -> float | None:
    return round(1 - float(value), 4) if isinstance(value, int | float) else None


def _governance() -> dict:
    from apps.governance.models import DPIA, ProhibitedUse, Purpose

    purposes = [
        {
            "key": p.key,
            "name": p.name,
            "description": p.description,
            "switched_on": bool(p.is_active and p.dpia and p.dpia.is_valid),
            "roles": sorted(g.name for g in p.allowed_roles.all()),
        }
        for p in Purpose.objects.select_related("dpia").prefetch_related("allowed_roles").order_by("key")
    ]
    prohibited = [
        {"purpose": u.purpose.name, "name": u.name, "scope": u.get_scope_display(), "description": u.description}
        for u in ProhibitedUse.objects.filter(is_active=True).select_related("purpose").order_by("purpose__key", "name")
    ]
    dpias = [
        {
            "title": d.title,
            "status": d.effective_status,
            "ai_act_classification": d.get_ai_act_classification_display(),
            "reviewer": d.reviewer.get_username() if d.reviewer else "",
            "approved_at": d.approved_at.isoformat() if d.approved_at else None,
            "next_review_date": d.next_review_date.isoformat() if d.next_review_date else None,
        }
        for d in DPIA.objects.select_related("reviewer").order_by("title")
    ]
    return {"purposes": purposes, "prohibited_uses": prohibited, "dpias": dpias}


def _drift(version: str) -> dict:
    from apps.monitoring.models import DriftAlert, DriftReport

    reports = DriftReport.objects.filter(model_version=version) if version else DriftReport.objects.none()
    latest_week = reports.aggregate(w=Max("week_start"))["w"]
    latest = [
        {
            "week": r.iso_week,
            "platform": r.platform,
            "n": r.n_messages,
            "psi": r.psi,
            "status": r.status,
            "unknown_term_rate": r.unknown_term_rate,
            "gold_accuracy": r.gold_accuracy,
        }
        for r in reports.filter(week_start=latest_week).order_by("platform")
    ]
    return {
        "latest_week": latest_week.isoformat() if latest_week else None,
        "reports": latest,
        "open_alerts": DriftAlert.objects.filter(model_version=version, status="open").count() if version else 0,
    }


def active_periods(model) -> list[dict]:
    """When this model was the active one, from the audit log: from each activation to the next activation of
    another model (activating one deactivates the rest in one update, which the audit log does not see)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from apps.scoring.models import ScoringModel

    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ScoringModel)).order_by(
        "timestamp", "id"
    )
    activations = [
        (e.timestamp, str(e.object_pk))
        for e in entries.only("timestamp", "object_pk", "changes")
        if (e.changes_dict.get("is_active") or [None, None])[1] == "True"
    ]
    periods = []
    for i, (at, pk) in enumerate(activations):
        if pk != str(model.pk):
            continue
        until = next((later for later, other in activations[i + 1 :] if other != pk), None)
        periods.append({"from": at.isoformat(), "until": until.isoformat() if until else None})
    return periods


def model_card(model) -> dict:
    """Everything on the card of one scoring model, as plain data (the JSON download is exactly this)."""
    from apps.scoring.models import EmotionScore

    meta, directory = _meta(model)
    usage = (
        EmotionScore.objects.filter(model_version=model.version).aggregate(
            n=Count("id"), first=Min("created"), last=Max("created")
        )
        if model.version
        else {"n": 0, "first": None, "last": None}
    )
    evaluations, no_evaluation = _evaluations(model.version)
    dev = shipped_dev_figures(meta)
    return {
        "card_generated_at": timezone.now().isoformat(),
        "model": {
            "id": model.pk,
            "name": model.name,
            "engine": model.engine,
            "version": model.version or "",
            "is_active": model.is_active,
            "registered": model.created.isoformat() if model.created else None,
            "active_periods": active_periods(model),
            "scored_messages": usage["n"],
            "first_scored": usage["first"].isoformat() if usage["first"] else None,
            "last_scored": usage["last"].isoformat() if usage["last"] else None,
            "options": {k: v for k, v in model.options.items() if k != "label_map"},
        },
        "intended_use": _(
            "Infer the emotions customers express in what they write to us (support tickets, social posts, reviews, "
            "forums, surveys, email), for the purposes switched on in the governance register, by the roles they "
            "allow. Aggregate reporting and context for the people who serve an account."
        ),
        "governance": _governance(),
        "built_in_prohibitions": [_(p) for p in BUILT_IN_PROHIBITIONS],
        "training_data": _training(model, meta, directory),
        "evaluation": {
            "company_data": evaluations,
            "company_data_note": no_evaluation,
            "shipped_dev": ({**dev, "label": _("GoEmotions dev, not this company's data")} if dev else None),
        },
        "limitations": [{"title": _(t), "detail": _(d)} for t, d in LIMITATIONS],
        "drift": _drift(model.version),
    }


def _pct(value) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) else "—"


def to_markdown(card: dict) -> str:
    """The card as Markdown (the ``?format=md`` download)."""
    m = card["model"]
    lines = [
        f"# Model card: {m['name']}",
        "",
        f"*Generated {card['card_generated_at']}*",
        "",
        "## Model details",
        "",
        f"- Engine: `{m['engine']}`",
        f"- Version: `{m['version'] or 'not loaded yet'}`",
        f"- Active now: {'yes' if m['is_active'] else 'no'}",
        f"- Registered: {m['registered'] or '—'}",
        "- Active: "
        + (
            "; ".join(f"{p['from']} – {p['until'] or 'now'}" for p in m["active_periods"])
            or "never activated (or before the audit log)"
        ),
        f"- Scored messages: {m['scored_messages']} (first {m['first_scored'] or '—'}, last {m['last_scored'] or '—'})",
        "",
        "## Intended use",
        "",
        card["intended_use"],
        "",
        "| purpose | switched on | roles |",
        "|---|---|---|",
    ]
    for p in card["governance"]["purposes"]:
        lines.append(f"| {p['name']} ({p['key']}) | {'yes' if p['switched_on'] else 'no'} | {', '.join(p['roles'])} |")
    lines += ["", "## Prohibited uses", ""]
    for u in card["governance"]["prohibited_uses"]:
        lines.append(f"- **{u['name']}** ({u['purpose']}, {u['scope']}): {u['description']}")
    for p in card["built_in_prohibitions"]:
        lines.append(f"- {p}")
    lines += ["", "### DPIA", ""]
    for d in card["governance"]["dpias"]:
        lines.append(
            f"- {d['title']}: **{d['status']}**, {d['ai_act_classification']}; reviewer {d['reviewer'] or '—'}, "
            f"next review {d['next_review_date'] or '—'}"
        )
    t = card["training_data"]
    lines += ["", "## Training data", "", f"- Dataset: {t.get('dataset', '')}"]
    keys = ("citation", "licence", "grouping", "n_train", "n_dev", "calibration", "n_extra_gold_examples", "method")
    for key in (*keys, "model_id", "train_sha256"):
        if t.get(key):
            lines.append(f"- {key.replace('_', ' ').capitalize()}: {t[key]}")
    if t.get("thresholds"):
        lines.append("- Decision thresholds: " + ", ".join(f"{k} {v}" for k, v in t["thresholds"].items()))
    ev = card["evaluation"]
    lines += ["", "## Evaluation on this company's data", ""]
    if not ev["company_data"]:
        lines.append(ev["company_data_note"])
    for run in ev["company_data"][:1]:
        lines += [
            f"Latest run {run['created_at']}: {run['n_items']} gold-labelled messages, "
            f"macro-F1 {_pct(run['macro_f1'])}.",
            "",
            "| label | precision | recall | F1 | support | miss rate | false discovery rate |",
            "|---|---|---|---|---|---|---|",
        ]
        for label, f in run["per_label"].items():
            lines.append(
                f"| {label} | {_pct(f['precision'])} | {_pct(f['recall'])} | {_pct(f['f1'])} | {f['support']} | "
                f"{_pct(f['miss_rate'])} | {_pct(f['false_discovery_rate'])} |"
            )
        if run["by_platform"]:
            lines += ["", "| platform | n | macro-F1 |", "|---|---|---|"]
            for p, f in run["by_platform"].items():
                lines.append(f"| {p} | {f['n']} | {_pct(f['macro_f1'])} |")
    dev = ev["shipped_dev"]
    if dev:
        lines += [
            "",
            f"## {dev['label']}",
            "",
            f"macro-F1 {_pct(dev.get('macro_f1'))}, top-label accuracy {_pct(dev.get('top_label_accuracy'))}, "
            f"n {dev.get('n', '—')}.",
            "",
            "| label | precision | recall | F1 | support |",
            "|---|---|---|---|---|",
        ]
        for label, f in dev.get("per_label", {}).items():
            lines.append(
                f"| {label} | {_pct(f.get('precision'))} | {_pct(f.get('recall'))} | {_pct(f.get('f1'))} | "
                f"{f.get('support', '—')} |"
            )
    lines += ["", "## Known limitations", ""]
    for item in card["limitations"]:
        lines.append(f"- **{item['title']}**: {item['detail']}")
    drift = card["drift"]
    lines += ["", "## Drift status", ""]
    if not drift["reports"]:
        lines.append("No drift report yet.")
    else:
        lines += [
            f"Week of {drift['latest_week']}; open drift alerts: {drift['open_alerts']}.",
            "",
            "| platform | messages | PSI | status | unknown-term rate |",
            "|---|---|---|---|---|",
        ]
        for r in drift["reports"]:
            lines.append(
                f"| {r['platform']} | {r['n']} | {_pct(r['psi'])} | {r['status']} | {_pct(r['unknown_term_rate'])} |"
            )
    return "\n".join(lines) + "\n"
