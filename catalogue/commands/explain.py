"""`catalogue explain SERVER TOOL`: the evidence, rule hits, model scores and combination."""

from __future__ import annotations

from typing import Any

from catalogue.db import store
from catalogue.errors import NotInCatalogue
from catalogue.output import console, print_json, safe_text
from catalogue.settings import Settings
from classifier.explain import explain
from mcp_domain import ToolDefinition


def find_tool(server_name: str, tool_name: str, settings: Settings) -> tuple[str, ToolDefinition]:
    """("source:name version", definition) of a stored tool; NotInCatalogue if absent."""
    sessions = store.open_database(settings.db)
    with sessions() as session:
        servers = store.find_servers(session, server_name)
        if not servers:
            raise NotInCatalogue(f"{server_name}: not in the catalogue at {settings.db}")
        for server in servers:
            release = store.latest_good_release(server)
            if release is None:
                continue
            for row in release.tools:
                if row.name == tool_name:
                    where = f"{server.source}:{server.name} {release.version}"
                    return where, store.tool_definition(row)
    raise NotInCatalogue(f"{server_name}: has no tool named {tool_name!r}")


def _evidence_line(e: dict[str, Any]) -> str:
    return f"    {e['field']} [{e['start']}:{e['end']}] {safe_text(repr(e['text']), 120)}"


def run_explain(server_name: str, tool_name: str, settings: Settings, as_json: bool) -> None:
    where, tool = find_tool(server_name, tool_name, settings)
    result = explain(tool)
    if as_json:
        print_json({"server": where, **result})
        return
    label = result["label"]
    out = [
        f"{where} {safe_text(tool.name, 120)}",
        f"description: {safe_text(tool.description, 300) or '(none)'}",
        "",
        "rules fired (weight, evidence field [start:end] text):",
    ]
    for hit in result["rules"] or []:
        out.append(
            f"  {hit['rule']} -> {hit['supports']} ({hit['kind']}, weight {hit['weight']:.2f})"
        )
        out += [_evidence_line(e) for e in hit["evidence"]]
    if not result["rules"]:
        out.append("  (none)")
    model = result["model"]
    if model is not None:
        probs = ", ".join(f"{c} {p:.3f}" for c, p in model["probabilities"].items())
        out += ["", f"model {model['version']}: {probs}", "  features pushing the final category:"]
        out += [
            f"    {safe_text(f['feature'], 80)}  +{f['weight']:.3f}" for f in model["top_features"]
        ]
    out += ["", "combination:"] + [f"  {safe_text(s)}" for s in result["steps"]]
    out += [
        "",
        f"label: {label['category']}, risk {label['risk']}, confidence {label['confidence']:.3f}, "
        f"flags {', '.join(label['flags']) or '-'}",
        f"rationale: {safe_text(label['rationale'])}",
        "evidence:",
    ]
    out += [_evidence_line(e) for e in label["evidence"]]
    console.print("\n".join(out), markup=False, soft_wrap=True)
