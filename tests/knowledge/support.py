from knowledge import services
from knowledge.models import Audience


def article(author, title="Printer shows offline", body="Switch it on and add it again.",
            audience=Audience.REQUESTERS, published=True, **data):
    made = services.create_article(author, {"title": title, "body": body, "audience": audience, **data})
    return services.publish(made, author) if published else made
