from django import template

from core import notification_services

register = template.Library()


@register.inclusion_tag("components/watch_button.html", takes_context=True)
def watch_button(context, ticket):
    """The Watch / Stop watching button of a ticket page, for the signed-in user."""
    user = context["request"].user
    return {"ticket": ticket, "watching": user.is_authenticated and notification_services.is_watching(user, ticket),
            "csrf_token": context.get("csrf_token"), "request": context["request"]}
