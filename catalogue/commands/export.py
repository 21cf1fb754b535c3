"""`catalogue export policies`: one recommended policy.json per server."""

from __future__ import annotations

import re
from pathlib import Path

from catalogue.commands.classify import labelled_tools
from catalogue.db import store
from catalogue.errors import NotInCatalogue, UsageError
from catalogue.output import console, print_json
from catalogue.settings import Settings
from classifier.policy import policy_for_tools, render_policy


def policy_path(out: Path, source: str, name: str) -> Path:
    """DIR/<source>/<name>/policy.json, with the name made safe as one folder name."""
    folder = re.sub(r"[^A-Za-z0-9._@+-]", "_", name.replace("/", "__")).lstrip(".") or "_"
    return out / source / folder / "policy.json"


def run_export_policies(names: list[str], out: Path, settings: Settings, as_json: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder")
    sessions = store.open_database(settings.db)
    written = []
    with sessions() as session:
        if names:
            servers = []
            for name in names:
                found = store.find_servers(session, name)
                if not found:
                    raise NotInCatalogue(f"{name}: not in the catalogue at {settings.db}")
                servers.extend(found)
        else:
            servers = store.all_servers(session)
        for server in servers:
            release = store.latest_good_release(server)
            if release is None:
                continue
            rows = labelled_tools(session, release)
            path = policy_path(out, server.source, server.name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render_policy(policy_for_tools(rows)), encoding="utf-8")
            written.append(
                {"server": f"{server.source}:{server.name}", "version": release.version,
                 "tools": len(rows), "path": str(path)}
            )  # fmt: skip
        session.commit()
    if as_json:
        print_json({"written": written})
        return
    for item in written:
        noun = "tool" if item["tools"] == 1 else "tools"
        console.print(
            f"{item['server']} {item['version']}: {item['tools']} {noun} -> {item['path']}",
            markup=False,
        )
    console.print(f"{len(written)} policy files written under {out}", markup=False)
