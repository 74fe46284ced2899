"""Known errors for the error-control tests, made through the services as the product makes them."""

from core import services as core_services
from problems import services as problem_services


def known_error(agent, title="Printer queue stalls", workaround="Restart the print spooler service.",
                root_cause="Spooler memory leak", state="investigating", **data):
    problem = problem_services.create_problem(agent, {
        "title": title, "workaround": workaround, "root_cause": root_cause, "known_error": True, **data})
    if state != "new":
        problem = core_services.transition_ticket(problem, None, "investigating")
    return problem


def fix(problem, close=True, code="fix_applied", notes="Patched the spooler (KB 123)."):
    problem = core_services.transition_ticket(problem, None, "resolved", {"resolution_code": code,
                                                                          "resolution_notes": notes})
    if close:
        problem = core_services.transition_ticket(problem, None, "closed")
    return problem
