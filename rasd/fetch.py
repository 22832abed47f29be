"""The fetch stage: download pages from a web that may be slow, huge, broken or hostile.

`fetch_pages` returns exactly one FetchedPage per PageRef, in order. Nothing a server does
makes it raise: every failure becomes a readable `error` on that page's record.

Defences, each with a setting in FetchSettings:
- timeouts for connect, each read, and the whole request (a trickling server is cut off);
- bounded retries with exponential backoff for connection errors, timeouts, 5xx and 429,
  honouring Retry-After up to a cap; other 4xx are final;
- robots.txt, fetched once per host per run; a disallowed URL is never requested;
- per-host concurrency and a politeness delay between requests to one host;
- body size caps on the wire and after decompression (bombs), checked while streaming;
- redirects followed by hand: bounded, loops detected, http(s) only, and never from a
  public address into a private or loopback one (server-side request forgery); the same
  network rule holds, hop by hop, for the redirects httpx follows for sitemaps, feeds and
  robots.txt;
- no request into a more private network than its configured source's: a page a public
  feed or sitemap lists on a loopback or private address is not asked for, and neither is
  a sitemap an index lists there (`network_floor`);
- each host resolved once per client (`PinnedAddresses`), and connections made to the
  addresses that were judged, never to a second answer of the resolver (DNS rebinding);
- HTML only; charset from BOM, header, <meta>, then detection (see rasd.rawstore).

Proxies from the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) are honoured. A proxy
resolves the names it is asked for itself: through one, the network rule is judged on
rasd's own resolution, and the proxy (chosen by the operator) is trusted to connect there.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import random
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import NoReturn
from urllib.parse import urljoin, urlsplit

import brotli
import httpcore
import httpx
from protego import Protego

from rasd.models import FetchedPage, PageRef
from rasd.rawstore import PackWriter, RawStore, UndecodableBody, content_hash, decode_html

Resolver = Callable[[str], list[str]]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
ACCEPT_ENCODING = "gzip, deflate, br"  # only what we decompress ourselves, with caps
ROBOTS_MAX_BYTES = 512_000
CRAWL_DELAY_CAP = 10.0  # seconds: a site's Crawl-delay is honoured up to this
_STEP = 64 * 1024  # decompression output step: the most a bomb can expand per check
_LOOPBACK, _PRIVATE, _PUBLIC = 0, 1, 2
_NETWORK_NAMES = {_LOOPBACK: "loopback", _PRIVATE: "private", _PUBLIC: "public"}


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0  # per HTTP request, body included
    max_retries: int = 2
    backoff_base: float = 0.5
    max_retry_after: float = 30.0
    per_host_concurrency: int = 4
    politeness_delay: float = 0.0  # seconds between request starts on one host
    max_body_bytes: int = 10_000_000
    max_decompressed_bytes: int = 20_000_000
    max_redirects: int = 5
    threads: int = 16


@dataclass(frozen=True)
class PreviousFetch:
    """What the last run saw of a URL, for conditional requests."""

    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


def make_client(
    settings: FetchSettings, follow_redirects: bool = False, resolver: Resolver | None = None
) -> httpx.Client:
    """An httpx client with this stage's timeouts, User-Agent and accepted encodings.

    Redirects the client follows itself (sitemaps, feeds, robots.txt) keep the rule page
    fetches keep by hand: never from a public address into a private or loopback one, hop
    by hop. Inside `network_floor`, no request goes into a more private network than the
    floor's URL. `resolver` classifies the hosts (default: the system's); each host is
    resolved once per client, and connected to directly at the addresses judged."""
    addresses = resolver if isinstance(resolver, PinnedAddresses) else PinnedAddresses(resolver)
    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        pool=settings.total_timeout,
    )
    limits = httpx.Limits(
        max_connections=settings.threads + 4, max_keepalive_connections=settings.threads
    )
    headers = {
        "User-Agent": settings.user_agent,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    client = httpx.Client(
        verify=shared_ssl_context(),
        timeout=timeout,
        limits=limits,
        headers=headers,
        follow_redirects=follow_redirects,
        max_redirects=settings.max_redirects,
        event_hooks={
            "request": [_floor_guard(addresses)],
            "response": [_redirect_guard(addresses)],
        },
    )
    _install_backends(client, addresses)
    return client


class PinnedAddresses:
    """Each host resolved once for the life of a client, for its checks and its connections.

    A host's network is judged on the addresses it resolves to, and the connection goes to
    those same addresses. Resolving again to connect would let a name that answered with a
    public address for the check answer with a loopback one for the connection (DNS
    rebinding) and lead the fetcher where the check refused to go.
    """

    def __init__(self, resolver: Resolver | None = None) -> None:
        self._resolver = resolver or system_resolver
        self._lock = threading.Lock()
        self._known: dict[str, list[str]] = {}

    def __call__(self, host: str) -> list[str]:
        if _is_ip(host):
            return [host]
        host = host.lower()
        with self._lock:
            known = self._known.get(host)
        if known is None:
            answer = [address for address in self._resolver(host) if _is_ip(address)]
            with self._lock:
                # Two threads may ask at once: both use the first answer kept.
                known = self._known.setdefault(host, answer)
        return known


class RedirectRefused(httpx.RequestError):
    """A redirect into a more private network than the address it came from."""


class NetworkRefused(httpx.RequestError):
    """A request into a more private network than its source's."""


# The URL whose network bounds this thread's requests (see `network_floor`).
_floor = threading.local()


@contextmanager
def network_floor(url: str | None) -> Iterator[None]:
    """Inside, this thread's requests through clients from `make_client` may not go into
    a more private network than `url`'s: the configured source's, for everything its
    listing leads to. None sets no floor."""
    outer = getattr(_floor, "url", None)
    _floor.url = url
    try:
        yield
    finally:
        _floor.url = outer


def _floor_guard(addresses: Resolver) -> Callable[[httpx.Request], None]:
    """An httpx request hook: httpx calls it before sending every request, redirect hops
    included, so a request below the floor is never sent (through a proxy as well)."""

    def check(request: httpx.Request) -> None:
        floor = getattr(_floor, "url", None)
        if floor is None:
            return
        reason = link_refusal(floor, str(request.url), addresses)
        if reason is not None:
            raise NetworkRefused(reason, request=request)

    return check


def _redirect_guard(resolver: Resolver) -> Callable[[httpx.Response], None]:
    """An httpx response hook: httpx calls it for every response it receives, before it
    follows a redirect, so a refused target is never asked."""

    def check(response: httpx.Response) -> None:
        if not response.has_redirect_location:
            return
        try:
            target = str(response.url.join(response.headers["location"]))
        except (httpx.InvalidURL, ValueError):
            return  # httpx refuses to follow it by itself
        reason = network_refusal(str(response.url), target, resolver)
        if reason is not None:
            raise RedirectRefused(reason, request=response.request)

    return check


def network_refusal(start: str, target: str, resolver: Resolver) -> str | None:
    """Why a redirect from `start` to `target` must not be followed; None when it may.

    Into a more private network than the start's (loopback < private < public) is refused,
    as is a target that does not resolve; a start that cannot be classified counts as
    public, the strictest reading."""
    if _hostname(target) == _hostname(start):
        return None
    target_net = _network(_hostname(target), resolver)
    if target_net is None:
        return f"redirect to a host that does not resolve refused: {target}"
    return _descent(start, target, target_net, resolver, "redirect")


def link_refusal(source: str, target: str, resolver: Resolver) -> str | None:
    """Why `target`, listed by or reached from `source`, must not be asked for; None when
    it may. The rule of redirects, except that a target that does not resolve is left to
    the connection to report, with its retries."""
    if _hostname(target) == _hostname(source):
        return None
    target_net = _network(_hostname(target), resolver)
    if target_net is None:
        return None
    return _descent(source, target, target_net, resolver, "link")


def _descent(start: str, target: str, target_net: int, resolver: Resolver, move: str) -> str | None:
    """The refusal of a `move` from `start` into a more private network, if it is one."""
    start_net = _network(_hostname(start), resolver)
    if start_net is None:
        start_net = _PUBLIC
    if target_net < start_net:
        return (
            f"{move} from a {_NETWORK_NAMES[start_net]} address into a "
            f"{_NETWORK_NAMES[target_net]} one refused: {target}"
        )
    return None


def _network(host: str, resolver: Resolver) -> int | None:
    """The most private network `host` reaches (loopback < private < public)."""
    addresses = [host] if _is_ip(host) else resolver(host)
    ranks = [_classify(a) for a in addresses if _is_ip(a)]
    return min(ranks) if ranks else None


_ssl_lock = threading.Lock()
_ssl_contexts: dict[tuple[str | None, str | None], ssl.SSLContext] = {}


def shared_ssl_context() -> ssl.SSLContext:
    """The certificate-verifying TLS context httpx would make, made once per process.

    Building one reads the whole CA bundle, about 20 ms of CPU: once per client, that is
    once per batch of pages. httpx reads SSL_CERT_FILE and SSL_CERT_DIR when building it,
    so there is one per value of those. Clients only ever set the same ALPN list on it.
    """
    key = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    with _ssl_lock:
        context = _ssl_contexts.get(key)
        if context is None:
            context = _ssl_contexts[key] = httpx.create_ssl_context()
        return context


def fetch_pages(
    refs: Iterable[PageRef],
    settings: FetchSettings,
    previous: Mapping[str, PreviousFetch] | None = None,
    raw_store: RawStore | None = None,
    resolver: Resolver | None = None,
    robots: RobotsCache | None = None,
) -> list[FetchedPage]:
    """Fetch every ref concurrently; one FetchedPage per ref, in the same order.

    `previous` (by URL) turns on conditional requests; `raw_store` keeps every good body;
    `resolver` (host -> IP strings) is used to classify redirect targets; `robots` carries
    robots.txt rules from one call to the next (default: read afresh in this call).
    """
    refs = list(refs)
    if not refs:
        return []
    with contextlib.ExitStack() as stack:
        pack = stack.enter_context(raw_store.pack()) if raw_store is not None else None
        fetcher = _Fetcher(settings, previous or {}, pack, resolver or system_resolver, robots)
        stack.callback(fetcher.close)
        with ThreadPoolExecutor(max_workers=max(1, min(settings.threads, len(refs)))) as pool:
            return list(pool.map(fetcher.fetch, refs))


def system_resolver(host: str) -> list[str]:
    """The addresses `host` resolves to; empty when it does not resolve."""
    try:
        return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})
    except (OSError, UnicodeError):
        return []


# ------------------------------------------------------------------ whole-request deadline

# httpx has timeouts per connect and per read only: a server sending one byte just inside
# the read timeout, in the headers or the body, would hold a request for hours. Every socket
# operation below therefore gets at most the time left until the deadline of the request
# running in that thread (httpx's sync client does a request's I/O in the calling thread).
_request_deadline = threading.local()
TOO_SLOW = "too slow: not complete within the total timeout, cut off"


@contextmanager
def request_deadline(seconds: float) -> Iterator[float]:
    """Bound all socket I/O of this thread's requests, for clients from `make_client`."""
    deadline = time.monotonic() + seconds
    _request_deadline.at = deadline
    try:
        yield deadline
    finally:
        _request_deadline.at = None


def _time_left(timeout: float | None) -> float | None:
    deadline = getattr(_request_deadline, "at", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout(TOO_SLOW)
    return left if timeout is None else min(timeout, left)


@contextmanager
def _blame_deadline(timeout: float | None, bounded: float | None) -> Iterator[None]:
    """Name the whole-request deadline when it, not the per-step timeout, ran out."""
    try:
        yield
    except httpcore.TimeoutException as exc:
        if bounded != timeout:
            raise type(exc)(TOO_SLOW) from exc
        raise


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    # read and write run a few times per page: the deadline check is written out in them
    # rather than entered as a context manager, which would cost more than the check.
    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        bounded = _time_left(timeout)
        try:
            return self._inner.read(max_bytes, bounded)
        except httpcore.TimeoutException as exc:
            if bounded != timeout:
                raise type(exc)(TOO_SLOW) from exc
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return  # h11 hands over empty writes (the end of a GET); nothing to send or time
        bounded = _time_left(timeout)
        try:
            self._inner.write(buffer, bounded)
        except httpcore.TimeoutException as exc:
            if bounded != timeout:
                raise type(exc)(TOO_SLOW) from exc
            raise

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):  # type: ignore[no-untyped-def]
        inner = self._inner.start_tls(ssl_context, server_hostname, _time_left(timeout))
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """Connections bounded by the request's deadline; with `addresses`, made to the
    addresses the host was judged on, not to what the system resolver answers now."""

    def __init__(self, addresses: PinnedAddresses | None = None) -> None:
        self._inner = httpcore.SyncBackend()
        self._addresses = addresses

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # type: ignore[no-untyped-def]
        *others, last = [host] if self._addresses is None else self._addresses_of(host)
        for address in others:
            # The host's next address on failure, as socket.create_connection does.
            with contextlib.suppress(httpcore.ConnectError):
                return self._connect(address, port, timeout, local_address, socket_options)
        return self._connect(last, port, timeout, local_address, socket_options)

    def _connect(self, host, port, timeout, local_address, socket_options):  # type: ignore[no-untyped-def]
        bounded = _time_left(timeout)
        with _blame_deadline(timeout, bounded):
            stream = self._inner.connect_tcp(host, port, bounded, local_address, socket_options)
        return _DeadlineStream(stream)

    def _addresses_of(self, host: str) -> list[str]:
        assert self._addresses is not None
        addresses = self._addresses(host)
        if not addresses:
            raise httpcore.ConnectError(f"{host} does not resolve")
        return addresses

    def connect_unix_socket(self, path, timeout=None, socket_options=None):  # type: ignore[no-untyped-def]
        stream = self._inner.connect_unix_socket(path, _time_left(timeout), socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _install_backends(client: httpx.Client, addresses: PinnedAddresses) -> None:
    """Give the client's connection pools the deadline-aware backend: pinned to `addresses`
    for direct connections, by name for proxies (the operator's, which resolve themselves).

    httpx 0.28 has no public way to pass a network backend, so this sets the pools'
    attribute. Should a later httpx rename it, a client that could not pin its addresses
    is not made at all; a proxy's pool keeps the deadline in the body-reading loop.
    """
    if not _set_backend(client._transport, _DeadlineBackend(addresses)):
        raise RuntimeError(
            "httpx's connection pool no longer takes a network backend: "
            "install the httpx version requirements.lock names"
        )
    for proxy in client._mounts.values():
        if proxy is not None:
            _set_backend(proxy, _DeadlineBackend())


def _set_backend(transport: httpx.BaseTransport, backend: _DeadlineBackend) -> bool:
    pool = getattr(transport, "_pool", None)
    if isinstance(pool, httpcore.ConnectionPool) and hasattr(pool, "_network_backend"):
        pool._network_backend = backend
        return True
    return False


# -------------------------------------------------------------------------- internals


class _Refused(Exception):
    """A request we decided not to make or follow."""

    def __init__(self, message: str, status: int | None = None, final_url: str | None = None):
        super().__init__(message)
        self.status = status
        self.final_url = final_url


class _BodyError(Exception):
    """The body could not be read whole within the limits."""

    def __init__(self, message: str, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


@dataclass
class _Attempt:
    page: FetchedPage
    retryable: bool = False
    retry_after: float | None = None


class _HostGate:
    """Per-host concurrency limit and spacing between request starts."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self._slots = threading.Semaphore(max(1, concurrency))
        self._lock = threading.Lock()
        self._delay = delay
        self._next_start = 0.0

    def slow_down(self, delay: float) -> None:
        """Space requests at least `delay` seconds apart from now on."""
        with self._lock:
            self._delay = max(self._delay, delay)

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._slots:
            if self._delay > 0:
                with self._lock:
                    now = time.monotonic()
                    start = max(now, self._next_start)
                    self._next_start = start + self._delay
                time.sleep(max(0.0, start - now))
            yield


class _RobotsEntry:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loaded = False
        self.rules: Protego | None = None  # None: everything allowed


class RobotsCache:
    """robots.txt rules by site, shared by the fetch_pages calls of one run.

    Pass the same cache to every batch of a run so each site's robots.txt is read once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _RobotsEntry] = {}

    def _entry(self, root: str) -> _RobotsEntry:
        with self._lock:
            return self._entries.setdefault(root, _RobotsEntry())


class _Fetcher:
    def __init__(
        self,
        settings: FetchSettings,
        previous: Mapping[str, PreviousFetch],
        pack: PackWriter | None,
        resolver: Resolver,
        robots: RobotsCache | None,
    ) -> None:
        self.settings = settings
        self.previous = previous
        self.pack = pack
        self.resolver = PinnedAddresses(resolver)
        self.client = make_client(settings, resolver=self.resolver)
        self._headers = httpx.Headers(self.client.headers)
        self._timeouts = self.client.timeout.as_dict()
        self._lock = threading.Lock()
        self._gates: dict[str, _HostGate] = {}
        self.robots = robots if robots is not None else RobotsCache()

    def close(self) -> None:
        self.client.close()

    # -- one ref
    def fetch(self, ref: PageRef) -> FetchedPage:
        try:
            return self._fetch_with_retries(ref)
        except Exception as exc:  # a bug must cost one page, never the batch
            return _page(ref, error=f"internal error: {type(exc).__name__}: {exc}")

    def _fetch_with_retries(self, ref: PageRef) -> FetchedPage:
        if not _is_http(ref.url):
            return _page(ref, error=f"not an http(s) URL: {ref.url}")
        attempts = 0
        while True:
            attempts += 1
            outcome = self._attempt(ref)
            if not outcome.retryable or attempts > self.settings.max_retries:
                break
            time.sleep(self._retry_delay(attempts, outcome.retry_after))
        page = outcome.page
        if page.error and attempts > 1:
            page.error = f"{page.error} (after {attempts} attempts)"
        return page

    def _retry_delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.settings.max_retry_after)
        backoff = self.settings.backoff_base * 2 ** (attempt - 1)
        return min(backoff * (1 + random.random() / 4), self.settings.max_retry_after)

    def _attempt(self, ref: PageRef) -> _Attempt:
        headers = _conditional_headers(self.previous.get(ref.url))
        try:
            return self._exchange(ref, headers)
        except _Refused as exc:
            return _Attempt(_page(ref, str(exc), status=exc.status, final_url=exc.final_url))
        except httpx.TimeoutException as exc:
            return _Attempt(_page(ref, _describe(exc)), retryable=True)
        except httpx.UnsupportedProtocol as exc:
            return _Attempt(_page(ref, _describe(exc)))
        except httpx.TransportError as exc:
            return _Attempt(_page(ref, _describe(exc)), retryable=True)
        except httpx.HTTPError as exc:
            return _Attempt(_page(ref, _describe(exc)))

    # -- redirects, by hand
    def _exchange(self, ref: PageRef, headers: dict[str, str]) -> _Attempt:
        floor = ref.source_url or ref.url
        reason = link_refusal(floor, ref.url, self.resolver)
        if reason is not None:
            raise _Refused(reason, final_url=ref.url)
        with network_floor(floor):
            return self._follow(ref, headers)

    def _follow(self, ref: PageRef, headers: dict[str, str]) -> _Attempt:
        current = ref.url
        seen = {current}
        for _ in range(self.settings.max_redirects + 1):
            if not self._robots_allow(current):
                raise _Refused("disallowed by robots.txt", final_url=current)
            with (
                self._gate(current).slot(),
                request_deadline(self.settings.total_timeout) as deadline,
            ):
                response = self._send(current, headers)
                try:
                    target = _redirect_target(response, current)
                    if target is None:
                        return self._read_page(ref, response, current, deadline)
                finally:
                    response.close()
            self._check_redirect(ref.url, current, target, seen, response.status_code)
            seen.add(target)
            current = target
        raise _Refused(
            f"too many redirects (more than {self.settings.max_redirects})",
            status=response.status_code,
            final_url=current,
        )

    def _send(self, url: str, headers: Mapping[str, str]) -> httpx.Response:
        """GET `url` and return the response with its body still unread.

        What `client.send(client.build_request("GET", url), stream=True)` does, without the
        layers this stage has no use for (auth, event hooks, redirects, which are followed
        by hand, base URL, logging): they cost a third as much CPU again as the exchange.
        The client's headers, timeouts, proxies and cookies all still apply. httpx has no
        public way to skip those layers; `_transport_for_url` is how `Client.send` itself
        picks the transport (httpx is pinned, and the tests go through proxies and cookies).
        """
        merged = self._headers
        if headers:
            merged = httpx.Headers(merged)
            merged.update(headers)
        request = httpx.Request("GET", url, headers=merged, extensions={"timeout": self._timeouts})
        cookies = self.client.cookies
        if cookies:
            cookies.set_cookie_header(request)
        response = self.client._transport_for_url(request.url).handle_request(request)
        response.request = request
        # The jar ignores responses without these headers, but only after wrapping request
        # and response for http.cookiejar, which costs more than the rest of this method.
        if "set-cookie" in response.headers or "set-cookie2" in response.headers:
            try:
                cookies.extract_cookies(response)
            except BaseException:
                response.close()
                raise
        return response

    def _check_redirect(
        self, start: str, current: str, target: str, seen: set[str], status: int
    ) -> None:
        def refuse(reason: str) -> NoReturn:
            raise _Refused(reason, status=status, final_url=current)

        if not _parses(target):
            refuse(f"redirect to an invalid URL refused: {target}")
        if not _is_http(target):
            refuse(f"redirect to a non-http(s) URL refused: {target}")
        if target in seen:
            refuse(f"redirect loop: {target} was already visited")
        reason = network_refusal(start, target, self.resolver)
        if reason is not None:
            refuse(reason)

    # -- reading the final response
    def _read_page(
        self, ref: PageRef, response: httpx.Response, url: str, deadline: float
    ) -> _Attempt:
        status = response.status_code
        content_type = response.headers.get("content-type")
        page = _page(
            ref,
            None,
            status=status,
            final_url=url,
            content_type=content_type,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )
        if status == 304:
            page.unchanged = True
            return _Attempt(page)
        if status == 429 or status >= 500:
            page.error = f"HTTP {status}"
            return _Attempt(page, retryable=True, retry_after=_retry_after(response))
        if not 200 <= status < 300:
            page.error = f"HTTP {status}"
            return _Attempt(page)
        mime = (content_type or "").split(";")[0].strip().lower()
        if mime and mime not in HTML_TYPES:
            page.error = f"not HTML: {mime}"
            return _Attempt(page)
        try:
            raw = self._read_body(response, deadline, self.settings.max_body_bytes)
        except _BodyError as exc:
            page.error = str(exc)
            return _Attempt(page, retryable=exc.retryable)
        return _Attempt(self._finish(page, raw, sniff=not mime))

    def _read_body(self, response: httpx.Response, deadline: float, limit: int) -> bytes:
        declared = _content_length(response)
        if declared is not None and declared > limit:
            raise _BodyError(f"body too large: Content-Length {declared} over the {limit} limit")
        encoding = response.headers.get("content-encoding")
        decoder = _Decoder(encoding, self.settings.max_decompressed_bytes)
        wire = 0
        parts: list[bytes] = []
        try:
            for chunk in response.iter_raw():
                wire += len(chunk)
                if wire > limit:
                    raise _BodyError(f"body too large: over {limit} bytes, cut off")
                if time.monotonic() > deadline:
                    raise _BodyError(TOO_SLOW, retryable=True)
                parts.extend(decoder.feed(chunk))
        except httpx.RemoteProtocolError as exc:
            raise _BodyError(f"truncated body: {exc}", retryable=True) from exc
        except httpx.TimeoutException as exc:
            raise _BodyError(_describe(exc), retryable=True) from exc
        if declared is not None and wire < declared:
            raise _BodyError(f"truncated body: {wire} of {declared} bytes", retryable=True)
        parts.extend(decoder.finish())
        return b"".join(parts)

    def _finish(self, page: FetchedPage, raw: bytes, sniff: bool) -> FetchedPage:
        page.bytes = len(raw)
        if not raw.strip():
            page.error = "empty body"
            return page
        page.content_hash = content_hash(raw)
        if sniff and not _looks_like_html(raw):
            page.error = "not HTML: no Content-Type and the body does not look like HTML"
            return page
        try:
            decoded = decode_html(raw, page.content_type)
        except UndecodableBody as exc:
            page.error = str(exc)
            return page
        page.encoding = decoded.encoding
        if self.pack is not None:
            meta = {"url": page.final_url, "content_type": page.content_type}
            self.pack.put(raw, {**meta, "encoding": decoded.encoding})
        previous = self.previous.get(page.url)
        if previous is not None and previous.content_hash == page.content_hash:
            page.unchanged = True
            return page
        page.html = decoded.html
        return page

    # -- robots.txt
    def _robots_allow(self, url: str) -> bool:
        root = _site_root(url)
        entry = self.robots._entry(root)
        with entry.lock:
            if not entry.loaded:
                entry.rules = self._load_robots(root)
                entry.loaded = True
                self._honour_crawl_delay(url, entry.rules)
        return entry.rules is None or entry.rules.can_fetch(url, self.settings.user_agent)

    def _honour_crawl_delay(self, url: str, rules: Protego | None) -> None:
        delay = rules.crawl_delay(self.settings.user_agent) if rules is not None else None
        if delay:
            self._gate(url).slow_down(min(float(delay), CRAWL_DELAY_CAP))

    def _load_robots(self, root: str) -> Protego | None:
        """The site's robots rules; None (allow all) when there are none to be had."""
        robots_url = f"{root}/robots.txt"
        try:
            with (
                self._gate(robots_url).slot(),
                request_deadline(self.settings.total_timeout) as deadline,
                self.client.stream("GET", robots_url, follow_redirects=True) as response,
            ):
                if response.status_code != 200:
                    return None
                raw = self._read_body(response, deadline, ROBOTS_MAX_BYTES)
        except (httpx.HTTPError, _BodyError):
            return None
        return Protego.parse(raw.decode("utf-8", errors="replace"))

    def _gate(self, url: str) -> _HostGate:
        key = _site_root(url)
        with self._lock:
            gate = self._gates.get(key)
            if gate is None:
                gate = _HostGate(self.settings.per_host_concurrency, self.settings.politeness_delay)
                self._gates[key] = gate
            return gate


class _Decoder:
    """Undoes Content-Encoding while streaming, never producing more than `limit` bytes."""

    def __init__(self, header: str | None, limit: int) -> None:
        names = [n.strip().lower() for n in (header or "").split(",")]
        names = [n for n in names if n and n != "identity"]
        for name in names:
            if name not in ("gzip", "x-gzip", "deflate", "br"):
                raise _BodyError(f"unsupported Content-Encoding: {name}")
        # Encodings are listed in the order applied, so undo them last first.
        self._stages = [_Stage(name, limit) for name in reversed(names)]

    def feed(self, data: bytes) -> list[bytes]:
        pieces = [data]
        for stage in self._stages:
            pieces = [out for piece in pieces for out in stage.feed(piece)]
        return pieces

    def finish(self) -> list[bytes]:
        pieces: list[bytes] = []
        for stage in self._stages:
            pieces = [out for piece in pieces for out in stage.feed(piece)]
            pieces.extend(stage.finish())
        return pieces


class _Stage:
    """One decompression step with an output cap."""

    def __init__(self, name: str, limit: int) -> None:
        self.name = name
        self.limit = limit
        self.produced = 0
        self.fed = 0
        self._head = b""  # deflate: bytes held until the zlib header can be recognised
        self._zlib: zlib._Decompress | None = None
        self._brotli = brotli.Decompressor() if name == "br" else None
        if name in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, data: bytes) -> list[bytes]:
        self.fed += len(data)
        try:
            if self._brotli is not None:
                return self._feed_brotli(data)
            return self._feed_zlib(data)
        except (zlib.error, brotli.error) as exc:
            raise _BodyError(f"corrupt {self.name} body: {exc}") from exc

    def finish(self) -> list[bytes]:
        if not self.fed:
            return []  # an empty body: reported as such later, not as a broken stream
        if self._brotli is not None:
            finished = self._brotli.is_finished()
        else:
            finished = self._zlib is not None and self._zlib.eof
        if not finished:
            raise _BodyError(f"truncated body: the {self.name} stream is incomplete", True)
        return []

    def _count(self, piece: bytes) -> bytes:
        self.produced += len(piece)
        if self.produced > self.limit:
            raise _BodyError(
                f"decompressed body too large: over {self.limit} bytes ({self.name} bomb?)"
            )
        return piece

    def _feed_zlib(self, data: bytes) -> list[bytes]:
        if self._zlib is None:  # deflate: zlib-wrapped or raw, servers do both
            self._head += data
            if len(self._head) < 2:
                return []
            data, self._head = self._head, b""
            wrapped = data[0] & 0x0F == 8 and int.from_bytes(data[:2], "big") % 31 == 0
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        out: list[bytes] = []
        while True:
            piece = self._count(self._zlib.decompress(data, _STEP))
            out.append(piece)
            data = self._zlib.unconsumed_tail
            if self._zlib.eof:
                rest = self._zlib.unused_data
                if rest and self.name != "deflate":  # another gzip member follows
                    self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    data = rest
                    continue
                return out
            # A full step may leave output buffered inside zlib: ask again.
            if not data and len(piece) < _STEP:
                return out

    def _feed_brotli(self, data: bytes) -> list[bytes]:
        assert self._brotli is not None
        out = [self._count(self._brotli.process(data, output_buffer_limit=_STEP))]
        while not self._brotli.can_accept_more_data():
            out.append(self._count(self._brotli.process(b"", output_buffer_limit=_STEP)))
        return out


# ---------------------------------------------------------------------------- helpers


def _page(ref: PageRef, error: str | None, **fields: object) -> FetchedPage:
    return FetchedPage(
        url=ref.url,
        source=ref.source,
        fetched_at=datetime.now(UTC),
        error=error,
        listed_lastmod=ref.lastmod,
        **fields,
    )


def _describe(exc: Exception) -> str:
    kinds = {
        httpx.ConnectTimeout: "connect timeout",
        httpx.ReadTimeout: "read timeout",
        httpx.PoolTimeout: "timed out waiting for a connection",
        httpx.ConnectError: "connection failed",
        httpx.UnsupportedProtocol: "unsupported URL",
    }
    detail = str(exc) or type(exc).__name__
    if detail == TOO_SLOW:
        return detail
    kind = next((text for cls, text in kinds.items() if isinstance(exc, cls)), None)
    return f"{kind}: {detail}" if kind else f"{type(exc).__name__}: {detail}"


def _conditional_headers(previous: PreviousFetch | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if previous is not None and previous.etag:
        headers["If-None-Match"] = previous.etag
    if previous is not None and previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    return headers


def _redirect_target(response: httpx.Response, current: str) -> str | None:
    if response.status_code not in REDIRECT_CODES:
        return None
    location = response.headers.get("location", "").strip()
    if not location:
        return None
    try:
        return urljoin(current, location)
    except ValueError:
        return location


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "").strip()
    return int(value) if value.isdigit() else None


def _looks_like_html(raw: bytes) -> bool:
    head = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") or b"<html" in head


def _parses(url: str) -> bool:
    try:
        urlsplit(url)
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL):
        return False
    return True


def _is_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _hostname(url: str) -> str:
    """The host as the connection names it: a name in Arabic script IDNA-encoded, as httpx
    encodes it to connect, so the check and the connection ask the resolver the same."""
    try:
        return httpx.URL(url).raw_host.decode("ascii").lower()
    except (httpx.InvalidURL, UnicodeError):
        return (urlsplit(url).hostname or "").lower()


def _site_root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True


def _classify(address: str) -> int:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback or ip.is_unspecified:
        return _LOOPBACK
    if ip.is_global:
        return _PUBLIC
    return _PRIVATE  # private, link-local, shared, reserved: not the public internet
