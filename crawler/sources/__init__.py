"""One module per registry, all behind the `Source` protocol in base.py."""
