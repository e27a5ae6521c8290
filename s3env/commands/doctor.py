"""``s3env doctor [NAME] [--live] [--json]``."""

from __future__ import annotations

import os

import typer

from s3env.commands._output import examples, print_json, print_table, show


def register(app: typer.Typer) -> None:
    app.command(
        "doctor",
        epilog=examples(
            "s3env doctor                (the active profile)",
            "s3env doctor minio --live   (also list buckets with every installed tool)",
            "s3env doctor --json | jq '.tools.s5cmd.endpoint_url'",
        ),
    )(doctor)


def doctor(
    name: str | None = typer.Argument(
        None, metavar="[NAME]", help="Profile the tools should use (default: active)."
    ),
    live: bool = typer.Option(False, "--live", help="Also call every installed tool against its endpoint."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON (see docs/doctor.md)."),
) -> None:
    """Show what awscli, boto3, s5cmd and megfile would use right now, why, and what is wrong."""
    from s3env.doctor import diagnose, live_check

    report = diagnose(env=os.environ, name=name)
    if live:
        live_check(report, os.environ)
    if as_json:
        print_json(report.to_json())
    else:
        _print(report)
    if not report.ok:
        raise typer.Exit(1)


def _print(report) -> None:  # type: ignore[no-untyped-def]
    expected = report.expected_endpoint or "AWS"
    print(f"profile: {show(report.profile, '(none active)')}   expected endpoint: {expected}")
    store = report.store
    plain = " (plain text, 0600)" if store["secret_store"] == "file" else ""
    print(
        f"store:   {store['path']}  secrets: {store['secret_store']}{plain} [{store['secret_store_source']}]"
    )
    for facts in report.files:
        state = "missing" if not facts["exists"] else ("parses" if facts.get("parses") else "DOES NOT PARSE")
        mode = f" mode {facts['mode']}" if "mode" in facts else ""
        print(f"file:    {facts['path']}  {state}{mode}")
    print()
    rows = []
    for tool, r in report.tools.items():
        live = report.live.get(tool)
        live_text = (
            "" if live is None else ("ok" if live["ok"] else "FAILED" if live["ok"] is False else "n/a")
        )
        if live and live.get("seconds") is not None:
            live_text += f" {live['seconds'] * 1000:.0f} ms"
        rows.append(
            [tool, show(r.profile), r.endpoint_url or "AWS", show(r.region), r.credential_source, live_text]
        )
    headers = ["TOOL", "PROFILE", "ENDPOINT", "REGION", "CREDENTIALS", "LIVE" if report.live else ""]
    print_table(headers, rows)
    print()
    for tool, r in report.tools.items():
        by = r.decided_by
        print(f"{tool}: endpoint by {by.get('endpoint_url')}; profile by {by.get('profile')}")
    print()
    if report.ok:
        print("No problems found.")
        return
    print(f"{len(report.problems)} problem(s):")
    for p in report.problems:
        print(f"  [{p.code}] {p.message}\n      fix: {p.fix}")
