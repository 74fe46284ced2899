"""What every test runs with (tests/conftest.py's autouse `_isolated`), for fixtures that outlive one test too."""

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def settings_for(directory):
    """Settings of an isolated test: its own media folder under `directory`, a fast password hasher."""
    return {"MEDIA_ROOT": directory / "media", "PASSWORD_HASHERS": PASSWORD_HASHERS}


def eager_celery():
    """Celery tasks run in-process, their errors raised."""
    from itsm.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
