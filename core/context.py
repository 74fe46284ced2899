"""Per-request context for audit entries (request id), set by middleware and by tasks."""

import contextvars

request_id = contextvars.ContextVar("request_id", default="")
