"""Grafana unified alerting webhook (payload version 1): POST /api/v1/events/grafana/.

Shaped like Alertmanager's (receiver, status, alerts[{status, labels, annotations, startsAt, endsAt,
fingerprint, values, generatorURL, silenceURL, dashboardURL, panelURL}], groupLabels, commonLabels) plus
orgId, title, state and message; the dashboard or panel link is kept as a label.
"""

from . import register
from .alertmanager import AlertmanagerFormat


class GrafanaFormat(AlertmanagerFormat):
    def _signal(self, source, alert, common_labels):
        signal = super()._signal(source, alert, common_labels)
        for name in ("panelURL", "dashboardURL"):
            if alert.get(name):
                signal.labels.setdefault(name, alert[name])
        values = alert.get("values")
        if isinstance(values, dict) and values and signal.severity != "clear":
            shown = ", ".join(f"{k}={v}" for k, v in sorted(values.items()))
            signal.message = f"{signal.message}\n{shown}".strip()
        return signal


register("grafana", GrafanaFormat())
