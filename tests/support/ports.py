"""Loopback ports for the servers tests start (Dovecot, aiosmtpd, gunicorn), safe when tests run in parallel.

Binding port 0, closing the socket and handing the number on leaves a window in which another process (another
pytest-xdist worker, or any outgoing connection's ephemeral port) may take the port. `reserved_port()` instead
keeps a socket bound to the port, with SO_REUSEADDR and never listening, for as long as the test needs it: the
kernel gives that port to no one else, a server that binds with SO_REUSEADDR (asyncio and so aiosmtpd, gunicorn,
Dovecot) can still listen on it, and while nothing listens a connection to it is refused.
"""

import socket
from contextlib import contextmanager

HOST = "127.0.0.1"


@contextmanager
def reserved_port(host=HOST):
    """A port of `host` that stays ours until the block ends; nothing listens on it until a server does."""
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind((host, 0))
        yield holder.getsockname()[1]
