"""A TCP relay in front of Postgres that a test or a bench can cut, hang, slow down and restore."""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time

from sqlalchemy.engine import make_url


class TcpProxy:
    """A TCP relay on 127.0.0.1 in front of Postgres that a test can cut, hang and restore.

    While cut, it closes every open connection and turns new ones away (accept, then
    close at once), which psycopg reports as the server closing the connection. While
    hanging, it keeps every connection open and swallows what it is sent, answering
    nothing: a half-open link, a compute stuck waking, a proxy that hangs. While slowed
    down, every reply from the server reaches the client `delay_s` after it was sent (a
    slow link: the round trip grows, nothing is lost).
    """

    def __init__(self, upstream_port: int) -> None:
        self._upstream = ("127.0.0.1", upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]
        self.up = True
        self.hanging = False
        self.delay_s = 0.0
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

    def slow_down(self, delay_s: float) -> None:
        """Deliver every reply from the server `delay_s` late, until `restore`."""
        self.delay_s = delay_s

    def restore(self) -> None:
        """Accept and relay again; connections that hung are closed (their replies are lost)."""
        with self._lock:
            if self.hanging:
                self._close_all()
            self.up = True
            self.hanging = False
            self.delay_s = 0.0

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
                    pumps = [(client, None, None)]
                else:
                    server = socket.create_connection(self._upstream)
                    self._open += [client, server]
                    # Replies go through a queue so that a delay adds to each of them once.
                    replies: queue.Queue = queue.Queue()
                    pumps = [(client, server, None), (server, client, replies)]
                    threading.Thread(
                        target=self._deliver, args=(replies, client), daemon=True
                    ).start()
            for pump in pumps:
                threading.Thread(target=self._pump, args=pump, daemon=True).start()

    def _pump(
        self, source: socket.socket, target: socket.socket | None, outlet: queue.Queue | None
    ) -> None:
        try:
            while data := source.recv(65536):
                if target is None or self.hanging:
                    continue
                if outlet is not None:
                    outlet.put((time.monotonic() + self.delay_s, data))
                else:
                    target.sendall(data)
        except OSError:
            pass
        _close(source)
        if outlet is not None:
            outlet.put((0.0, b""))  # the end: the deliverer closes the client
        elif target is not None:
            _close(target)

    def _deliver(self, replies: queue.Queue, client: socket.socket) -> None:
        """Send the server's replies to the client, each at its due time, in order."""
        try:
            while data := (item := replies.get())[1]:
                time.sleep(max(item[0] - time.monotonic(), 0.0))
                if not self.hanging:
                    client.sendall(data)
        except OSError:
            pass
        _close(client)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
