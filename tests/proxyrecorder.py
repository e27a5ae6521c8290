"""A loopback HTTP proxy that records where clients wanted to go, then refuses them.

Tests point ``HTTPS_PROXY`` at it to prove that a tool would talk to AWS (``CONNECT
s3.….amazonaws.com:443``) without any traffic leaving the machine.
"""

from __future__ import annotations

import socket
import threading


class ProxyRecorder:
    def __init__(self) -> None:
        self.requests: list[str] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = b""
                try:
                    while b"\r\n" not in data and len(data) < 8192:
                        chunk = conn.recv(1024)
                        if not chunk:
                            break
                        data += chunk
                    line = data.split(b"\r\n", 1)[0].decode("latin-1")
                    if line:
                        self.requests.append(line)
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass

    def hosts(self) -> list[str]:
        """Target hosts of CONNECT requests (https) and absolute-URI requests (http)."""
        out = []
        for line in self.requests:
            parts = line.split()
            if len(parts) >= 2:
                target = parts[1]
                if target.startswith("http://"):
                    target = target[len("http://") :].split("/", 1)[0]
                out.append(target.rsplit(":", 1)[0] if ":" in target else target)
        return out

    def close(self) -> None:
        self._stop = True
        self._sock.close()
