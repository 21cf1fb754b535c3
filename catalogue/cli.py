"""The `catalogue` command: wiring only. Each command's work lives in commands/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from catalogue.errors import CatalogueError
from catalogue.output import err_console, safe_text
from catalogue.settings import Settings

app = typer.Typer(
    help="Catalogue MCP servers and label how dangerous each of their tools is.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(
    help="Export recommended artefacts from the catalogue.", no_args_is_help=True
)
app.add_typer(export_app, name="export")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="SQLite file or database URL. Default: $CATALOGUE_DB, else catalogue.db."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


@app.command()
def crawl(
    packages: Annotated[
        list[str] | None,
        typer.Argument(
            help="pypi:NAME[==VERSION] or npm:NAME[@VERSION]. Default: the built-in list."
        ),
    ] = None,
    from_file: Annotated[
        Path | None, typer.Option("--from", help="A file with one package per line.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fetch packages, extract their tools, classify them and store the results."""
    from catalogue.commands.crawl import read_package_list, run_crawl

    names = list(packages or [])
    if from_file is not None:
        names += read_package_list(from_file)
    raise typer.Exit(run_crawl(names, Settings.load(db), as_json))


@app.command()
def scan(
    path: Annotated[Path, typer.Argument(help="A folder, sdist, wheel, npm tarball or zip.")],
    as_json: JsonOption = False,
) -> None:
    """List and label the tools of a local package. No network, no database."""
    from catalogue.commands.scan import run_scan

    settings = Settings.load()
    run_scan(path, as_json, settings.max_source_bytes, settings.max_executable_bytes)


@app.command()
def classify(
    name: Annotated[
        str | None, typer.Argument(help="A server in the catalogue, e.g. fal-mcp-server.")
    ] = None,
    tools_file: Annotated[
        Path | None,
        typer.Option(
            "--tools-file", help='A tools/list result {"tools": [...]} or JSON Lines of tools.'
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show each tool's category, risk, confidence and rationale."""
    from catalogue.commands.classify import check_one_source, run_classify_file, run_classify_server

    check_one_source(tools_file, name)
    if tools_file is not None:
        run_classify_file(tools_file, as_json)
    else:
        assert name is not None
        run_classify_server(name, Settings.load(db), as_json)


@app.command()
def train(as_json: JsonOption = False) -> None:
    """Rebuild the classifier's model from its labelled data and print the evaluation."""
    from catalogue.commands.train import run_train

    run_train(as_json)


@app.command()
def explain(
    server: Annotated[str, typer.Argument(help="A server in the catalogue, e.g. notes-server.")],
    tool: Annotated[str, typer.Argument(help="The tool's name.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show why a stored tool got its label: evidence, rules, model scores, combination."""
    from catalogue.commands.explain import run_explain

    run_explain(server, tool, Settings.load(db), as_json)


@export_app.command("policies")
def export_policies(
    servers: Annotated[
        list[str] | None, typer.Argument(help="Servers to export. Default: every server.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder to write policy files into.")] = Path(
        "policies"
    ),
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write one recommended policy.json per server."""
    from catalogue.commands.export import run_export_policies

    run_export_policies(list(servers or []), out, Settings.load(db), as_json)


def main() -> None:
    """Entry point: typed errors become one line on stderr and a stable exit code."""
    try:
        code = app(standalone_mode=False)
    except CatalogueError as exc:
        err_console.print(f"error: {safe_text(str(exc))}", markup=False)
        raise SystemExit(exc.exit_code) from None
    except KeyboardInterrupt:
        err_console.print("interrupted", markup=False)
        raise SystemExit(130) from None
    except Exception as exc:  # the command-line parser's own errors, and anything unexpected
        # Typer bundles its own click, so its exceptions are recognised by shape, not by class.
        if type(exc).__name__ == "Abort":
            raise SystemExit(130) from None
        exit_code = getattr(exc, "exit_code", None)
        if callable(getattr(exc, "show", None)) and isinstance(exit_code, int):
            exc.show()  # type: ignore[attr-defined]
            raise SystemExit(exit_code) from None
        err_console.print(
            f"error: unexpected {type(exc).__name__}: {safe_text(str(exc))}", markup=False
        )
        raise SystemExit(1) from None
    raise SystemExit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
