"""A change's risk: the weighted questionnaire plus what its CIs can affect in the CMDB.

The formula (score 0-100, shown in the risk panel):

- Questionnaire, up to 50 points: 50 × Σ(score × weight) / Σ(4 × weight) over the active questions (an option
  scores 0 to 4; an unanswered question counts 0).
- CMDB, up to 50 points: 50 × (0.4 × services + 0.4 × criticality + 0.2 × CIs), where
  services = min(affected services, 10) / 10; criticality = the worst affected service's (critical 1.0,
  high 0.67, medium 0.33, low or none 0); CIs = min(the change's CIs, 5) / 5. The affected services are
  `impact.affected_services`: the change's own services and every service its CIs can affect.
- Level from the score: below 35 low, below 60 medium, else high; then two rules:
  any critical service affected gives at least medium; a critical service affected with either a high
  questionnaire (at least 60% of its points) or a wide reach (5 services or more) gives high.

Standard changes keep their template's risk level (their procedure was assessed once). `risk_inputs` records
every input and every part of the formula. A level that rises while the change awaits authorisation, or after it
was authorised, voids the authorisation: open stages are cancelled and the change goes back to assessment.
"""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from core import services as core_services
from core.models import AuditAction

from .models import Change, ChangeType, RiskLevel, RiskQuestion

QUESTIONNAIRE_POINTS = 50
CMDB_POINTS = 50
CMDB_WEIGHTS = {"services": 0.4, "criticality": 0.4, "cis": 0.2}
SERVICES_CAP = 10
CIS_CAP = 5
CRITICALITY_FACTOR = {1: 1.0, 2: 0.67, 3: 0.33, 4: 0.0}
MEDIUM_FROM, HIGH_FROM = 35, 60
QUESTIONNAIRE_HIGH = 0.6
WIDE_REACH = 5
MAX_OPTION_SCORE = 4

FORMULA = gettext_lazy(
    "Score = questionnaire (up to 50: Σ option score × weight ÷ Σ 4 × weight) + CMDB (up to 50: 0.4 × affected "
    "services of 10 + 0.4 × worst criticality + 0.2 × CIs of 5). Below 35 low, below 60 medium, else high. "
    "A critical service affected: at least medium; with a high questionnaire (60%) or 5 services or more: high.")


def active_questions():
    return list(RiskQuestion.objects.filter(active=True).order_by("order", "id"))


def clean_answers(answers, questions=None):
    """{question id: option index} checked against the active questions; returns {"id": index} (JSON keys).
    ValidationError {"risk_answers": [...]} for an unknown question or option."""
    if answers in (None, ""):
        return {}
    if not isinstance(answers, dict):
        raise ValidationError({"risk_answers": [_("Give the answers as {question id: option number}.")]})
    questions = {q.pk: q for q in (questions if questions is not None else active_questions())}
    cleaned, errors = {}, []
    for key, value in answers.items():
        try:
            question = questions.get(int(key))
        except (TypeError, ValueError):
            question = None
        if question is None:
            errors.append(_("Unknown risk question: %(id)s.") % {"id": key})
            continue
        if value in (None, ""):
            continue
        try:
            index = int(value)
        except (TypeError, ValueError):
            index = -1
        if isinstance(value, bool) or not 0 <= index < len(question.options or []):
            errors.append(_("“%(question)s”: choose one of its options.") % {"question": question.text})
            continue
        cleaned[str(question.pk)] = index
    if errors:
        raise ValidationError({"risk_answers": errors})
    return cleaned


def _questionnaire(answers, questions):
    rows, earned, possible = [], 0, 0
    for question in questions:
        index = answers.get(str(question.pk))
        options = question.options or []
        option = options[index] if index is not None and 0 <= index < len(options) else None
        score = int(option.get("score", 0)) if option else 0
        earned += score * question.weight
        possible += MAX_OPTION_SCORE * question.weight
        rows.append({"id": question.pk, "question": question.text, "weight": question.weight,
                     "answer": index, "label": option.get("label") if option else None,
                     "score": score if option else None})
    ratio = earned / possible if possible else 0.0
    return {"answers": rows, "weighted_score": earned, "weighted_max": possible, "ratio": round(ratio, 4),
            "unanswered": sum(1 for row in rows if row["answer"] is None),
            "points": round(QUESTIONNAIRE_POINTS * ratio, 2)}


def _cmdb(change, services):
    from cmdb.models import ConfigurationItem

    from .models import ChangeCI

    ci_ids = set(ChangeCI.objects.filter(change=change).values_list("configuration_item_id", flat=True))
    if change.configuration_item_id:
        ci_ids.add(change.configuration_item_id)
    via_ids = {entry["via_ci"] for entry in services if entry["via_ci"]}
    names = dict(ConfigurationItem.objects.filter(pk__in=via_ids).values_list("pk", "name")) if via_ids else {}
    rows = [{"id": entry["id"], "name": entry["name"], "criticality": entry["criticality"],
             "criticality_label": _criticality_label(entry["criticality"]), "depth": entry["depth"],
             "via_ci": entry["via_ci"], "via_ci_name": names.get(entry["via_ci"])}
            for entry in sorted(services, key=lambda e: (e["criticality"], e["depth"], e["name"]))]
    worst = min((row["criticality"] for row in rows), default=None)
    parts = {"services": min(len(rows), SERVICES_CAP) / SERVICES_CAP,
             "criticality": CRITICALITY_FACTOR.get(worst, 0.0),
             "cis": min(len(ci_ids), CIS_CAP) / CIS_CAP}
    ratio = sum(CMDB_WEIGHTS[name] * value for name, value in parts.items())
    return {"services": rows, "service_count": len(rows), "ci_count": len(ci_ids),
            "critical_services": sum(1 for row in rows if row["criticality"] == 1), "worst_criticality": worst,
            "parts": {name: round(value, 4) for name, value in parts.items()}, "ratio": round(ratio, 4),
            "points": round(CMDB_POINTS * ratio, 2)}


def _criticality_label(value):
    from slm.models import Service

    try:
        return str(Service.Criticality(value).label)
    except ValueError:
        return ""


def compute(change, answers=None, services=None):
    """(level, score, inputs) for a normal or emergency change, without writing anything."""
    from .impact import affected_services

    questionnaire = _questionnaire(change.risk_answers if answers is None else answers, active_questions())
    cmdb = _cmdb(change, affected_services(change) if services is None else services)
    score = int(round(questionnaire["points"] + cmdb["points"]))
    level = RiskLevel.LOW if score < MEDIUM_FROM else RiskLevel.MEDIUM if score < HIGH_FROM else RiskLevel.HIGH
    rules = []
    if cmdb["critical_services"]:
        if level < RiskLevel.MEDIUM:
            level = RiskLevel.MEDIUM
            rules.append("critical_service_at_least_medium")
        if level < RiskLevel.HIGH and (questionnaire["ratio"] >= QUESTIONNAIRE_HIGH
                                       or cmdb["service_count"] >= WIDE_REACH):
            level = RiskLevel.HIGH
            rules.append("critical_service_high")
    inputs = {"source": "assessment", "questionnaire": questionnaire, "cmdb": cmdb,
              "weights": {"questionnaire_points": QUESTIONNAIRE_POINTS, "cmdb_points": CMDB_POINTS,
                          "cmdb": CMDB_WEIGHTS, "services_cap": SERVICES_CAP, "cis_cap": CIS_CAP},
              "thresholds": {"medium_from": MEDIUM_FROM, "high_from": HIGH_FROM,
                             "questionnaire_high": QUESTIONNAIRE_HIGH, "wide_reach": WIDE_REACH},
              "score": score, "rules": rules, "level": int(level)}
    return int(level), score, inputs


def _from_template(change, services):
    template = change.template
    level = template.risk_level if template else (change.risk_level or RiskLevel.LOW)
    return int(level), None, {
        "source": "template", "template": template.name if template else None,
        "risk_assessment": template.risk_assessment if template else "",
        "cmdb": {"services": [{"id": e["id"], "name": e["name"], "criticality": e["criticality"],
                               "via_ci": e["via_ci"]} for e in services], "service_count": len(services)},
        "level": int(level)}


def assess(change, actor):
    """Compute and store risk_level, risk_score, risk_inputs and the affected services (ChangeService); a level
    change is audited. A higher level voids an authorisation in progress or given (see the module docstring)."""
    from . import workflow
    from .impact import affected_services, refresh_affected

    services = affected_services(change)
    refresh_affected(change, services)
    old = Change.objects.filter(pk=change.pk).values_list("risk_level", flat=True).get()
    if change.change_type == ChangeType.STANDARD:
        level, score, inputs = _from_template(change, services)
    else:
        level, score, inputs = compute(change, services=services)
    change.risk_level, change.risk_score, change.risk_inputs = level, score, inputs
    change.risk_assessed_at = timezone.now()
    change.save(update_fields=["risk_level", "risk_score", "risk_inputs", "risk_assessed_at"])
    if old is not None and old != level:  # the first assessment is part of raising the change
        core_services._audit(change, actor, AuditAction.UPDATED, {"risk_level": [old, level]})
    # A rise voids an authorisation given or under way; any change voids one under way (its steps depend on it).
    if old is not None and change.change_type != ChangeType.STANDARD and (
            (level > old and change.state in (workflow.AUTHORIZE, workflow.SCHEDULED))
            or (level != old and change.state == workflow.AUTHORIZE and not change.authorised_at)):
        _void_authorisation(change, actor, old, level)
    elif change.state == workflow.AUTHORIZE and change.authorised_at:
        from .authority import schedule_if_authorised

        schedule_if_authorised(change, actor)
    return change


def _void_authorisation(change, actor, old, new):
    from core import approvals

    from . import authority, services, workflow

    approvals.cancel_open_stages(change, actor, bump=False)
    authority.clear_authorised(change, actor)
    note = _("The risk changed from %(old)s to %(new)s: the authorisation no longer holds. The change is back in "
             "assessment; request authorisation again.") % {"old": RiskLevel(old).label, "new": RiskLevel(new).label}
    moved = services.transition_change(change, actor, workflow.ASSESS, comment=note, internal_comment=True,
                                       system=True)
    change.state, change.version, change.updated_at = moved.state, moved.version, moved.updated_at


# --- the panel ---------------------------------------------------------------------------------------------

def panel_context(change):
    """For templates/changes/_risk_panel.html: level, score, the inputs table, the formula and the
    questionnaire form (the current answers selected)."""
    inputs = change.risk_inputs or {}
    answers = change.risk_answers or {}
    questions = []
    for question in active_questions():
        chosen = answers.get(str(question.pk))
        questions.append({"id": question.pk, "text": question.text, "help_text": question.help_text,
                          "weight": question.weight,
                          "options": [{"index": i, "label": o.get("label", ""), "score": o.get("score", 0),
                                       "selected": chosen == i} for i, o in enumerate(question.options or [])]})
    cmdb = dict(inputs.get("cmdb") or {})
    cmdb["services"] = [{**entry, "criticality_label": _criticality_label(entry.get("criticality"))}
                        for entry in cmdb.get("services") or []]  # in the reader's language
    level = change.risk_level
    return {"risk": {"level": level, "level_label": RiskLevel(level).label if level else "",
                     "level_key": RiskLevel(level).name.lower() if level else "", "score": change.risk_score,
                     "assessed_at": change.risk_assessed_at, "inputs": inputs,
                     "from_template": inputs.get("source") == "template",
                     "questionnaire": inputs.get("questionnaire") or {}, "cmdb": cmdb,
                     "rules": inputs.get("rules") or []},
            "risk_formula": FORMULA, "risk_questions": questions, "risk_version": change.version,
            "risk_url": reverse("change_risk:answer", args=[change.pk]),
            "risk_editable": change.change_type != ChangeType.STANDARD and change.state in ("new", "assess",
                                                                                            "authorize",
                                                                                            "scheduled")}
