"""A TCP relay in front of Postgres that a test or a bench can cut, hang and restore."""

from __future__ import annotations

import contextlib
import socket
import threading

from sqlalchemy.engine import make_url


class TcpProxy:
    """A TCP relay on 127.0.0.1 in front of Postgres that a test can cut, hang and restore.

    While cut, it closes every open connection and turns new ones away (accept, then
    close at once), which psycopg reports as the server closing the connection. While
    hanging, it keeps every connection open and swallows what it is sent, answering
    nothing: a half-open link, a compute stuck waking, a proxy that hangs.
    """

    def __init__(self, upstream_port: int) -> None:
        self._upstream = ("127.0.0.1", upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]
        self.up = True
        self.hanging = False
        self.refused = 0
        self._open: list[socket.socket] = []
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def url(self, database_url: str) -> str:
        """`database_url` with its port pointed at this proxy."""
        return make_url(database_url).set(port=self.port).render_as_string(hide_password=False)

    def cut(self) -> None:
        """Drop every connection now and refuse new ones until `restore`."""
        with self._lock:
            self.up = False
            self.hanging = False
            self._close_all()

    def hang(self) -> None:
        """From now on answer nothing, on open connections and new ones, until `restore`."""
        with self._lock:
            self.hanging = True

    def restore(self) -> None:
        """Accept and relay again; connections that hung are closed (their replies are lost)."""
        with self._lock:
            if self.hanging:
                self._close_all()
            self.up = True
            self.hanging = False

    def refuse_for(self, seconds: float) -> None:
        """Refuse connections for `seconds`, then accept again (a compute waking up)."""
        self.cut()
        timer = threading.Timer(seconds, self.restore)
        timer.daemon = True
        timer.start()

    def close(self) -> None:
        self._stopped.set()
        self.cut()
        self._listener.close()

    def _close_all(self) -> None:
        for sock in self._open:
            _close(sock)
        self._open.clear()

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                if not self.up:
                    self.refused += 1
                    _close(client)
                    continue
                if self.hanging:  # accept, then never answer
                    self._open.append(client)
                    pairs = [(client, None)]
                else:
                    server = socket.create_connection(self._upstream)
                    self._open += [client, server]
                    pairs = [(client, server), (server, client)]
            for source, target in pairs:
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket | None) -> None:
        try:
            while data := source.recv(65536):
                if target is not None and not self.hanging:
                    target.sendall(data)
        except OSError:
            pass
        _close(source)
        if target is not None:
            _close(target)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
