"""q2 tasks of the validation app: they take ids and are safe to run twice."""

from __future__ import annotations


def calibrate(run_id: int) -> str:
    """Run one queued calibration (train, shadow-evaluate, decide); a run already claimed is left alone."""
    from apps.validation.services import calibration_execute

    return calibration_execute(run_id=run_id).status
