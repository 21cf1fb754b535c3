"""Helpers of the Python extractor (crawler.extract.python).

Everything here reads source text with the stdlib `ast` module only; nothing
from a crawled package is ever imported or run.
"""
