"""``s3env doctor [NAME] [--live [--timeout S]] [--json]``."""

from __future__ import annotations

import os

import typer

from s3env.cli.commands._output import print_json, print_table, show
from s3env.core.model import mask_urls_in


def doctor(
    name: str | None = typer.Argument(
        None, metavar="[NAME]", help="Profile the tools should use (default: the one that applies here)."
    ),
    live: bool = typer.Option(
        False,
        "--live",
        help="Also list buckets as NAME itself (its keys, endpoint and region) and with every "
        "installed tool as this shell would run it.",
    ),
    timeout: float = typer.Option(
        10,
        "--timeout",
        min=0.1,
        metavar="SECONDS",
        help="With --live: connect and read timeout of each call.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON (see docs/doctor.md)."),
) -> None:
    """Show what awscli, boto3, s5cmd and megfile would use right now, why, and what is wrong."""
    from s3env.integrations.doctor import diagnose
    from s3env.integrations.doctor_live import live_check, live_profile_check
    from s3env.store.profiles import ProfileStore

    store = ProfileStore(env=os.environ)
    report = diagnose(store=store, env=os.environ, name=name)
    if live:
        live_profile_check(report, store, timeout=timeout)
        live_check(report, os.environ, timeout=2 * timeout)
    if as_json:
        print_json(report.to_json())
    else:
        _print(report)
    if not report.ok:
        raise typer.Exit(1)


def _print(report) -> None:  # type: ignore[no-untyped-def]
    expected = report.expected_endpoint or "AWS"
    line = f"profile: {show(report.profile, '(none active)')}{_why(report)}   expected endpoint: {expected}"
    if report.profile is not None:
        line += (
            f"   region: {show(report.expected_region)}   credentials: {report.expected_credential_source}"
        )
    print(line)
    store = report.store
    plain = " (plain text, 0600)" if store["secret_store"] == "file" else ""
    print(
        f"store:   {store['path']}  secrets: {store['secret_store']}{plain} [{store['secret_store_source']}]"
    )
    for facts in report.files:
        state = "missing" if not facts["exists"] else ("parses" if facts.get("parses") else "DOES NOT PARSE")
        mode = f" mode {facts['mode']}" if "mode" in facts else ""
        print(f"file:    {facts['path']}  {state}{mode}")
    if report.live_profile is not None:
        print(f"live:    {_live_profile_text(report.live_profile)}")
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
            [
                tool,
                show(r.profile),
                mask_urls_in(r.endpoint_url) if r.endpoint_url else "AWS",
                show(r.region),
                r.credential_source,
                live_text,
            ]
        )
    headers = [
        "TOOL",
        "PROFILE",
        "ENDPOINT",
        "REGION",
        "CREDENTIALS",
        "LIVE (this shell)" if report.live else "",
    ]
    print_table(headers, rows)
    print()
    for tool, r in report.tools.items():
        by = r.decided_by
        print(mask_urls_in(f"{tool}: endpoint by {by.get('endpoint_url')}; profile by {by.get('profile')}"))
    print()
    for n in report.notes:
        print(f"note: {n.message}\n      to change it: {n.fix}")
    if report.notes:
        print()
    if report.ok:
        print("No problems found.")
        return
    print(f"{len(report.problems)} problem(s):")
    for p in report.problems:
        print(f"  [{p.code}] {p.message}\n      fix: {p.fix}")


def _why(report) -> str:  # type: ignore[no-untyped-def]
    """Why doctor examines this profile: the rule that chose it (docs/guide.md)."""
    from s3env.cli.status import home_short

    source = report.profile_source
    if source == "pinned":
        return " (this shell is pinned to it)"
    if source == "directory":
        return f" (from {home_short(report.profile_file)})"
    if source == "global":
        return " (the global profile)"
    return ""


def _live_profile_text(facts: dict) -> str:  # type: ignore[type-arg]
    """One line: the profile itself, with its own keys, endpoint and region (not this shell's)."""
    who = f"{facts['profile']} itself ({facts['credentials']}, {facts['endpoint_url'] or 'AWS'})"
    took = f" in {facts['seconds'] * 1000:.0f} ms" if facts.get("seconds") is not None else ""
    if facts["ok"]:
        return f"{who}: ok, {facts['buckets']} bucket(s){took}"
    if facts["ok"] is False:
        return f"{who}: FAILED{took}: {facts['detail']}"
    return f"{who}: not checked: {facts['detail']}"
