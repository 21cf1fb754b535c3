"""The only place that makes HTTP requests: timeouts, user agent, retries, size caps.

Source modules ask this client for JSON or bytes and get typed errors back;
they never decide retry or timeout policy themselves.
"""

from __future__ import annotations

import json
import ssl
import time
from dataclasses import dataclass
from typing import Any

import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HttpSettings:
    timeout_seconds: float = 30.0
    retries: int = 3
    backoff_seconds: float = 0.5
    max_retry_wait_seconds: float = 30.0
    max_json_bytes: int = 32 * 1024 * 1024
    max_artifact_bytes: int = 100 * 1024 * 1024
    user_agent: str = "mcp-catalogue/0.1 (static MCP tool catalogue)"


class FetchError(Exception):
    """A request failed for good (after retries, or with a status not worth retrying)."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{reason} ({url})")
        self.url = url
        self.reason = reason
        self.status = status


class NotFound(FetchError):
    """The server answered 404 or 410."""


class HttpClient:
    def __init__(
        self,
        settings: HttpSettings | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings or HttpSettings()
        self._client = httpx.Client(
            timeout=self.settings.timeout_seconds,
            headers={"User-Agent": self.settings.user_agent},
            follow_redirects=True,
            # The system trust store, so a corporate mirror's CA works as it does for pip.
            verify=ssl.create_default_context(),
            transport=transport,
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get_json(self, url: str, headers: dict[str, str] | None = None) -> Any:
        body = self._get(url, self.settings.max_json_bytes, headers)
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FetchError(url, f"invalid JSON: {exc}") from exc

    def get_text(self, url: str, headers: dict[str, str] | None = None) -> str:
        body = self._get(url, self.settings.max_json_bytes, headers)
        return body.decode("utf-8", errors="replace")

    def get_bytes(self, url: str) -> bytes:
        return self._get(url, self.settings.max_artifact_bytes, None)

    def _get(self, url: str, max_bytes: int, headers: dict[str, str] | None) -> bytes:
        attempt = 0
        while True:
            try:
                return self._get_once(url, max_bytes, headers)
            except _Retryable as retry:
                attempt += 1
                if attempt > self.settings.retries:
                    raise FetchError(url, retry.reason, retry.status) from None
                time.sleep(self._wait_before_retry(attempt, retry.retry_after))

    def _get_once(self, url: str, max_bytes: int, headers: dict[str, str] | None) -> bytes:
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in (404, 410):
                    raise NotFound(url, f"not found (HTTP {status})", status)
                if status in RETRY_STATUSES:
                    raise _Retryable(f"HTTP {status}", status, response.headers.get("Retry-After"))
                if status >= 400:
                    raise FetchError(url, f"HTTP {status}", status)
                return _read_capped(response, url, max_bytes)
        except httpx.TimeoutException:
            raise _Retryable("timed out", None, None) from None
        except httpx.TransportError as exc:
            raise _Retryable(f"connection failed: {exc}", None, None) from None
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"invalid URL: {exc}") from None

    def _wait_before_retry(self, attempt: int, retry_after: str | None) -> float:
        wait = self.settings.backoff_seconds * (2 ** (attempt - 1))
        if retry_after and retry_after.strip().isdigit():
            wait = max(wait, float(retry_after.strip()))
        return min(wait, self.settings.max_retry_wait_seconds)


class _Retryable(Exception):
    def __init__(self, reason: str, status: int | None, retry_after: str | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


def _read_capped(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(url, f"response too large ({declared} bytes, limit {max_bytes})")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(url, f"response too large (over {max_bytes} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)
