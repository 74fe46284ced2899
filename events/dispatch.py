"""Hands accepted events to Celery without a broker round trip per request.

The accept path commits the rows and calls :func:`dispatch` with their ids. The ids are buffered in the
process; a background thread publishes them as one ``events.process_event`` message per ``interval``
(``EVENTS_DISPATCH_INTERVAL``, default 0.2 s), in chunks of at most ``max_ids``. At 1,000 single events per
second that is 5 messages a second instead of 1,000, and the request never waits on the broker.

Nothing acknowledged is lost by this: the rows are committed before the ids reach the buffer. If the broker is
down, or the process ends before a flush, the rows stay unprocessed and the beat sweep
(``events.process_pending``) takes them.

With ``task_always_eager`` (tests, a broker-less setup) the message is published inline, so processing runs
in the request as before.
"""

import atexit
import logging
import os
import threading
import time

from django.conf import settings

log = logging.getLogger(__name__)

DISPATCH_INTERVAL = float(getattr(settings, "EVENTS_DISPATCH_INTERVAL", 0.2))


def publish(event_ids):
    """One process_event message; False (and a warning) when the broker is unreachable."""
    from .tasks import process_event

    try:
        process_event.apply_async(args=[list(event_ids)], retry=False)
        return True
    except Exception as exc:  # kombu OperationalError, socket errors: the rows are safe in the database
        log.warning("events: broker unavailable (%s); %d event(s) left for events.process_pending",
                    exc, len(event_ids))
        return False


def _eager():
    from .tasks import process_event

    return bool(process_event.app.conf.task_always_eager)


class Dispatcher:
    """Per-process buffer of committed event ids and the thread that publishes them."""

    def __init__(self, interval=DISPATCH_INTERVAL, max_ids=200, publish=publish, eager=_eager):
        self.interval = interval
        self.max_ids = max_ids
        self._publish = publish
        self._eager = eager
        self._reset()

    def _reset(self):
        self._pid = os.getpid()
        self._cond = threading.Condition()
        self._ids = []
        self._thread = None

    def add(self, event_ids):
        if not event_ids:
            return
        if self._eager():
            for offset in range(0, len(event_ids), self.max_ids):
                self._publish(event_ids[offset:offset + self.max_ids])
            return
        if self._pid != os.getpid():  # forked (gunicorn --preload, Celery prefork): the thread stayed behind
            self._reset()
        with self._cond:
            self._ids.extend(event_ids)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="events-dispatch", daemon=True)
                self._thread.start()
            self._cond.notify()

    def flush(self):
        """Publish what is buffered now; returns how many ids were handed to the broker."""
        if self._pid != os.getpid():  # a forked child's copy belongs to its parent
            self._reset()
            return 0
        with self._cond:
            ids, self._ids = self._ids, []
        sent = 0
        for offset in range(0, len(ids), self.max_ids):
            chunk = ids[offset:offset + self.max_ids]
            if not self._publish(chunk):
                break  # the broker is down: the rest waits for the sweep too, without a timeout per chunk
            sent += len(chunk)
        return sent

    def _run(self):
        while True:
            with self._cond:
                while not self._ids:
                    self._cond.wait()
            time.sleep(self.interval)  # the requests of the next moment join this message
            try:
                self.flush()
            except Exception:  # never let the thread die; the sweep covers what was not sent
                log.exception("events: dispatch failed")


dispatcher = Dispatcher()
atexit.register(dispatcher.flush)  # a worker stopping gracefully sends what it holds (else the sweep does)


def dispatch(event_ids):
    """Queue the processing of committed events (call it once their rows are committed)."""
    dispatcher.add(list(event_ids))
