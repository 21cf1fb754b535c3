"""Helpers of the JavaScript/TypeScript extractor (see crawler.extract.javascript)."""
