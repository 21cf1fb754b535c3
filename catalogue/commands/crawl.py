"""`catalogue crawl`: fetch, extract, classify and store named packages."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from catalogue.db import store
from catalogue.errors import EXIT_OK, EXIT_SOME_FAILED, UsageError
from catalogue.output import console, err_console, print_json, safe_text
from catalogue.pipeline import Crawler, PackageOutcome
from catalogue.settings import Settings
from crawler.archive import ArchiveLimits
from crawler.endpoints import EndpointError, npm_registry_url, pypi_base_url
from crawler.http import HttpClient
from crawler.sources.base import PackageSpec, Source, parse_spec
from crawler.sources.npm import NpmSource
from crawler.sources.pypi import PyPISource


def default_packages() -> list[str]:
    text = resources.files("catalogue").joinpath("defaults/servers.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def read_package_list(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the package list ({exc})") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def parse_specs(texts: list[str]) -> list[PackageSpec]:
    specs = []
    for text in texts:
        try:
            specs.append(parse_spec(text))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    return specs


def make_sources(
    settings: Settings, specs: list[PackageSpec], http: HttpClient
) -> dict[str, Source]:
    """Only the registries the run needs, so a missing npm setup does not stop a PyPI crawl."""
    sources: dict[str, Source] = {}
    try:
        if any(s.source == "pypi" for s in specs):
            sources["pypi"] = PyPISource(pypi_base_url(settings.pypi_url), http)
        if any(s.source == "npm" for s in specs):
            sources["npm"] = NpmSource(npm_registry_url(settings.npm_url), http)
    except EndpointError as exc:
        raise UsageError(str(exc)) from None
    return sources


def run_crawl(packages: list[str], settings: Settings, as_json: bool) -> int:
    specs = parse_specs(packages or default_packages())
    sessions = store.open_database(settings.db)
    with HttpClient() as http:
        limits = ArchiveLimits(max_executable_bytes=settings.max_executable_bytes)
        crawler = Crawler(sessions, make_sources(settings, specs, http), limits=limits)
        outcomes = _crawl_with_progress(crawler, specs, quiet=as_json)
    if as_json:
        print_json({"db": settings.db, "packages": [vars(o) for o in outcomes]})
    else:
        console.print(_outcome_table(outcomes))
        for outcome in outcomes:
            if outcome.status == "failed":
                err_console.print(f"error: {safe_text(outcome.error)}", markup=False)
            for skipped in outcome.skipped:
                err_console.print(
                    f"warning: {safe_text(outcome.package)}: skipped {safe_text(skipped)}",
                    markup=False,
                )
        console.print(
            f"Results are stored in {store.describe_database(settings.db)}. "
            "See one server with `catalogue classify NAME`; "
            "write policies with `catalogue export policies --out policies/`.",
            markup=False,
        )
    return EXIT_SOME_FAILED if any(o.status == "failed" for o in outcomes) else EXIT_OK


def _crawl_with_progress(
    crawler: Crawler, specs: list[PackageSpec], quiet: bool
) -> list[PackageOutcome]:
    progress = Progress(
        TextColumn("crawling"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=err_console, disable=quiet, transient=True,
    )  # fmt: skip
    with progress:
        task = progress.add_task("", total=len(specs))

        def advance(outcome: PackageOutcome) -> None:
            progress.update(task, advance=1, description=safe_text(outcome.package, 60))

        return crawler.crawl(specs, on_done=advance)


def _outcome_table(outcomes: list[PackageOutcome]) -> Table:
    table = Table(title="crawl")
    table.add_column("package", overflow="fold")
    for column in ("version", "status", "tools", "completeness"):
        table.add_column(column)
    styles = {"stored": "green", "unchanged": "cyan", "failed": "red"}
    for o in outcomes:
        tools = str(o.tools) if o.status != "failed" else "-"
        table.add_row(
            Text(safe_text(o.package, 70)),
            Text(safe_text(o.version, 30)),
            Text(o.status, style=styles[o.status]),
            Text(tools),
            Text(o.completeness or "-"),
        )
    return table
