from core import permissions

from .models import Incident

LIST_RELATED = ("team", "assignee", "service", "configuration_item", "organization", "requester", "category")


def incident_list(user):
    """The incidents a user may see, with what a list row shows fetched in the same query."""
    return permissions.visible_tickets(user, Incident.objects.select_related(*LIST_RELATED))


def incident_detail(user):
    return permissions.visible_tickets(
        user, Incident.objects.select_related(*LIST_RELATED, "subcategory", "parent", "major_incident_manager",
                                              "created_by"))
