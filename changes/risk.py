"""A change's risk: the weighted questionnaire plus what its CIs can affect in the CMDB (how many services,
how critical). STUB: replaced by the risk helper."""

from django.utils import timezone

from .models import Change, RiskLevel


def clean_answers(answers):
    """{question id: option index} checked against the active questions; ValidationError {"risk_answers": ...}."""
    return dict(answers or {})


def assess(change, actor):
    """Compute and store risk_level, risk_score, risk_inputs and the affected services (ChangeService); audited
    when the level changes."""
    from .impact import refresh_affected

    refresh_affected(change)
    Change.objects.filter(pk=change.pk).update(risk_level=change.risk_level or RiskLevel.LOW,
                                               risk_assessed_at=timezone.now())
    change.risk_level = change.risk_level or RiskLevel.LOW
