"""extract_package collects garbage less often while it runs, and restores the setting."""

from __future__ import annotations

import gc

import pytest

from crawler.extract.package import extract_package
from crawler.files import PackageFiles
from mcp_domain import ExtractionResult


class _Recording:
    language = "recording"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.seen: tuple[int, int, int] | None = None

    def extract(self, package: PackageFiles) -> ExtractionResult:
        self.seen = gc.get_threshold()
        if self.fail:
            raise RuntimeError("extractor bug")
        return ExtractionResult()


@pytest.fixture()
def default_thresholds():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


@pytest.mark.usefixtures("default_thresholds")
@pytest.mark.parametrize("fail", [False, True])
def test_young_collections_are_rarer_during_extraction_only(fail):
    extractor = _Recording(fail=fail)
    result = extract_package(PackageFiles(files={"a.py": b"x = 1\n"}), [extractor])
    assert extractor.seen is not None and extractor.seen[0] >= 10_000
    assert extractor.seen[1:] == (10, 10)
    assert gc.get_threshold() == (700, 10, 10)
    assert bool(result.skipped) is fail


@pytest.mark.usefixtures("default_thresholds")
def test_collection_switched_off_by_threshold_stays_off():
    gc.set_threshold(0, 10, 10)
    extractor = _Recording()
    extract_package(PackageFiles(files={}), [extractor])
    assert extractor.seen == (0, 10, 10)
    assert gc.get_threshold() == (0, 10, 10)
