"""The improvement form of the generic ticket UI (what the record is about); each stage's content is edited on
the record page's step forms."""

from core.ticket_forms import ticket_form_class

from .models import Improvement

FIELDS = ("title", "description", "source", "services", "practices", "owner", "team", "assignee", "target_date",
          "benefit", "cost", "effort", "risk", "urgency_rating", "alignment")

ImprovementForm = ticket_form_class(Improvement, FIELDS)
