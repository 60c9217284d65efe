"""The collector's HTTP API (FastAPI): votes, comments, search/contact events and page views.

The guard in front of the API (a small ASGI middleware, :class:`Guard`) answers before any route runs:
requests from an Origin that is not configured get 403, CORS preflights get 204 with the allowed
origin, bodies over the size limit get 413, and a client (IP) over its token bucket gets 429 — so none
of them stores anything. The site posts with ``navigator.sendBeacon``, whose body may arrive as
``text/plain``; the guard hands such bodies to the API as JSON.

``POST /api/votes`` is the hot path: the guard answers it itself (:class:`VoteHandler`: one
precompiled pydantic validation of the raw body, the spam filter, then the store's group commit), so
a vote skips FastAPI's routing and dependency machinery. The FastAPI route of the same path documents
the request schema in the OpenAPI document and runs the same handler.

When the database is down (the store has already tried to reconnect once), every API request gets 503
with ``Retry-After`` (the client sends again after that many seconds).
"""

from __future__ import annotations

import json
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Callable, Literal, Union

from fastapi import FastAPI, Request
from fastapi import Query as QueryParameter
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, TypeAdapter, ValidationError

from ..feedback_reasons import FeedbackReason
from .spam import spam_verdict
from .store import RETRY_AFTER, DatabaseUnavailable, Store, Vote, _article_key

HELPFUL_PATH = "/api/helpful"
HELPFUL_TTL = 60
"""Seconds a per-article count is reused: an article page's GET costs no query most of the time."""
MAX_BODY = 8 * 1024

# --------------------------------------------------------------------------- models


def _clean(value: str, *, multiline: bool = False) -> str:
    """Reject what a database or a later HTML page must never see: lone surrogates, NUL and other
    control characters (newlines and tabs are allowed in multi-line text)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode") from None
    for ch in value:
        if ch in "\n\r\t" and multiline:
            continue
        if unicodedata.category(ch) in {"Cc", "Cs"}:
            raise ValueError("control characters are not allowed")
    return value


Text = Annotated[str, AfterValidator(_clean)]
LongText = Annotated[str, AfterValidator(lambda v: _clean(v, multiline=True))]
SitePath = Annotated[str, Field(min_length=1, max_length=512, pattern=r"^[^\s<>\"'`\\]+$"), AfterValidator(_clean)]
Lang = Annotated[str, Field(min_length=2, max_length=16, pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{1,8}){0,3}$")]
Query = Annotated[Text, Field(max_length=256)]


class VoteIn(BaseModel):
    """A reader's vote on an article or FAQ answer (one per reader per article; sending again changes it)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    article: SitePath = Field(description='Site-relative path, e.g. "en/account/reset-password/" or "en/faq/#faq-x".')
    lang: Lang | None = None
    helpful: StrictBool
    reason: FeedbackReason | None = None
    comment: Annotated[LongText, Field(max_length=2000)] | None = None
    voter: Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")] = Field(
        description="An opaque random id the widget keeps for the reader (no cookie).")
    website: Annotated[Text, Field(max_length=200)] | None = Field(
        default=None, description="Honeypot: a hidden field people leave empty.")


class SearchEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["search"]
    query: Query
    lang: Lang | None = None
    results: Annotated[StrictInt, Field(ge=0, le=1_000_000)] = 0
    clicked: SitePath | None = None
    page: SitePath | None = None


class ContactEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["contact"]
    action: Literal["deflected", "contacted"]
    article: SitePath | None = None
    channel: Annotated[Text, Field(max_length=64)] | None = None
    suggested: Annotated[list[SitePath], Field(max_length=20)] | None = None
    opened: Annotated[list[SitePath], Field(max_length=20)] | None = None
    query: Query | None = None
    lang: Lang | None = None
    page: SitePath | None = None


class PageviewEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["pageview"]
    page: SitePath
    lang: Lang | None = None
    article: SitePath | None = None


Event = Annotated[Union[SearchEvent, ContactEvent, PageviewEvent], Field(discriminator="type")]


class HelpfulCount(BaseModel):
    article: str
    votes: int
    helpful: int


class Created(BaseModel):
    id: int | None = Field(description="The vote's id (null when the vote was dropped as spam).")


class Accepted(BaseModel):
    ok: bool = True


# ---------------------------------------------------------------------------- guard


class TokenBuckets:
    """Per-client token buckets: ``rate`` requests per second on average, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: float, max_clients: int = 50_000):
        self.rate, self.burst, self.max_clients = rate, burst, max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        if self.rate <= 0:
            return True
        t = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.burst, t))
            tokens = min(self.burst, tokens + (t - last) * self.rate)
            if tokens < 1:
                self._buckets[client] = (tokens, t)
                return False
            self._buckets[client] = (tokens - 1, t)
            if len(self._buckets) > self.max_clients:  # forget clients whose bucket has refilled
                full = self.burst / self.rate
                self._buckets = {k: v for k, v in self._buckets.items() if t - v[1] < full}
            return True


def origin_matcher(origins: list[str] | None) -> Callable[[str], bool]:
    """``None``/empty → loopback origins only (development); ``"*"`` → any origin."""
    if not origins:
        loopback = re.compile(r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$")
        return lambda o: bool(loopback.match(o))
    if "*" in origins:
        return lambda o: True
    allowed = {o.rstrip("/").lower() for o in origins}
    return lambda o: o.rstrip("/").lower() in allowed


def _validation_errors(errors: Iterable[Mapping[str, Any]], prefix: tuple = ("body",)) -> list[dict]:
    """pydantic errors → the API's 422 ``detail`` list (ASCII-safe, like FastAPI's)."""
    out = [{"loc": [str(p) for p in (*prefix, *e.get("loc", ()))], "msg": str(e.get("msg", "")), "type": e.get("type")}
           for e in errors]
    return json.loads(json.dumps(out, ensure_ascii=True))


_VOTE = TypeAdapter(VoteIn)


class VoteHandler:
    """``POST /api/votes`` on a raw JSON body → ``(status, response body)``; 201 only once committed."""

    def __init__(self, store: Store):
        self.store = store

    async def __call__(self, body: bytes) -> tuple[int, dict]:
        try:
            vote = _VOTE.validate_json(body)
        except ValidationError as exc:
            return 422, {"detail": _validation_errors(exc.errors(include_url=False, include_input=False))}
        comment = vote.comment or None
        verdict = spam_verdict(comment, honeypot=vote.website)
        if verdict == "reject":
            return 422, {"detail": [{"loc": ["body", "comment"], "msg": "comment rejected as spam", "type": "spam"}]}
        row = Vote(article=_article_key(vote.article), voter=vote.voter, helpful=vote.helpful, lang=vote.lang,
                   reason=None if vote.helpful else vote.reason, comment=comment, flagged=verdict or None)
        return 201, {"id": await self.store.committer().submit(row)}


UNAVAILABLE = {"detail": "the feedback database is unavailable; retry later"}
UNAVAILABLE_HEADERS = [(b"retry-after", str(RETRY_AFTER).encode())]


def _json_response(status: int, body: dict, extra: Sequence[tuple[bytes, bytes]] = ()) -> tuple[dict, dict]:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()), *extra]
    return ({"type": "http.response.start", "status": status, "headers": headers},
            {"type": "http.response.body", "body": data})


def _adding_headers(send, extra: list[tuple[bytes, bytes]]):
    """``send`` that appends ``extra`` (the CORS headers) to the response start; ``send`` itself when none."""
    if not extra:
        return send

    async def wrapped(message):
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)
    return wrapped


class Guard:
    def __init__(self, app, *, allow_origin: Callable[[str], bool], buckets: TokenBuckets, max_body: int,
                 fast: dict[str, Callable] | None = None):
        self.app, self.allow_origin, self.buckets, self.max_body = app, allow_origin, buckets, max_body
        self.readable = {HELPFUL_PATH}  # the one GET under /api/: public counts, no body
        self.fast = fast or {}

    async def _send(self, send, status, body, extra=()):
        start, payload = _json_response(status, body, extra)
        await send(start)
        await send(payload)

    async def _rate_limited(self, scope, send, cors) -> bool:
        """Whether the client (IP) is over its token bucket; if it is, the 429 has been sent."""
        client = (scope.get("client") or ("?", 0))[0]
        if self.buckets.allow(client):
            return False
        await self._send(send, 429, {"detail": "too many requests"}, cors + [(b"retry-after", b"1")])
        return True

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            return await self.app(scope, receive, send)
        headers = {}
        for k, v in scope["headers"]:
            headers[k.lower()] = v
        origin = headers.get(b"origin", b"").decode("latin-1")
        cors: list[tuple[bytes, bytes]] = []
        if origin:
            if not self.allow_origin(origin):
                return await self._send(send, 403, {"detail": "origin not allowed"})
            cors = [(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin")]
        if scope["method"] == "OPTIONS":
            pre = cors + [(b"access-control-allow-methods", b"POST, OPTIONS"),
                          (b"access-control-allow-headers", b"content-type"),
                          (b"access-control-max-age", b"86400"), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 204, "headers": pre})
            return await send({"type": "http.response.body", "body": b""})
        if scope["method"] == "GET" and scope["path"] in self.readable:
            if await self._rate_limited(scope, send, cors):
                return None
            return await self.app(scope, receive, _adding_headers(send, cors))
        if scope["method"] != "POST":
            return await self._send(send, 405, {"detail": "method not allowed"}, cors + [(b"allow", b"POST, OPTIONS")])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                if int(length) > self.max_body:
                    return await self._send(send, 413, {"detail": "payload too large"}, cors)
            except ValueError:
                return await self._send(send, 400, {"detail": "bad content-length"}, cors)
        if await self._rate_limited(scope, send, cors):
            return None
        # Read the (small) body here, so oversized chunked bodies are refused too.
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return await self._send(send, 413, {"detail": "payload too large"}, cors)
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        handler = self.fast.get(scope["path"])
        if handler is not None:
            try:
                status, payload = await handler(body)
            except DatabaseUnavailable:
                return await self._send(send, 503, UNAVAILABLE, cors + UNAVAILABLE_HEADERS)
            return await self._send(send, status, payload, cors)
        try:
            json.loads(body)
        except RecursionError:
            return await self._send(send, 422, {"detail": "JSON nested too deeply"}, cors)
        except ValueError:
            return await self._send(send, 422, {"detail": "body must be JSON"}, cors)
        # sendBeacon may post JSON as text/plain (a CORS-safelisted type): treat every body as JSON.
        scope = dict(scope)
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() not in (b"content-type", b"content-length")]
        scope["headers"] += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        done = False

        async def replay():
            nonlocal done
            if not done:
                done = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, _adding_headers(send, cors))


# ------------------------------------------------------------------------------ app


class CollectorApp(FastAPI):
    """FastAPI with :class:`Guard` outermost: ``/api/`` requests reach the guard before FastAPI's own
    middleware stack (so the vote fast path pays for none of it); everything else is plain FastAPI."""

    guard: Guard | None = None

    async def inner(self, scope, receive, send):
        await super().__call__(scope, receive, send)

    async def __call__(self, scope, receive, send):
        if self.guard is not None and scope["type"] == "http" and scope["path"].startswith("/api/"):
            return await self.guard(scope, receive, send)
        return await super().__call__(scope, receive, send)


def create_app(db_url: str = "sqlite:///deflect-feedback.db", allowed_origins: list[str] | None = None, *,
               rate: float = 5.0, burst: float = 40.0, max_body: int = MAX_BODY,
               store: Store | None = None) -> FastAPI:
    """The collector app. ``allowed_origins``: site origins allowed to post (empty → loopback only,
    ``["*"]`` → any); ``rate``/``burst``: per-client token bucket (``rate <= 0`` disables it)."""
    store = store or Store(db_url)
    app = CollectorApp(title="Deflect feedback collector", version="1",
                       description="Receives article votes, comments, search and contact events and page views "
                                   "from a Deflect help center.")
    app.state.store = store

    async def call(fn, *args, **kwargs):
        if store.blocking_is_cheap:
            return fn(*args, **kwargs)
        return await run_in_threadpool(fn, *args, **kwargs)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": _validation_errors(exc.errors(), prefix=())}, status_code=422)

    @app.exception_handler(DatabaseUnavailable)
    async def unavailable(request: Request, exc: DatabaseUnavailable):
        return JSONResponse(UNAVAILABLE, status_code=503,
                            headers={k.decode(): v.decode() for k, v in UNAVAILABLE_HEADERS})

    handle_vote = VoteHandler(store)
    unavailable_doc: dict[int | str, dict[str, Any]] = {503: {"description": "Database unavailable (retry after Retry-After seconds)"}}

    @app.post("/api/votes", status_code=201, response_model=Created,
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": _VOTE.json_schema()}}}},
              responses={403: {"description": "Origin not allowed"}, 413: {"description": "Payload too large"},
                         422: {"description": "Invalid vote or rejected as spam"},
                         429: {"description": "Too many requests"}, **unavailable_doc})
    async def post_vote(request: Request):
        """Record or change a reader's vote (the guard normally answers this path itself, same handler)."""
        status, payload = await handle_vote(await request.body())
        return JSONResponse(payload, status_code=status)

    @app.post("/api/events", status_code=202, response_model=Accepted,
              responses={403: {"description": "Origin not allowed"}, 413: {"description": "Payload too large"},
                         429: {"description": "Too many requests"}, **unavailable_doc})
    async def post_event(event: Event):
        if isinstance(event, SearchEvent):
            await call(store.add_event, "search", query=event.query, results=event.results,
                       clicked=_article_key(event.clicked) if event.clicked else None, page=event.page,
                       lang=event.lang)
        elif isinstance(event, ContactEvent):
            data = {k: v for k, v in (("suggested", event.suggested), ("opened", event.opened)) if v}
            await call(store.add_event, "contact", action=event.action,
                       article=_article_key(event.article) if event.article else None, channel=event.channel,
                       query=event.query, page=event.page, lang=event.lang, data=data or None)
        else:
            await call(store.add_event, "pageview", page=event.page, lang=event.lang,
                       article=_article_key(event.article) if event.article else None)
        return {"ok": True}

    helpful_cache: dict[str, tuple[float, tuple[int, int]]] = {}

    @app.get(HELPFUL_PATH, response_model=HelpfulCount,
             responses={403: {"description": "Origin not allowed"}, 429: {"description": "Too many requests"},
                        **unavailable_doc})
    async def get_helpful(article: str = QueryParameter(..., min_length=1, max_length=512,
                                               description="The article's page path, e.g. en/account/reset-password/")):
        """Votes and helpful votes of one article, for "X of Y found this helpful" on the article page.
        Counted at most once a minute per article (and cacheable by browsers and CDNs for a minute)."""
        key = _article_key(article)
        now = time.monotonic()
        cached = helpful_cache.get(key)
        if cached is None or now - cached[0] > HELPFUL_TTL:
            if len(helpful_cache) > 10_000:
                helpful_cache.clear()
            cached = (now, await call(store.helpful_count, key))
            helpful_cache[key] = cached
        votes, helpful = cached[1]
        return JSONResponse({"article": key, "votes": votes, "helpful": helpful},
                            headers={"cache-control": f"public, max-age={HELPFUL_TTL}"})

    @app.get("/healthz", responses=unavailable_doc)
    async def healthz() -> dict[str, Any]:
        return {"ok": True, "schema": await call(store.schema_version), "db": store.dialect}

    app.guard = Guard(app.inner, allow_origin=origin_matcher(allowed_origins), buckets=TokenBuckets(rate, burst),
                      max_body=max_body, fast={"/api/votes": handle_vote})
    return app
