"""The crawl: resolve, fetch, unpack, extract, classify and store each package.

One package's failure is recorded (on its release, or on the run when no
release exists yet) and the run goes on with the next package.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

import classifier
from catalogue.db import store
from catalogue.db.schema import CrawlRun, Release, utcnow
from crawler.archive import ArchiveError, ArchiveLimits, unpack_bytes
from crawler.extract.package import extract_package
from crawler.sources.base import PackageSpec, Source, SourceError
from crawler.sources.base import Release as ReleaseInfo
from mcp_domain import ExtractionResult, Label

Status = Literal["stored", "unchanged", "failed"]


@dataclass
class PackageOutcome:
    package: str
    status: Status
    version: str = ""
    tools: int = 0
    completeness: str = ""
    error: str = ""
    # Files extraction could not read, as "path: reason".
    skipped: list[str] = field(default_factory=list)


class Crawler:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        sources: dict[str, Source],
        extract: Callable[..., ExtractionResult] = extract_package,
        limits: ArchiveLimits | None = None,
    ) -> None:
        self.sessions = sessions
        self.sources = sources
        self.extract = extract
        self.limits = limits

    def crawl(
        self,
        specs: Sequence[PackageSpec],
        on_done: Callable[[PackageOutcome], None] | None = None,
    ) -> list[PackageOutcome]:
        with self.sessions() as session:
            run = CrawlRun(requested=[str(s) for s in specs])
            session.add(run)
            session.commit()
            run_id = run.id
        outcomes = []
        for spec in specs:
            outcome = self._crawl_one(spec)
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
        self._finish_run(run_id, outcomes)
        return outcomes

    def _crawl_one(self, spec: PackageSpec) -> PackageOutcome:
        source = self.sources.get(spec.source)
        if source is None:
            return PackageOutcome(str(spec), "failed", error=f"no source named {spec.source!r}")
        try:
            info = source.resolve(spec)
        except SourceError as exc:
            return PackageOutcome(str(spec), "failed", error=str(exc))
        with self.sessions() as session:
            existing = store.find_release(session, info.source, info.name, info.version)
            if existing is not None and existing.status == "ok":
                return PackageOutcome(
                    str(spec), "unchanged", info.version, len(existing.tools), existing.completeness
                )
        try:
            data = source.download(info)
            package = unpack_bytes(data, info.artifact.filename, self.limits)
        except (SourceError, ArchiveError) as exc:
            error = f"{info.source}:{info.name} {info.version}: {exc}"
            self._record_failure(info, error)
            return PackageOutcome(str(spec), "failed", info.version, error=error)
        extraction = self.extract(package)
        labels = classifier.classify_many(extraction.tools)
        self._record_success(info, data, extraction, labels)
        return PackageOutcome(
            str(spec),
            "stored",
            info.version,
            len(extraction.tools),
            extraction.completeness.value,
            skipped=[f"{s.file}: {s.reason}" for s in extraction.skipped],
        )

    def _release_row(self, session: Session, info: ReleaseInfo) -> Release:
        server = store.get_or_create_server(session, info.source, info.name)
        server.summary = info.summary or server.summary
        server.homepage = info.homepage or server.homepage
        server.repository = info.repository or server.repository
        release = store.find_release(session, info.source, info.name, info.version)
        if release is None:
            release = Release(server=server, version=info.version)
            session.add(release)
        release.artifact_name = info.artifact.filename
        release.artifact_url = info.artifact.url
        release.fetched_at = utcnow()
        return release

    def _record_failure(self, info: ReleaseInfo, error: str) -> None:
        with self.sessions() as session:
            release = self._release_row(session, info)
            release.status = "failed"
            release.error = error
            session.commit()

    def _record_success(
        self, info: ReleaseInfo, data: bytes, extraction: ExtractionResult, labels: list[Label]
    ) -> None:
        with self.sessions() as session:
            release = self._release_row(session, info)
            release.status = "ok"
            release.error = ""
            release.size = len(data)
            release.sha256 = hashlib.sha256(data).hexdigest()
            store.store_tools(session, release, extraction, labels, classifier.CLASSIFIER_VERSION)
            session.commit()

    def _finish_run(self, run_id: int, outcomes: Iterable[PackageOutcome]) -> None:
        outcomes = list(outcomes)
        with self.sessions() as session:
            run = session.get(CrawlRun, run_id)
            assert run is not None
            run.finished_at = utcnow()
            run.stored = sum(o.status == "stored" for o in outcomes)
            run.unchanged = sum(o.status == "unchanged" for o in outcomes)
            run.failed = sum(o.status == "failed" for o in outcomes)
            run.failures = [
                {"package": o.package, "error": o.error} for o in outcomes if o.status == "failed"
            ]
            session.commit()
