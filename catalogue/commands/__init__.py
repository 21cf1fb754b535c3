"""One module per command; cli.py only wires them to Typer."""
