"""Deflections in the evaluation report's figures (issue 15, E-2, O-2):
counted per PD of the service concerned and per period."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from spbe.evaluation.figures import Subject, compute
from spbe.evaluation.presenting import _disruptions
from spbe.knowledge import actions
from spbe.knowledge.choices import FeedbackSource
from spbe.knowledge.models import Feedback
from spbe.knowledge.tests.factories import article


def test_deflections_and_helpful_votes_are_counted_per_pd_and_period(world, service, packs):
    match = article(world, service)
    portal = dict(source=FeedbackSource.PORTAL, service=service)
    actions.give_feedback(match, actions.Vote(helpful=True, deflected=True, **portal), "a")
    actions.give_feedback(match, actions.Vote(helpful=True, deflected=True, **portal), "b")
    actions.give_feedback(match, actions.Vote(helpful=False, **portal), "c")
    old = actions.give_feedback(match, actions.Vote(helpful=True, deflected=True, **portal), "d")
    Feedback.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=400))  # before the period
    today = timezone.localdate()
    period = (date(today.year, 1, 1), today)
    figures = compute(Subject(world.yogya, world.dukcapil, *period))
    assert figures["disruptions"]["knowledge"] == {"deflections": 2, "helpful": 2, "votes": 3, "helpful_percent": 66.7}
    assert compute(Subject(world.yogya, world.dinkes, *period))["disruptions"]["knowledge"]["deflections"] == 0
    assert compute(Subject(world.yogya, None, *period))["disruptions"]["knowledge"]["deflections"] == 2
    table = next(t for t in _disruptions(figures)["tables"] if t["caption"].startswith("Basis pengetahuan"))
    assert table["rows"][0][1] == 2


def test_a_report_approved_before_the_knowledge_base_still_shows(world, service, packs):
    today = timezone.localdate()
    figures = compute(Subject(world.yogya, world.dukcapil, today.replace(day=1), today))
    del figures["disruptions"]["knowledge"]
    assert not any(t["caption"].startswith("Basis pengetahuan") for t in _disruptions(figures)["tables"])
