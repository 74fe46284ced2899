"""The feeds into the register (see docs/architecture.md "Continual improvement"): proposals from repeated SLA
breaches and from complaints and low survey scores, each with its evidence, waiting for a manager; and the
conversions a person asks for, a service review action or a problem whose fix needs investment."""


def run_feeds(today=None):
    """Propose what the data supports; returns {"breach_trend": n, "feedback": n} proposals made."""
    raise NotImplementedError


def accept(proposal, actor):
    """Turn a pending proposal into an improvement (stage vision, its evidence kept); returns the improvement."""
    raise NotImplementedError


def dismiss(proposal, actor, reason):
    raise NotImplementedError


def from_review_action(action, actor):
    """An improvement from a service review action (source service_review, the review's service)."""
    raise NotImplementedError


def from_problem(problem, actor):
    """An improvement from a problem whose fix needs investment (source problem, linked to the problem)."""
    raise NotImplementedError
