from . import permissions


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_agent": False, "is_manager": False}
    return {"is_agent": permissions.is_agent(user), "is_manager": permissions.is_manager(user)}
