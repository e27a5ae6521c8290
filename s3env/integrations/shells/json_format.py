"""JSON: one object, variable name to value, ``null`` meaning "unset" (as direnv's dump)."""

from __future__ import annotations

from s3env.integrations.shells.base import Shell

TYPE_CHECKING = False
if TYPE_CHECKING:
    from s3env.integrations.shells.base import Export


class JsonFormat(Shell):
    name = "json"
    file_suffix = "json"

    def render(self, export: Export) -> str:
        import json  # lazy: only this format needs it

        for name, value in export.items():
            self.check(name, value)
        return json.dumps(dict(sorted(export.items())), ensure_ascii=False, indent=2) + "\n"

    def comment(self, text: str) -> None:
        return None

    def set(self, name: str, value: str) -> str:  # pragma: no cover - render is overridden
        raise NotImplementedError

    def unset(self, name: str) -> str:  # pragma: no cover - render is overridden
        raise NotImplementedError
