"""The alerts a batch of events works on, held in memory while its signals are applied in order, and written
back together: new alerts with one INSERT, changed ones with one UPDATE.

Why: a repeat used to cost a locked SELECT (joining the incident), a full-row UPDATE and a savepoint; a batch of
100 repeats is now one locked SELECT, one UPDATE ... FROM (VALUES ...) and no savepoint.

Concurrency: before reading, a batch takes a transaction-scoped advisory lock per fingerprint, in key order,
then locks the open alerts it read (FOR UPDATE, by id). Two workers whose batches share a fingerprint therefore
run one after the other for it (counts are never lost, no two open alerts are inserted for one fingerprint),
and, the keys being taken in one global order, they never deadlock on each other's fingerprints.
"""

import zlib

from django.db import transaction

from .models import Alert

LOCK_CLASS = 0x45564E54  # "EVNT": first key of the two-key advisory locks on fingerprints
# What processing changes on an alert; the UPDATE writes these.
WRITTEN_FIELDS = ("count", "last_seen", "severity", "message", "state", "closed_at", "incident", "rule",
                  "last_note_at")


def lock_key(fingerprint):
    """A stable signed 32-bit key of a fingerprint (the same in every process)."""
    key = zlib.crc32(fingerprint.encode("utf-8", "surrogatepass"))
    return key - 2 ** 32 if key >= 2 ** 31 else key


def lock_fingerprints(fingerprints):
    """Transaction-scoped advisory locks on the fingerprints, taken in ascending key order (one query)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql" or not fingerprints:
        return  # SQLite serializes writers anyway
    keys = sorted({lock_key(fingerprint) for fingerprint in fingerprints})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, k) FROM unnest(%s::integer[]) AS k", [LOCK_CLASS, keys])
        cursor.fetchall()


class AlertSet:
    """The open alert of each fingerprint of a batch (locked), the last closed alert that had an incident
    (for "fired again"), one object per incident, and the alerts to write back.

    Incidents are shared objects: when processing moves an incident (reopen, resolve) it calls
    :meth:`incident_changed` with what the transition returned, so every alert in memory sees the new state.
    """

    def __init__(self):
        self.reset()

    def reset(self):
        """Forget everything read and changed (after a rollback); the fingerprints stay locked."""
        loaded = getattr(self, "loaded", set())
        self.loaded = set()
        self.open = {}  # fingerprint -> open Alert
        self.earlier = {}  # fingerprint -> last closed Alert with an incident, or None
        self.incidents = {}  # id -> Incident
        self.changed = {}  # id(alert) -> Alert to write (inserted when it has no pk)
        if loaded:
            self.load(loaded, lock=False)

    # --- reading ---------------------------------------------------------------------------

    def load(self, fingerprints, lock=True):
        """Lock and read the open alerts of fingerprints not read yet (one query each)."""
        wanted = set(fingerprints) - self.loaded
        if not wanted:
            return
        if lock:
            lock_fingerprints(wanted)
        rows = (Alert.objects.select_for_update(of=("self",)).select_related("incident", "rule")
                .filter(fingerprint__in=sorted(wanted), state=Alert.State.OPEN).order_by("id"))
        for alert in rows:
            self._share_incident(alert)
            self.open[alert.fingerprint] = alert
        self.loaded |= wanted

    def get(self, fingerprint):
        """The open alert of a fingerprint, or None."""
        if fingerprint not in self.loaded:
            self.load([fingerprint])
        return self.open.get(fingerprint)

    def earlier_alert(self, fingerprint):
        """The last closed alert of this fingerprint that had an incident: the condition fires again. Read for
        every fingerprint of the batch at the first call (one query), then kept current by :meth:`close`."""
        if fingerprint not in self.earlier:
            wanted = sorted((self.loaded | {fingerprint}) - self.earlier.keys())
            self.earlier.update(dict.fromkeys(wanted))
            rows = (Alert.objects.filter(fingerprint__in=wanted, state=Alert.State.CLOSED, incident__isnull=False)
                    .select_related("incident", "rule").order_by("fingerprint", "-closed_at", "-id")
                    .distinct("fingerprint")) if _postgresql() else None
            if rows is None:  # no DISTINCT ON: one query per fingerprint
                rows = filter(None, (
                    Alert.objects.filter(fingerprint=f, state=Alert.State.CLOSED, incident__isnull=False)
                    .select_related("incident", "rule").order_by("-closed_at", "-id").first() for f in wanted))
            for alert in rows:
                self._share_incident(alert)
                self.earlier[alert.fingerprint] = alert
        return self.earlier[fingerprint]

    def incident(self, incident):
        """The one object of this incident in the batch (`incident` becomes it if it is the first)."""
        if incident is None:
            return None
        return self.incidents.setdefault(incident.pk, incident)

    def _share_incident(self, alert):
        if alert.incident_id is not None:
            alert.incident = self.incident(alert.incident)

    # --- changing ---------------------------------------------------------------------------

    def add(self, alert):
        """A new open alert (inserted at the next flush)."""
        self.open[alert.fingerprint] = alert
        self.loaded.add(alert.fingerprint)
        self.touch(alert)

    def close(self, alert):
        self.open.pop(alert.fingerprint, None)
        if alert.incident_id is not None:
            self.earlier[alert.fingerprint] = alert
        self.touch(alert)

    def touch(self, alert):
        """The alert changed: write it at the next flush."""
        self.changed[id(alert)] = alert

    def incident_changed(self, incident):
        """A transition returned a new object of this incident: every alert in memory now points to it."""
        self.incidents[incident.pk] = incident
        for alert in [*self.open.values(), *filter(None, self.earlier.values()), *self.changed.values()]:
            if alert.incident_id == incident.pk:
                alert.incident = incident
        return incident

    # --- writing ----------------------------------------------------------------------------

    def flush(self):
        """Write the changed alerts: new ones with one INSERT, the others with one UPDATE."""
        if not self.changed:
            return
        alerts, self.changed = list(self.changed.values()), {}
        new = [alert for alert in alerts if alert.pk is None]
        changed = [alert for alert in alerts if alert.pk is not None]
        if new:
            Alert.objects.bulk_create(new)
        _update(changed)


def _postgresql():
    return transaction.get_connection().vendor == "postgresql"


def _update(alerts):
    if not alerts:
        return
    if not _postgresql():
        Alert.objects.bulk_update(alerts, WRITTEN_FIELDS)
        return
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    fields = [Alert._meta.pk, *(Alert._meta.get_field(name) for name in WRITTEN_FIELDS)]
    row = "(" + ", ".join(f"%s::{field.cast_db_type(connection)}" for field in fields) + ")"
    params = []
    for alert in alerts:
        params += [field.get_db_prep_save(getattr(alert, field.attname), connection) for field in fields]
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in fields[1:])
    names = ", ".join(quote(field.column) for field in fields)
    table = quote(Alert._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(alerts))}) "
                       f"AS v({names}) WHERE {table}.{quote(Alert._meta.pk.column)} = v.{quote(Alert._meta.pk.column)}",
                       params)
