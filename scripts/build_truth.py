"""Build extraction ground truth by running real MCP servers and asking `tools/list`.

For each entry of scripts/eval/corpus.toml: install the pinned package into a
throwaway environment under the cache dir, start it over stdio with dummy
credentials, list its tools with the official `mcp` client (kept in its own
venv under the cache dir, never a project dependency), and write one line of
facts per server to scripts/eval/truth.jsonl: tool names, sorted top-level
input-schema property names, and a sha256 of each whitespace-normalised
description. Nothing else from the package is stored.

This script runs package code, which is why it only ever runs in throwaway
environments under the cache dir, never inside the project's environment.

    python scripts/build_truth.py                  # every corpus entry
    python scripts/build_truth.py --server NAME    # one entry (repeatable)
    python scripts/build_truth.py --jobs 3 --cache-dir /tmp/mcp-eval
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS_PATH = HERE / "eval" / "corpus.toml"
TRUTH_PATH = HERE / "eval" / "truth.jsonl"
DEFAULT_CACHE = Path(os.environ.get("MCP_EVAL_CACHE", "/tmp/mcp-eval"))
# The client SDK version the listing child uses; 1.x speaks every protocol revision.
CLIENT_REQUIREMENT = "mcp==1.30.0"
INSTALL_TIMEOUT = 900
# Installs must never fetch browsers or binaries from outside the registries.
INSTALL_ENV = {
    "PUPPETEER_SKIP_DOWNLOAD": "1",
    "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD": "1",
    "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
    "npm_config_audit": "false",
    "npm_config_fund": "false",
    "npm_config_update_notifier": "false",
}
# Every server gets these, so clients built at start-up do not trip on a missing key.
BASE_SERVER_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "dummy",
    "AWS_SECRET_ACCESS_KEY": "dummy",
    "NO_UPDATE_NOTIFIER": "1",
    "DO_NOT_TRACK": "1",
    "HF_HUB_OFFLINE": "1",
    "PYTHONUNBUFFERED": "1",
    "PYTHONHASHSEED": "0",  # set-ordered text in descriptions stays the same run to run
}


# ---------------------------------------------------------------- corpus


@dataclass
class CorpusEntry:
    source: str  # "pypi" | "npm"
    name: str
    version: str
    language: str  # "python" | "typescript" | "go"
    shape: str
    tools_in_package: bool
    command: str | None = None  # executable name in the env; detected when absent
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    # Extra pip requirements installed with the package, e.g. "mcp<2" for releases
    # that predate a breaking SDK major and never capped it.
    requirements: list[str] = field(default_factory=list)
    # Small files written into the work folder before start-up (name -> text), e.g. a kubeconfig.
    files: dict[str, str] = field(default_factory=dict)
    # The Python to build the venv with ("3.13"), for releases that refuse the default one.
    python: str | None = None
    timeout: float = 60.0
    note: str = ""
    # Evaluate the extractor on this source repository ("owner/name") at this git ref instead
    # of on the registry artifact; the truth still comes from running the registry package.
    repository: str | None = None
    ref: str | None = None

    @property
    def slug(self) -> str:
        suffix = "-src" if self.repository else ""
        return re.sub(r"[^A-Za-z0-9._-]+", "_", f"{self.source}-{self.name}-{self.version}{suffix}")


def load_corpus(path: Path = CORPUS_PATH) -> list[CorpusEntry]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    entries = []
    for raw in data.get("server", []):
        entries.append(
            CorpusEntry(
                source=raw["source"],
                name=raw["name"],
                version=str(raw["version"]),
                language=raw["language"],
                shape=raw["shape"],
                tools_in_package=bool(raw["tools_in_package"]),
                command=raw.get("command"),
                args=[str(a) for a in raw.get("args", [])],
                env={k: str(v) for k, v in raw.get("env", {}).items()},
                requirements=[str(r) for r in raw.get("requirements", [])],
                python=str(raw["python"]) if "python" in raw else None,
                files={k: str(v) for k, v in raw.get("files", {}).items()},
                timeout=float(raw.get("timeout", 60)),
                note=raw.get("note", ""),
                repository=raw.get("repository"),
                ref=str(raw["ref"]) if "ref" in raw else None,
            )
        )
    return entries


def select(entries: list[CorpusEntry], names: list[str] | None) -> list[CorpusEntry]:
    if not names:
        return entries
    wanted = set(names)
    # "name" picks every version of a server in the corpus, "name@version" one of them.
    return [e for e in entries if e.name in wanted or f"{e.name}@{e.version}" in wanted]


def entry_key(source: str, name: str, version: str) -> tuple[str, str, str]:
    return (source, name, version)


# ---------------------------------------------------------------- facts


def normalise_description(text: str | None) -> str:
    return " ".join((text or "").split())


def description_hash(text: str | None) -> str:
    return hashlib.sha256(normalise_description(text).encode("utf-8")).hexdigest()


def schema_properties(schema: Any) -> list[str]:
    if not isinstance(schema, dict):
        return []
    props = schema.get("properties")
    return sorted(props) if isinstance(props, dict) else []


def tool_facts(tool: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": tool.get("name", ""),
        "properties": schema_properties(tool.get("inputSchema")),
        "description_sha256": description_hash(tool.get("description")),
    }


def read_truth(path: Path = TRUTH_PATH) -> dict[tuple[str, str, str], dict[str, Any]]:
    truth: dict[tuple[str, str, str], dict[str, Any]] = {}
    if not path.exists():
        return truth
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            truth[entry_key(row["source"], row["name"], row["version"])] = row
    return truth


def write_truth(rows: list[dict[str, Any]], path: Path = TRUTH_PATH) -> None:
    lines = [json.dumps(row, sort_keys=True, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- processes


def run(cmd: list[str], timeout: float, log: Path, env: dict[str, str] | None = None) -> int:
    """Run a command in its own process group, killing the whole group on timeout."""
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(cmd)}\n")
        out.flush()
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            out.write(f"timed out after {timeout:.0f}s\n")
            return -1


def kill_group(proc: subprocess.Popen[Any]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


class InstallError(Exception):
    pass


def ensure_client_venv(cache: Path) -> Path:
    venv = cache / "tool"
    python = venv / "bin" / "python"
    marker = venv / ".client-ok"
    if marker.exists() and marker.read_text() == CLIENT_REQUIREMENT:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    log = cache / "logs" / "tool-venv.log"
    if run([sys.executable, "-m", "venv", str(venv)], 300, log) != 0:
        raise InstallError(f"could not create the client venv, see {log}")
    if (
        run([str(python), "-m", "pip", "install", "-q", CLIENT_REQUIREMENT], INSTALL_TIMEOUT, log)
        != 0
    ):
        raise InstallError(f"could not install {CLIENT_REQUIREMENT}, see {log}")
    marker.write_text(CLIENT_REQUIREMENT)
    return python


def install(entry: CorpusEntry, cache: Path, log: Path) -> Path:
    env_dir = cache / "envs" / entry.slug
    marker = env_dir / ".installed"
    wanted = json.dumps(entry.requirements)
    if marker.exists() and marker.read_text() == wanted:
        return env_dir
    shutil.rmtree(env_dir, ignore_errors=True)
    env = {**os.environ, **INSTALL_ENV}
    if entry.source == "pypi":
        interpreter = find_python(entry.python)
        if run([interpreter, "-m", "venv", str(env_dir)], 300, log) != 0:
            raise InstallError("venv creation failed")
        pip = [
            str(env_dir / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
        ]
        if (
            run(
                [*pip, f"{entry.name}=={entry.version}", *entry.requirements],
                INSTALL_TIMEOUT,
                log,
                env,
            )
            != 0
        ):
            raise InstallError("pip install failed")
    elif entry.source == "npm":
        env_dir.mkdir(parents=True)
        cmd = [
            "npm",
            "install",
            "--prefix",
            str(env_dir),
            "--no-save",
            f"{entry.name}@{entry.version}",
        ]
        if run(cmd, INSTALL_TIMEOUT, log, env) != 0:
            raise InstallError("npm install failed")
    else:
        raise InstallError(f"unknown source {entry.source!r}")
    marker.write_text(wanted)
    return env_dir


def find_python(version: str | None) -> str:
    """This interpreter, or `pythonX.Y` from PATH or a pyenv install when a version is asked."""
    if not version:
        return sys.executable
    name = f"python{version}"
    found = shutil.which(name)
    if found and subprocess.run([found, "-V"], capture_output=True).returncode == 0:
        return found
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for candidate in sorted(pyenv_root.glob(f"versions/{version}*/bin/{name}")):
        return str(candidate)
    raise InstallError(f"no {name} on this machine")


def resolve_command(entry: CorpusEntry, env_dir: Path) -> list[str]:
    """The executable that starts the server: named in the corpus, or the package's only one."""
    bin_dir = env_dir / ("bin" if entry.source == "pypi" else "node_modules/.bin")
    if entry.command:
        # "python -m module" style commands run with the env's own interpreter.
        parts = entry.command.split()
        if parts[0] == "python":
            return [str(env_dir / "bin" / "python"), *parts[1:]]
        if parts[0] == "node":
            return ["node", str(env_dir / "node_modules" / entry.name / parts[1]), *parts[2:]]
        return [str(bin_dir / parts[0]), *parts[1:]]
    names = package_bins(entry, env_dir)
    if len(names) != 1:
        raise InstallError(
            f"cannot tell which executable starts the server: {names or 'none'}; set command"
        )
    return [str(bin_dir / names[0])]


def package_bins(entry: CorpusEntry, env_dir: Path) -> list[str]:
    if entry.source == "npm":
        manifest = json.loads((env_dir / "node_modules" / entry.name / "package.json").read_text())
        bins = manifest.get("bin")
        if isinstance(bins, str):
            return [entry.name.split("/")[-1]]
        return sorted(bins) if isinstance(bins, dict) else []
    wanted = re.sub(r"[-_.]+", "_", entry.name).lower()
    for info in (env_dir / "lib").glob("python*/site-packages/*.dist-info"):
        dist = re.sub(
            r"[-_.]+", "_", info.name.removesuffix(".dist-info").rsplit("-", 1)[0]
        ).lower()
        if dist == wanted and (info / "entry_points.txt").exists():
            return console_scripts((info / "entry_points.txt").read_text())
    return []


def console_scripts(text: str) -> list[str]:
    names, in_section = [], False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            in_section = line == "[console_scripts]"
        elif in_section and "=" in line:
            names.append(line.split("=", 1)[0].strip())
    return sorted(names)


def substitute(values: list[str] | dict[str, str], workdir: Path) -> Any:
    if isinstance(values, dict):
        return {k: v.replace("{workdir}", str(workdir)) for k, v in values.items()}
    return [v.replace("{workdir}", str(workdir)) for v in values]


# ---------------------------------------------------------------- listing


@dataclass
class Outcome:
    entry: CorpusEntry
    tools: list[dict[str, Any]] | None = None
    error: str = ""
    seconds: float = 0.0


def list_server_tools(entry: CorpusEntry, cache: Path, client_python: Path) -> Outcome:
    started = time.monotonic()
    logs = cache / "logs"
    log = logs / f"{entry.slug}.log"
    log.write_text("")
    try:
        env_dir = install(entry, cache, log)
        command = resolve_command(entry, env_dir)
    except (InstallError, OSError, ValueError) as exc:
        return Outcome(entry, error=f"install: {exc}", seconds=time.monotonic() - started)
    workdir = cache / "work" / entry.slug
    home = cache / "home" / entry.slug
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    home.mkdir(parents=True, exist_ok=True)
    for name, text in substitute(entry.files, workdir).items():
        (workdir / Path(name).name).write_text(text)
    path = os.pathsep.join([str(Path(command[0]).parent), os.environ.get("PATH", "")])
    spec = {
        "command": command[0],
        "args": command[1:] + substitute(entry.args, workdir),
        "env": {
            **BASE_SERVER_ENV,
            "HOME": str(home),
            "PATH": path,
            **substitute(entry.env, workdir),
        },
        "cwd": str(workdir),
        "timeout": entry.timeout,
        "errlog": str(logs / f"{entry.slug}.stderr"),
    }
    raw = cache / "raw" / f"{entry.slug}.json"
    child = [
        str(client_python),
        str(Path(__file__).resolve()),
        "--child",
        json.dumps(spec),
        str(raw),
    ]
    raw.unlink(missing_ok=True)
    code = run(child, entry.timeout + 30, log)
    seconds = time.monotonic() - started
    if code != 0 or not raw.exists():
        return Outcome(entry, error=f"tools/list: {last_error_line(log)}", seconds=seconds)
    tools = json.loads(raw.read_text())
    return Outcome(entry, tools=tools, seconds=seconds)


def last_error_line(log: Path) -> str:
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("CHILD-ERROR"):
            return line.removeprefix("CHILD-ERROR").strip()[:300]
    return (lines[-1] if lines else "no output")[:300]


def child_main(spec_json: str, out_path: str) -> int:
    """Runs inside the client venv: start one server, list its tools, write them as JSON."""
    import anyio
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    spec = json.loads(spec_json)
    params = StdioServerParameters(
        command=spec["command"], args=spec["args"], env=spec["env"], cwd=spec["cwd"]
    )

    async def ignore(message: Any) -> None:
        # Servers that chat (log notifications, requests) before answering must not
        # trip the client; only the tools/list answer matters here.
        return None

    listed: list[list[dict[str, Any]]] = []  # filled once the last page has arrived

    async def list_all() -> None:
        with (
            open(spec["errlog"], "w", encoding="utf-8") as errlog,
            anyio.fail_after(spec["timeout"]),
        ):
            async with stdio_client(params, errlog=errlog) as (read, write):
                async with ClientSession(read, write, message_handler=ignore) as session:
                    await session.initialize()
                    tools: list[dict[str, Any]] = []
                    cursor = None
                    for _ in range(100):  # a server that pages forever is a broken server
                        result = await session.list_tools(cursor=cursor)
                        tools.extend(
                            t.model_dump(mode="json", by_alias=True, exclude_none=True)
                            for t in result.tools
                        )
                        cursor = result.nextCursor
                        if not cursor:
                            break
                    listed.append(tools)

    try:
        anyio.run(list_all)
    except BaseException as exc:  # report everything, including TaskGroup wrappers
        if not listed:
            print(f"CHILD-ERROR {describe(exc)}", flush=True)
            return 1
        # The full list arrived; the server only misbehaved while shutting down.
        print(f"after tools/list, at shutdown: {describe(exc)}", flush=True)
    tools = listed[0]
    Path(out_path).write_text(json.dumps(tools, ensure_ascii=False))
    return 0


def describe(exc: BaseException) -> str:
    inner = getattr(exc, "exceptions", None)
    if inner:
        return describe(inner[0])
    return f"{type(exc).__name__}: {exc}".replace("\n", " ")


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child_main(argv[1], argv[2])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--server",
        action="append",
        help="only this corpus entry (by name, or name@version); repeatable",
    )
    parser.add_argument("--jobs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=CORPUS_PATH)
    parser.add_argument("--truth", type=Path, default=TRUTH_PATH)
    args = parser.parse_args(argv)

    cache: Path = args.cache_dir.resolve()
    for sub in ("logs", "raw", "envs", "work", "home"):
        (cache / sub).mkdir(parents=True, exist_ok=True)
    entries = select(load_corpus(args.corpus), args.server)
    if not entries:
        print("no corpus entries selected", file=sys.stderr)
        return 2
    client_python = ensure_client_venv(cache)

    def job(entry: CorpusEntry) -> Outcome:
        try:
            outcome = list_server_tools(entry, cache, client_python)
        except Exception as exc:  # one broken entry must not stop the run
            outcome = Outcome(entry, error=f"internal: {exc!r}")
        mark = (
            f"{len(outcome.tools)} tools"
            if outcome.tools is not None
            else f"FAILED {outcome.error}"
        )
        print(
            f"[{outcome.seconds:6.1f}s] {entry.source}:{entry.name}@{entry.version}: {mark}",
            flush=True,
        )
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        outcomes = list(pool.map(job, entries))

    update_truth(args.truth, load_corpus(args.corpus), outcomes)
    print_summary(outcomes, cache)
    return 0


def update_truth(path: Path, corpus: list[CorpusEntry], outcomes: list[Outcome]) -> None:
    """Replace the rows listed this run, keep the others, drop rows no longer in the corpus."""
    truth = read_truth(path)
    for outcome in outcomes:
        e = outcome.entry
        key = entry_key(e.source, e.name, e.version)
        if outcome.tools is None:
            truth.pop(key, None)
            continue
        facts = sorted((tool_facts(t) for t in outcome.tools), key=lambda t: t["name"])
        truth[key] = {"source": e.source, "name": e.name, "version": e.version, "tools": facts}
    order = [entry_key(e.source, e.name, e.version) for e in corpus]
    write_truth([truth[k] for k in order if k in truth], path)


def print_summary(outcomes: list[Outcome], cache: Path) -> None:
    listed = [o for o in outcomes if o.tools is not None]
    empty = [o for o in listed if not o.tools]
    failed = [o for o in outcomes if o.tools is None]
    print()
    print(f"servers: {len(outcomes)}  listed: {len(listed)}  failed: {len(failed)}")
    print(f"tools listed: {sum(len(o.tools or []) for o in listed)}")
    if empty:
        print("listed no tools: " + ", ".join(o.entry.name for o in empty))
    for o in failed:
        print(f"  FAILED {o.entry.source}:{o.entry.name}@{o.entry.version}: {o.error}")
    report = {
        o.entry.name: {"tools": len(o.tools) if o.tools is not None else None, "error": o.error}
        for o in outcomes
    }
    (cache / "build_truth_report.json").write_text(json.dumps(report, indent=1, sort_keys=True))
    print(f"logs: {cache / 'logs'}  raw listings (not for the repo): {cache / 'raw'}")


if __name__ == "__main__":
    sys.exit(main())
