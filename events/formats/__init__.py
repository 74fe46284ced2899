"""The registry of event formats that POST /api/v1/events/<name>/ accepts.

A format turns a request body into rows to store (fast, at accept time) and a stored row into signals (later,
in Celery). To add one, e.g. for Zabbix:

1. write ``events/formats/zabbix.py`` with a class implementing :class:`events.formats.base.EventFormat`:

   - ``split(data, default_source)`` validates the body and returns a list of ``RawEvent(source, payload,
     idempotency_key)``, one stored Event row each; bad input raises ``rest_framework.exceptions.ValidationError``
     with field messages (answered as HTTP 400);
   - ``signals(payload)`` turns one stored payload into a list of ``Signal`` (source, node, check, severity,
     message, time, fingerprint, labels) that processing deduplicates, maps and correlates;

2. end the module with ``register("zabbix", ZabbixFormat())`` and add ``"zabbix"`` to ``FORMAT_MODULES`` below.

The format is then accepted at ``POST /api/v1/events/zabbix/`` with the same authentication, idempotency and
202 answer as the built-in ones.
"""

from importlib import import_module

FORMAT_MODULES = ["generic", "alertmanager", "grafana"]

_formats = {}
_loaded = False


def register(name, event_format):
    _formats[name] = event_format
    return event_format


def get(name):
    """The format registered under `name`, or None."""
    if not _loaded:
        load()
    return _formats.get(name)


def names():
    if not _loaded:
        load()
    return sorted(_formats)


def load():
    """Import every format module (importing one of them directly registers only that one)."""
    global _loaded
    for module in FORMAT_MODULES:
        import_module(f"{__name__}.{module}")
    _loaded = True
