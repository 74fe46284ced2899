"""Change risk: the weighted questionnaire plus the CMDB impact (changes.risk), its inputs, audit, the panel and
the re-assessment that voids an authorisation."""

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from changes import risk, services
from changes.models import Change
from core.models import ApprovalStage, AuditEntry, Comment
from tests.support import change_factories, factories

pytestmark = pytest.mark.django_db


def fresh(change):
    return Change.objects.get(pk=change.pk)


def test_nothing_known_is_low_with_every_input_recorded():
    change = change_factories.change()
    assert change.risk_level == 1 and change.risk_score == 0 and change.risk_assessed_at
    inputs = fresh(change).risk_inputs
    assert inputs["source"] == "assessment" and inputs["score"] == 0 and inputs["level"] == 1
    assert inputs["cmdb"]["services"] == [] and inputs["cmdb"]["ci_count"] == 0
    assert inputs["questionnaire"]["answers"] == [] and inputs["weights"]["questionnaire_points"] == 50


def test_a_core_switch_many_services_depend_on_is_high_risk_from_the_cmdb():
    switch, found = change_factories.core_switch(services=6, critical=1)
    change = change_factories.change(configuration_items=[switch.pk])
    change = fresh(change)
    cmdb = change.risk_inputs["cmdb"]
    assert cmdb["service_count"] == 6 and cmdb["critical_services"] == 1 and cmdb["ci_count"] == 1
    assert cmdb["worst_criticality"] == 1
    # 50 × (0.4 × 6/10 + 0.4 × 1.0 + 0.2 × 1/5) = 34: low by score, raised by the critical-service rules
    assert cmdb["points"] == 34 and change.risk_score == 34
    assert change.risk_inputs["rules"] == ["critical_service_at_least_medium", "critical_service_high"]
    assert change.risk_level == 3
    assert cmdb["services"][0]["name"] == found[0].name and cmdb["services"][0]["criticality"] == 1
    assert {row["via_ci_name"] for row in cmdb["services"]} == {switch.name}
    assert set(change.affected_services.values_list("pk", flat=True)) == {s.pk for s in found}


def test_the_weighted_questionnaire_gives_half_the_score():
    q1 = change_factories.risk_question("Tested in staging?", weight=2, scores=(0, 2, 4))
    q2 = change_factories.risk_question("Users affected?", weight=1, scores=(0, 2, 4))
    change = change_factories.change(risk_answers={str(q1.pk): 2, q2.pk: 1})
    change = fresh(change)
    questionnaire = change.risk_inputs["questionnaire"]
    assert questionnaire["weighted_score"] == 10 and questionnaire["weighted_max"] == 12
    assert questionnaire["points"] == pytest.approx(41.67, abs=0.01)
    assert change.risk_score == 42 and change.risk_level == 2
    row = next(r for r in questionnaire["answers"] if r["id"] == q1.pk)
    assert row == {"id": q1.pk, "question": "Tested in staging?", "weight": 2, "answer": 2, "label": "Option 4",
                   "score": 4}


def test_a_critical_service_gives_at_least_medium_and_with_a_high_questionnaire_high():
    critical = factories.ServiceFactory(name="Payments", criticality=1)
    questions = [change_factories.risk_question(f"Question {n}", scores=(0, 4)) for n in range(3)]
    low = fresh(change_factories.change(services=[critical.pk]))
    assert low.risk_score < risk.MEDIUM_FROM and low.risk_level == 2
    assert low.risk_inputs["cmdb"]["services"][0]["via_ci"] is None
    answers = {questions[0].pk: 1, questions[1].pk: 1, questions[2].pk: 0}  # 2 of 3: a high questionnaire
    high = fresh(change_factories.change(services=[critical.pk], risk_answers=answers))
    assert high.risk_score == 55  # 33.3 + 22: medium by score
    assert high.risk_level == 3 and high.risk_inputs["rules"] == ["critical_service_high"]
    plain = fresh(change_factories.change(risk_answers=answers))
    assert plain.risk_level == 1


def test_clean_answers_refuses_unknown_questions_and_options():
    question = change_factories.risk_question()
    retired = change_factories.risk_question("Old", active=False)
    assert risk.clean_answers({question.pk: "1"}) == {str(question.pk): 1}
    for bad in ({999999: 0}, {retired.pk: 0}, {question.pk: 3}, {question.pk: -1}, {question.pk: "x"},
                {question.pk: True}, {"abc": 0}, ["not", "a", "dict"]):
        with pytest.raises(ValidationError) as error:
            risk.clean_answers(bad)
        assert "risk_answers" in error.value.message_dict


def test_bad_answers_through_the_api_are_400(api_as):
    question = change_factories.risk_question()
    agent = factories.agent()
    change = change_factories.change(actor=agent)
    url = f"/api/v1/changes/{change.pk}/"
    for bad in ({"999999": 0}, {str(question.pk): 7}):
        response = api_as(agent).patch(url, {"risk_answers": bad}, format="json")
        assert response.status_code == 400 and "risk_answers" in response.json(), response.content
    ok = api_as(agent).patch(url, {"risk_answers": {str(question.pk): 2}}, format="json")
    assert ok.status_code == 200 and ok.json()["risk"]["inputs"]["questionnaire"]["weighted_score"] == 4


def test_a_level_change_is_audited():
    question = change_factories.risk_question(weight=1, scores=(0, 4))
    agent = factories.agent()
    change = change_factories.change(actor=agent)
    services.update_change(change, agent, {"risk_answers": {question.pk: 1}})
    entry = AuditEntry.objects.filter(ticket_id=change.pk, changes__has_key="risk_level").get()
    assert entry.changes["risk_level"] == [1, 2] and entry.actor == agent and entry.action == "updated"
    services.update_change(fresh(change), agent, {"title": "Same risk"})
    assert AuditEntry.objects.filter(ticket_id=change.pk, changes__has_key="risk_level").count() == 1


def test_a_standard_change_keeps_its_templates_risk():
    template = change_factories.template(risk_level=2)
    change = services.create_change(factories.agent(), {"title": "Restart", "template": template})
    change = fresh(change)
    assert change.risk_level == 2 and change.risk_score is None
    assert change.risk_inputs["source"] == "template" and change.risk_inputs["template"] == template.name


def _awaiting(actor, **data):
    change = change_factories.change(actor=actor, **data)
    return services.transition_change(change, actor, "authorize")


def test_a_higher_risk_while_awaiting_authorisation_cancels_it_and_goes_back_to_assessment():
    agent = factories.agent()
    change = _awaiting(agent)
    assert change.state == "authorize" and ApprovalStage.objects.filter(ticket_id=change.pk, state="open").exists()
    switch, _found = change_factories.core_switch()
    change = services.update_change(change, agent, {"configuration_items": [switch.pk]})
    assert change.state == "assess" and change.risk_level == 3
    stored = fresh(change)
    assert stored.state == "assess" and stored.authorised_at is None
    assert not ApprovalStage.objects.filter(ticket_id=change.pk, state="open").exists()
    assert ApprovalStage.objects.filter(ticket_id=change.pk, state="cancelled").count() == 1
    note = Comment.objects.get(ticket_id=change.pk, is_internal=True)
    assert "no longer holds" in note.body


def test_a_higher_risk_after_authorisation_clears_it():
    question = change_factories.risk_question(scores=(0, 4))
    agent = factories.agent()
    model = change_factories.change_model(name="Quick", steps=[])
    change = _awaiting(agent, model=model)
    assert change.state == "scheduled" and change.authorised_at
    change = services.update_change(change, agent, {"risk_answers": {question.pk: 1}})
    stored = fresh(change)
    assert stored.state == "assess" and stored.authorised_at is None and stored.risk_level == 2
    assert AuditEntry.objects.filter(ticket_id=change.pk, changes__has_key="authorised_at").count() == 2


def test_a_lower_risk_while_authorisation_is_asked_restarts_it_an_equal_one_keeps_it():
    """The steps asked depend on the level: a lower one could otherwise skip a step the new level needs."""
    question = change_factories.risk_question(scores=(0, 1, 4))
    agent = factories.agent()
    change = _awaiting(agent, risk_answers={question.pk: 2})
    level = fresh(change).risk_level
    change = services.update_change(change, agent, {"risk_answers": {question.pk: 2}, "title": "Same risk"})
    assert fresh(change).state == "authorize" and fresh(change).risk_level == level
    assert ApprovalStage.objects.filter(ticket_id=change.pk, state="open").count() == 1
    change = services.update_change(fresh(change), agent, {"risk_answers": {question.pk: 0}})
    assert fresh(change).risk_level < level and fresh(change).state == "assess"
    assert not ApprovalStage.objects.filter(ticket_id=change.pk, state="open").exists()


def test_the_panel_shows_level_inputs_formula_and_the_questionnaire():
    switch, found = change_factories.core_switch(services=2)
    change_factories.risk_question("Tested in staging?")
    change = fresh(change_factories.change(configuration_items=[switch.pk]))
    context = risk.panel_context(change)
    assert context["risk"]["level"] == 2 and context["risk_editable"]
    html = render_to_string("changes/_risk_panel.html", context)
    for text in (found[0].name, switch.name, "Tested in staging?", "Σ", context["risk_url"]):
        assert text in html


def test_answering_from_the_page(client):
    question = change_factories.risk_question(scores=(0, 4))
    agent = factories.agent()
    change = change_factories.change(actor=agent)
    url = reverse("change_risk:answer", args=[change.pk])
    assert url == f"/changes/{change.pk}/risk/"
    client.force_login(agent)
    response = client.post(url, {f"q_{question.pk}": "1", "version": fresh(change).version})
    assert response.status_code == 302 and fresh(change).risk_answers == {str(question.pk): 1}
    bad = client.post(url, {f"q_{question.pk}": "9"}, follow=True)
    assert bad.status_code == 200 and fresh(change).risk_answers == {str(question.pk): 1}
    stale = client.post(url, {f"q_{question.pk}": "0", "version": 1})
    assert stale.status_code == 302 and fresh(change).risk_answers == {str(question.pk): 1}


def test_requesters_cannot_answer(client):
    change = change_factories.change()
    client.force_login(factories.requester())
    assert client.post(reverse("change_risk:answer", args=[change.pk]), {}).status_code == 403
    client.logout()
    assert client.post(reverse("change_risk:answer", args=[change.pk]), {}).status_code == 302
