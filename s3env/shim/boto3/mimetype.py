"""The Content-Type of an upload, as s5cmd's Go finds it: ``mime.TypeByExtension`` (Go's
built-in table, then the system's freedesktop globs2 or mime.types files), else
``http.DetectContentType`` on the file's first 512 bytes (WHATWG sniffing)."""

from __future__ import annotations

import threading
from collections.abc import Callable

_GO_BUILTIN_TYPES = {
    ".avif": "image/avif",
    ".css": "text/css; charset=utf-8",
    ".gif": "image/gif",
    ".htm": "text/html; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".mjs": "text/javascript; charset=utf-8",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
    ".webp": "image/webp",
    ".xml": "text/xml; charset=utf-8",
}
_MIME_FILES = (
    "/etc/mime.types",
    "/etc/apache2/mime.types",
    "/etc/apache/mime.types",
    "/etc/httpd/conf/mime.types",
)
_MIME_TYPES: dict[str, str] | None = None
_MIME_LOCK = threading.Lock()


def _with_charset(mime_type: str) -> str:
    if mime_type.startswith("text/") and "charset" not in mime_type:
        return mime_type + "; charset=utf-8"
    return mime_type


def _load_mime_types() -> dict[str, str]:
    """Go ``mime`` on Unix: the built-in table, then freedesktop globs2 (first entry wins, the
    table kept) or else the mime.types files (which override the table)."""
    types = dict(_GO_BUILTIN_TYPES)
    for globs in ("/usr/local/share/mime/globs2", "/usr/share/mime/globs2"):
        try:
            with open(globs, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith("#"):
                continue
            fields = line.split(":")
            if len(fields) < 3 or len(fields[0]) < 1 or len(fields[2]) < 3:
                continue
            if fields[0] == "__NOGLOBS__" or fields[1] == "__NOGLOBS__":
                continue
            if not fields[2].startswith("*."):
                continue
            extension = fields[2][1:]
            if any(c in extension for c in "?*["):
                continue
            if extension in types:
                continue
            types[extension] = _with_charset(fields[1])
        return types
    for path in _MIME_FILES:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) <= 1 or fields[0].startswith("#"):
                continue
            for ext in fields[1:]:
                if ext.startswith("#"):
                    break
                types["." + ext] = _with_charset(fields[0])
    return types


def go_ext(path: str) -> str:
    for i in range(len(path) - 1, -1, -1):
        if path[i] == "/":
            break
        if path[i] == ".":
            return path[i:]
    return ""


def type_by_extension(ext: str) -> str:
    global _MIME_TYPES
    with _MIME_LOCK:
        if _MIME_TYPES is None:
            _MIME_TYPES = _load_mime_types()
    if not ext:
        return ""
    return _MIME_TYPES.get(ext) or _MIME_TYPES.get(ext.lower(), "")


_SNIFF_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"%!PS-Adobe-", "application/postscript"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"BM", "image/bmp"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
    (b"\x00\x00\x02\x00", "image/x-icon"),
    (b"OggS\x00", "application/ogg"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b\x08", "application/x-gzip"),
    (b"Rar!\x1a\x07\x00", "application/x-rar-compressed"),
    (b"Rar!\x1a\x07\x01\x00", "application/x-rar-compressed"),
    (b"\x00asm", "application/wasm"),
    (b"wOFF", "font/woff"),
    (b"wOF2", "font/woff2"),
    (b"\x1aE\xdf\xa3", "video/webm"),
)
_HTML_TAGS = (
    b"<!DOCTYPE HTML",
    b"<HTML",
    b"<HEAD",
    b"<SCRIPT",
    b"<IFRAME",
    b"<H1",
    b"<DIV",
    b"<FONT",
    b"<TABLE",
    b"<A",
    b"<STYLE",
    b"<TITLE",
    b"<B",
    b"<BODY",
    b"<BR",
    b"<P",
    b"<!--",
)


def detect_content_type(data: bytes) -> str:
    """A subset of Go ``http.DetectContentType`` (WHATWG sniffing)."""
    if data.startswith(b"\xfe\xff"):
        return "text/plain; charset=utf-16be"
    if data.startswith(b"\xff\xfe"):
        return "text/plain; charset=utf-16le"
    if data.startswith(b"\xef\xbb\xbf"):
        return "text/plain; charset=utf-8"
    stripped = data.lstrip(b"\t\n\x0c\r ")
    upper = stripped[:16].upper()
    for tag in _HTML_TAGS:
        if upper.startswith(tag) and len(stripped) > len(tag) and stripped[len(tag)] in b" >":
            return "text/html; charset=utf-8"
    if stripped.startswith(b"<?xml"):
        return "text/xml; charset=utf-8"
    for signature, mime_type in _SNIFF_SIGNATURES:
        if data.startswith(signature):
            return mime_type
    if data[:4] == b"RIFF" and data[8:14] == b"WEBPVP":
        return "image/webp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wave"
    if data[:4] == b"RIFF" and data[8:12] == b"AVI ":
        return "video/avi"
    if data[4:8] == b"ftyp" and len(data) >= 12:
        return "video/mp4"
    if any(b <= 0x08 or b == 0x0B or 0x0E <= b <= 0x1A or 0x1C <= b <= 0x1F for b in data):
        return "application/octet-stream"
    return "text/plain; charset=utf-8"


def guess_content_type(path: str, read_head: Callable[[int], bytes]) -> str:
    """The type of the file ``path``: by its extension, else by its first 512 bytes
    (``read_head(512)``)."""
    guessed = type_by_extension(go_ext(path))
    if guessed:
        return guessed
    return detect_content_type(read_head(512))
