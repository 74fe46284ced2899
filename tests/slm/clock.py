"""A hand-moved clock for SLA tests: patches timezone.now and every model field defaulting to it."""

import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)


class Clock:
    def __init__(self, monkeypatch, start=START):
        self.now = start
        real_now = timezone.now
        fake = self.read
        monkeypatch.setattr(timezone, "now", fake)
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if field.default is real_now:
                    # Django caches the default callable in _get_default: patch that first, then the default.
                    monkeypatch.setattr(field, "_get_default", fake)
                    monkeypatch.setattr(field, "default", fake)

    def read(self):
        return self.now

    def advance(self, **kw):
        self.now += dt.timedelta(**kw)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)
