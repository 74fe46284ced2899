"""Reads of trend-analysis candidates, shared by the API and the page."""



from .models import Candidate


def candidates(status=Candidate.Status.PROPOSED):
    return Candidate.objects.filter(status=status).select_related("service", "configuration_item", "category",
                                                                  "problem")


def candidate_detail():
    return Candidate.objects.select_related("service", "configuration_item", "category", "problem")


def incident_numbers(candidate_list, limit=None):
    """{incident id: number} of the listed candidates' incidents (first `limit` of each), in one query."""
    from incidents.models import Incident

    wanted = {pk for candidate in candidate_list for pk in candidate.incident_ids[:limit]}
    return dict(Incident.objects.filter(pk__in=wanted).values_list("pk", "number")) if wanted else {}
