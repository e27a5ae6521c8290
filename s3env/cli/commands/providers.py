"""``s3env providers``: the provider presets."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from s3env.cli.commands._output import print_json, print_table, show

if TYPE_CHECKING:
    from s3env.core.providers import Provider


def providers(as_json: bool = typer.Option(False, "--json", help="Print the presets as JSON.")) -> None:
    """List provider presets (endpoint template, addressing style, default region)."""
    from s3env.core.providers import PROVIDERS

    if as_json:
        print_json(
            [
                {
                    "name": p.name,
                    "title": p.title,
                    "endpoint_template": p.endpoint_template,
                    "addressing_style": p.addressing_style,
                    "default_region": p.default_region,
                    "needs_endpoint": p.needs_endpoint(),
                    "region_note": p.region_note,
                    "endpoint_note": p.endpoint_note,
                    "docs_url": p.docs_url,
                }
                for p in PROVIDERS.values()
            ]
        )
        return
    rows = [
        [
            p.name,
            p.title,
            _endpoint_label(p),
            p.addressing_style,
            show(p.default_region),
        ]
        for p in PROVIDERS.values()
    ]
    print_table(["NAME", "TITLE", "ENDPOINT", "ADDRESSING", "REGION"], rows)


def _endpoint_label(provider: Provider) -> str:
    if provider.endpoint_template:
        return provider.endpoint_template
    return "(give --endpoint-url)" if provider.needs_endpoint() else "(AWS default)"
