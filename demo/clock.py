"""A simulated clock for the demo history: every service reads time as django.utils.timezone.now(), so
patching that one attribute (and the model fields that captured it as their default) moves the whole product.

    with SimulatedClock(start) as clock:
        clock.advance_to(start + timedelta(hours=2))
        incident_services.create_incident(...)  # created_at, audit entries, SLA timers: two hours later

Outbox delivery is not queued on commit while the clock runs (the history delivers its own mail on the
simulated clock, see demo.history), and the clock never moves backwards.
"""

from django.apps import apps
from django.utils import timezone

from core import notifications

_MISSING = object()


class SimulatedClock:
    def __init__(self, start):
        self.now = start
        self._saved = []

    def read(self):
        return self.now

    def advance_to(self, instant):
        if instant < self.now:
            raise ValueError(f"the simulated clock cannot go back from {self.now} to {instant}")
        self.now = instant
        return self.now

    def _patch(self, owner, name, value):
        self._saved.append((owner, name, owner.__dict__.get(name, _MISSING)))
        setattr(owner, name, value)

    def __enter__(self):
        try:
            real_now = timezone.now
            self._patch(timezone, "now", self.read)
            for model in apps.get_models():
                for field in model._meta.concrete_fields:
                    if field.default is real_now:
                        # Field caches its default callable in _get_default (a cached property): patch both.
                        self._patch(field, "_get_default", self.read)
                        self._patch(field, "default", self.read)
            self._patch(notifications, "_kick_delivery", lambda: None)
        except BaseException:
            self.__exit__()  # what was patched before the failure goes back too
            raise
        return self

    def __exit__(self, *exc):
        for owner, name, old in reversed(self._saved):
            if old is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, old)
        self._saved = []
        return False
