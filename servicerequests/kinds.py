"""Registers the request (REQ…) and task (TASK…) ticket kinds with core.hooks."""


def register():
    pass
