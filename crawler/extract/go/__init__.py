"""Pieces of the Go extractor: parsing, package graph, evaluator and tool patterns."""
