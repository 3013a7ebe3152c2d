"""The LLM backend: any LangChain chat model, chosen by a spec string, with a hard deadline.

    TILLID_LLM=ollama:llama3.1          (pip install -e '.[ollama]', Ollama running locally)
    TILLID_LLM=openai:gpt-4o-mini       (pip install -e '.[openai]'; OPENAI_API_KEY, and
                                         TILLID_LLM_BASE_URL for any OpenAI-compatible server)

The model runs in a worker thread so a hung server cannot hang the app: past the deadline the
caller gets `LLMError` and answers from the extracts instead. The deadline counts from the
moment the question reaches the model's queue, and an abandoned answer (past its deadline, or
a page that moved on) closes its HTTP request, so the server can stop working on it: on a
shared CPU server every user would otherwise pay for the previous user's timeout.

One request at a time per process (`LLMQueue`): a page process with several users does not
send a CPU server prompts it can only read one after the other anyway; the waiting ones are
told their place (`Waiting`).
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from langchain_core.language_models import BaseChatModel


class LLMError(Exception):
    """The LLM is not configured right, unreachable, failing or too slow; message in Danish."""


_DONE = object()
_OPENAI_LIKE = ("openai", "azure_openai")
# Seconds an abandoned call may keep its place in the queue while its connection closes.
ABANDON_GRACE = 2.0


class Waiting(NamedTuple):
    """Yielded by `LLM.stream` while other questions are ahead in the queue."""

    ahead: int


class LLMQueue:
    """First come, first served: the head of the line may use the model, the rest wait."""

    def __init__(self) -> None:
        self._line: deque[object] = deque()
        self._changed = threading.Condition()

    def join(self) -> object:
        ticket = object()
        with self._changed:
            self._line.append(ticket)
        return ticket

    def ahead(self, ticket: object) -> int:
        with self._changed:
            return self._line.index(ticket) if ticket in self._line else 0

    def wait(self, ticket: object, seconds: float) -> int:
        """Wait up to `seconds` for the line to move; how many are still ahead."""
        with self._changed:
            if self._line and self._line[0] is not ticket:
                self._changed.wait(seconds)
            return self._line.index(ticket) if ticket in self._line else 0

    def leave(self, ticket: object) -> None:
        with self._changed:
            if ticket in self._line:
                self._line.remove(ticket)
                self._changed.notify_all()

    def __len__(self) -> int:
        return len(self._line)


# One line per process: every chat session of a page process shares it.
QUEUE = LLMQueue()


def load_chat_model(
    spec: str, base_url: str = "", api_key: str = "", timeout: float = 60.0, max_tokens: int = 0
) -> BaseChatModel:
    """`provider:model` through `init_chat_model`; a missing provider package is explained."""
    from langchain.chat_models import init_chat_model

    if ":" not in spec:
        raise LLMError(
            f"Ugyldig LLM-angivelse {spec!r}: skriv udbyder:model, fx ollama:llama3.1 "
            "eller openai:gpt-4o-mini."
        )
    kwargs: dict[str, Any] = {"temperature": 0, "timeout": timeout}
    provider = spec.split(":", 1)[0]
    if provider in _OPENAI_LIKE:
        # A retry would send the whole prompt again after the deadline: the caller falls
        # back to the extracts instead.
        kwargs["max_retries"] = 0
    if max_tokens:
        kwargs["num_predict" if provider == "ollama" else "max_tokens"] = max_tokens
    if base_url:
        kwargs["base_url"] = base_url
    if api_key:
        kwargs["api_key"] = api_key
    try:
        return init_chat_model(spec, **kwargs)
    except ImportError as exc:
        raise LLMError(
            f"Pakken til {provider} mangler: pip install langchain-{provider} ({exc})"
        ) from exc
    except Exception as exc:
        raise LLMError(f"Sprogmodellen {spec!r} kan ikke startes: {exc}") from exc


@dataclass
class LLM:
    model: BaseChatModel
    name: str
    timeout: float = 60.0
    queue: LLMQueue = field(default=QUEUE, repr=False)

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[str | Waiting]:
        """Text pieces as the model produces them (`Waiting` while others are ahead);
        `LLMError` on failure or past the deadline. Closing the iterator early (a page that
        moved on) closes the request too."""
        deadline = time.monotonic() + self.timeout
        ticket = self.queue.join()
        request: _Request | None = None
        try:
            ahead = self.queue.ahead(ticket)
            while ahead:
                yield Waiting(ahead)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise LLMError(f"ventede {self.timeout:g} sekunder i kø til sprogmodellen")
                ahead = self.queue.wait(ticket, min(remaining, 0.5))
            request = _Request(self, messages, deadline, ticket)
            yield from request.pieces()
        finally:
            if request is None:
                self.queue.leave(ticket)
            else:
                request.cancel()

    def complete(self, messages: list[tuple[str, str]]) -> str:
        return "".join(p for p in self.stream(messages) if isinstance(p, str)).strip()

    def call_options(self, deadline: float) -> dict[str, Any]:
        """Per-call options: an OpenAI-style client stops reading at the deadline itself
        (the prompt is read before the first byte comes back, so only a read timeout ends a
        request the server is still reading)."""
        if hasattr(self.model, "request_timeout"):
            return {"timeout": max(deadline - time.monotonic(), 0.1)}
        return {}


class _Request:
    """One call to the model in a worker thread; it leaves the queue when the connection is
    closed, not when the caller gives up."""

    def __init__(
        self, llm: LLM, messages: list[tuple[str, str]], deadline: float, ticket: object
    ) -> None:
        self.llm = llm
        self.deadline = deadline
        self.queue: queue.Queue = queue.Queue()
        self.cancelled = threading.Event()
        self.received = 0
        self.ticket = ticket
        thread = threading.Thread(
            target=self._work, args=(messages, ticket), daemon=True, name="llm"
        )
        thread.start()

    def _work(self, messages: list[tuple[str, str]], ticket: object) -> None:
        try:
            options = self.llm.call_options(self.deadline)
            with closing(iter(self.llm.model.stream(messages, **options))) as chunks:
                for chunk in chunks:
                    if self.cancelled.is_set():
                        return  # closing the stream closes the HTTP response
                    text = chunk.content if isinstance(chunk.content, str) else chunk.text
                    if text:
                        self.queue.put(text)
            self.queue.put(_DONE)
        except Exception as exc:
            self.queue.put(exc)
        finally:
            self.llm.queue.leave(ticket)

    def pieces(self) -> Iterator[str]:
        while True:
            remaining = self.deadline - time.monotonic()
            try:
                item = self.queue.get(timeout=max(remaining, 0.001))
            except queue.Empty:
                raise LLMError(f"intet svar inden for {self.llm.timeout:g} sekunder") from None
            if item is _DONE:
                return
            if isinstance(item, Exception):
                if self.cancelled.is_set() or time.monotonic() >= self.deadline:
                    raise LLMError(f"intet svar inden for {self.llm.timeout:g} sekunder") from item
                raise LLMError(_describe(item, midway=self.received > 0)) from item
            self.received += 1
            yield item

    def cancel(self) -> None:
        """Stop reading; the queue moves on when the connection is closed, or after a grace
        period if the model's client does not let go (a hung call must not block the page)."""
        self.cancelled.set()
        timer = threading.Timer(ABANDON_GRACE, self.llm.queue.leave, (self.ticket,))
        timer.daemon = True
        timer.start()


def _describe(exc: Exception, midway: bool = False) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    connection = "connect" in text.lower() or "connection" in type(exc).__name__.lower()
    if connection and midway:
        return f"forbindelsen til sprogmodellen blev afbrudt midt i svaret: {text[:160]}"
    if connection:
        return f"kan ikke forbinde til sprogmodellen: {text[:160]}"
    return f"fejl fra sprogmodellen: {text[:160]}"
