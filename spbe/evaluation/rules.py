"""The evaluation's thresholds, read from the Pemda's policy pack
(``[evaluation]``), with the defaults documented in docs/evaluation.md
(E-2, E-4). The Pedoman fixes none of these numbers; a Pemda amends them
like any other pack value."""

from __future__ import annotations

from dataclasses import dataclass, fields

from spbe.evaluation.choices import MANDATORY_CHAPTERS, Chapter


@dataclass(frozen=True)
class EvaluationRules:
    #: a service meets its target in a chapter when at least this share of
    #: its tickets (or clocks) in the period met the target (E-2 point 6)
    target_met_percent: int = 90
    #: level 2 (planning): share of the active services with their targets
    #: approved in the catalog (P-1, P-4, P-5)
    planning_coverage_percent: int = 100
    #: level 3: share of kritis and esensial services watched by monitoring (O-4)
    monitoring_coverage_percent: int = 100
    #: level 3: each operating process has at least this many records in the period
    min_process_records: int = 1
    #: level 4: the approved evaluation report's period ended at most this many months ago
    evaluation_max_age_months: int = 12
    #: level 5: follow-up actions of that report done with evidence
    followup_min_done: int = 1
    #: level 5: follow-up actions past their due date and still open
    followup_max_overdue: int = 0


DEFAULTS = EvaluationRules()


def rules_for(pemda) -> EvaluationRules:
    """The Pemda's thresholds: its pack's ``[evaluation]`` values over the defaults."""
    version = pemda.policy_version
    values = version.pack.evaluation if version else {}
    known = {f.name for f in fields(EvaluationRules)}
    return EvaluationRules(**{key: int(value) for key, value in values.items() if key in known})


def required_chapters(report, figures: dict | None = None) -> list[str]:
    """Chapters whose analysis of obstacles must be written; the SLA chapter
    only when an SLA document of the subject was in force in the period
    (read from ``figures`` when the caller has them: ``figures_of(report)``)."""
    from spbe.evaluation.figures import sla_documents_in, subject_of

    if figures is None and report.figures is not None and report.status == "approved":
        figures = report.figures
    if figures is not None:
        has_sla = bool(figures["sla"]["documents"])
    else:
        has_sla = sla_documents_in(subject_of(report)).exists()
    return [*MANDATORY_CHAPTERS, Chapter.SLA] if has_sla else list(MANDATORY_CHAPTERS)


def missing_analysis(report, analyses=None, required=None) -> list[str]:
    """Required chapters whose analysis of obstacles is not written yet
    (``analyses``, ``required``: what the caller has read already)."""
    written = {a.chapter for a in (report.analyses.all() if analyses is None else analyses) if a.obstacles.strip()}
    return [chapter for chapter in (required or required_chapters(report)) if chapter not in written]
