"""The LLM backend: any LangChain chat model, chosen by a spec string, with a hard deadline.

    TILLID_LLM=ollama:llama3.1          (pip install -e '.[ollama]', Ollama running locally)
    TILLID_LLM=openai:gpt-4o-mini       (pip install -e '.[openai]'; OPENAI_API_KEY, and
                                         TILLID_LLM_BASE_URL for any OpenAI-compatible server)

The model runs in a worker thread so a hung server cannot hang the app: past the deadline the
caller gets `LLMError` and answers from the extracts instead.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel


class LLMError(Exception):
    """The LLM is not configured right, unreachable, failing or too slow; message in Danish."""


_DONE = object()


def load_chat_model(
    spec: str, base_url: str = "", api_key: str = "", timeout: float = 60.0
) -> BaseChatModel:
    """`provider:model` through `init_chat_model`; a missing provider package is explained."""
    from langchain.chat_models import init_chat_model

    if ":" not in spec:
        raise LLMError(
            f"Ugyldig LLM-angivelse {spec!r}: skriv udbyder:model, fx ollama:llama3.1 "
            "eller openai:gpt-4o-mini."
        )
    kwargs: dict[str, Any] = {"temperature": 0, "timeout": timeout}
    if base_url:
        kwargs["base_url"] = base_url
    if api_key:
        kwargs["api_key"] = api_key
    try:
        return init_chat_model(spec, **kwargs)
    except ImportError as exc:
        provider = spec.split(":", 1)[0]
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

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[str]:
        """Text pieces as the model produces them; `LLMError` on failure or past the deadline."""
        pieces: queue.Queue = queue.Queue()

        def work() -> None:
            try:
                for chunk in self.model.stream(messages):
                    text = chunk.content if isinstance(chunk.content, str) else chunk.text
                    if text:
                        pieces.put(text)
                pieces.put(_DONE)
            except Exception as exc:
                pieces.put(exc)

        threading.Thread(target=work, daemon=True, name="llm").start()
        deadline = time.monotonic() + self.timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                item = pieces.get(timeout=max(remaining, 0.001))
            except queue.Empty:
                raise LLMError(f"intet svar inden for {self.timeout:g} sekunder") from None
            if item is _DONE:
                return
            if isinstance(item, Exception):
                raise LLMError(_describe(item)) from item
            yield item

    def complete(self, messages: list[tuple[str, str]]) -> str:
        return "".join(self.stream(messages)).strip()


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "connect" in text.lower() or "connection" in type(exc).__name__.lower():
        return f"kan ikke forbinde til sprogmodellen: {text[:160]}"
    return f"fejl fra sprogmodellen: {text[:160]}"
