"""The seven steps of the continual improvement model are an improvement's stages. Each move forward needs the
content of the stage being left (improvement.stages checks what the engine cannot: the metric, the tasks, the
measured result); any stage before "keep the momentum going" may be left by withdrawing the improvement."""

from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, Workflow

VISION, BASELINE, TARGET, PLAN, ACTION, RESULT, MOMENTUM, CLOSED = (
    "vision", "baseline", "target", "plan", "action", "result", "momentum", "closed")
STAGES = (VISION, BASELINE, TARGET, PLAN, ACTION, RESULT, MOMENTUM, CLOSED)

STATES = {
    VISION: _("1. What is the vision?"),
    BASELINE: _("2. Where are we now?"),
    TARGET: _("3. Where do we want to be?"),
    PLAN: _("4. How do we get there?"),
    ACTION: _("5. Take action"),
    RESULT: _("6. Did we get there?"),
    MOMENTUM: _("7. How do we keep the momentum going?"),
    CLOSED: _("Closed"),
}

# The content each stage must have before the record moves on (checked on the stored record).
REQUIRED = {
    VISION: ("vision", "objective", "metric_name"),
    BASELINE: (),
    TARGET: ("target_value", "target_date"),
    PLAN: ("plan", "business_case", "estimated_cost", "annual_benefit", "effort_days", "quarter"),
    ACTION: (),
    RESULT: ("evaluation",),
    MOMENTUM: ("follow_ups",),
}


def next_stage(stage):
    """The stage after `stage` in the model's order (None after the last)."""
    index = STAGES.index(stage)
    return STAGES[index + 1] if index + 1 < len(STAGES) else None


_withdraw = Transition(CLOSED, _("Withdraw"), required=("withdrawn_reason",),
                       confirm=_("Withdraw this improvement? It cannot be reopened afterwards."))


def _forward(stage, label):
    return Transition(next_stage(stage), label, required=REQUIRED[stage])


WORKFLOW = Workflow(
    initial=VISION,
    states=STATES,
    transitions={
        VISION: {BASELINE: _forward(VISION, _("Capture the baseline")), CLOSED: _withdraw},
        BASELINE: {TARGET: _forward(BASELINE, _("Set the target")), CLOSED: _withdraw},
        TARGET: {PLAN: _forward(TARGET, _("Plan the work")), CLOSED: _withdraw},
        PLAN: {ACTION: _forward(PLAN, _("Take action")), CLOSED: _withdraw},
        ACTION: {RESULT: _forward(ACTION, _("Measure the result")), CLOSED: _withdraw},
        RESULT: {MOMENTUM: _forward(RESULT, _("Keep the momentum going")),
                 ACTION: Transition(ACTION, _("Not there yet: more action")), CLOSED: _withdraw},
        MOMENTUM: {CLOSED: _forward(MOMENTUM, _("Close"))},
        CLOSED: {},
    },
    open_states=frozenset(STAGES[:-1]),
    closed_states=frozenset({CLOSED}),
)

