"""A loopback TCP forwarder that breaks responses mid-stream, for resume and error tests.

Every connection is forwarded to ``upstream`` byte for byte (so SigV4 signatures, which cover
the Host header the client sent, stay valid); the first ``cuts`` connections that carry more
than ``cut_after`` bytes downstream are shut in both directions at that point, as a reset
network or a dying load balancer would.  ``cuts=-1`` cuts every connection.

``pause_up_after``: the first connection that sends more than that many bytes upstream is
held there (``paused`` is set) until the test sets ``resume``: a way to change a local file
in the middle of its upload, or to interrupt a command in the middle of a transfer.
``pause_down_after``: the same for the first connection that receives more than that many
bytes downstream (a download held mid-body).  With ``drop`` set before ``resume``, the held
connection is closed instead of carrying on: the server gets a body cut where it was held.

``record_up``: keep every byte each connection sent upstream; ``request_heads`` parses them.
``listen``: the address to listen on (another than loopback, to test proxy rules).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlsplit


class FaultProxy:
    def __init__(
        self,
        upstream: str,
        cut_after: int,
        cuts: int,
        pause_up_after: int | None = None,
        record_up: bool = False,
        pause_down_after: int | None = None,
        listen: str = "127.0.0.1",
    ) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.cut_after = cut_after
        self.cuts_left = cuts
        self.cut_count = 0
        self.connections = 0
        self.pause_up_after = pause_up_after
        self.pause_down_after = pause_down_after
        self.paused = threading.Event()
        self.resume = threading.Event()
        self.drop = threading.Event()
        self.record_up = record_up
        self.sent_up: list[bytearray] = []  # one per connection, with record_up
        self._lock = threading.Lock()
        self._sock = socket.create_server((listen, 0))
        self.url = f"http://{listen}:{self._sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _take_cut(self) -> bool:
        with self._lock:
            if self.cuts_left == 0:
                return False
            self.cuts_left -= 1
            self.cut_count += 1
            return True

    def _serve(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self.upstream)
        except OSError:
            client.close()
            return
        threading.Thread(target=self._pump_up, args=(client, server), daemon=True).start()
        sent = 0
        cut_here = None
        try:
            while True:
                data = server.recv(65536)
                if not data:
                    break
                data, sent = self._maybe_pause(self.pause_down_after, client, data, sent)
                if cut_here is None and sent + len(data) > self.cut_after:
                    cut_here = self._take_cut()
                    if cut_here:
                        client.sendall(data[: max(0, self.cut_after - sent)])
                        break
                client.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            for sock in (client, server):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def _pump_up(self, source: socket.socket, sink: socket.socket) -> None:
        sent = 0
        record = None
        if self.record_up:
            record = bytearray()
            with self._lock:
                self.sent_up.append(record)
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if record is not None:
                    record += data
                data, sent = self._maybe_pause(self.pause_up_after, sink, data, sent)
                sink.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)

    def _maybe_pause(
        self, limit: int | None, sink: socket.socket, data: bytes, sent: int
    ) -> tuple[bytes, int]:
        """Past ``limit`` bytes on this connection, the first time on this proxy: send up to
        the limit, set ``paused``, hold until ``resume``; the rest of ``data`` is returned."""
        if limit is None or not sent <= limit < sent + len(data):
            return data, sent
        with self._lock:
            if self.paused.is_set():
                return data, sent
            self.paused.set()
        sink.sendall(data[: limit - sent])
        self.resume.wait(60)
        if self.drop.is_set():
            raise OSError("held connection dropped")  # the pump ends: both sides are shut
        return data[limit - sent :], limit

    def request_heads(self) -> list[tuple[str, dict[str, str]]]:
        """(request line, headers with lower-case names) of every request recorded so far."""
        heads: list[tuple[str, dict[str, str]]] = []
        with self._lock:
            streams = [bytes(b) for b in self.sent_up]
        for stream in streams:
            at = 0
            while True:
                end = stream.find(b"\r\n\r\n", at)
                if end < 0:
                    break
                line, *fields = stream[at:end].decode("latin-1").split("\r\n")
                headers = {}
                for field in fields:
                    name, _, value = field.partition(":")
                    headers[name.strip().lower()] = value.strip()
                heads.append((line, headers))
                at = end + 4 + int(headers.get("content-length", "0"))
        return heads
