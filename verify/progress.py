"""Progress on long runs (docs/certificate.rst): stage notes and bars with time estimates on a
terminal (tqdm), and only the final line of each bar when the stream is a file or a pipe, so logs
stay readable.  ``Progress(None)`` is silent.

>>> import io
>>> buf = io.StringIO()
>>> p = Progress(buf, "demo")
>>> p.note("starting")
>>> with p.bar(3, "steps") as bar:
...     for _ in range(3):
...         bar.update(1)
>>> print(buf.getvalue().splitlines()[0])
[demo] starting
>>> buf.getvalue().splitlines()[1].startswith("[demo] steps: 3/3")
True
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import TextIO

__all__ = ["Progress", "Bar"]


class Bar:
    """A progress bar: ``update(n)``, ``set_postfix_str(text)``; a context manager."""

    def __init__(self, total: int, desc: str, stream: TextIO | None, prefix: str) -> None:
        self.total, self.desc, self.stream, self.prefix = int(total), desc, stream, prefix
        self.n = 0
        self.postfix = ""
        self._start = time.perf_counter()
        self._tqdm = None
        if stream is not None and getattr(stream, "isatty", lambda: False)():
            from tqdm import tqdm  # noqa: PLC0415 (only on a terminal)

            self._tqdm = tqdm(total=self.total, desc=f"[{prefix}] {desc}", file=stream, leave=True,
                              dynamic_ncols=True)

    def update(self, n: int = 1) -> None:
        self.n += n
        if self._tqdm is not None:
            self._tqdm.update(n)

    def set_postfix_str(self, text: str) -> None:
        self.postfix = text
        if self._tqdm is not None:
            self._tqdm.set_postfix_str(text, refresh=False)

    def close(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
        elif self.stream is not None:
            seconds = time.perf_counter() - self._start
            tail = f" {self.postfix}" if self.postfix else ""
            self.stream.write(f"[{self.prefix}] {self.desc}: {self.n}/{self.total} in {seconds:.1f} s{tail}\n")
            self.stream.flush()

    def __enter__(self) -> Bar:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class Progress:
    """Where progress goes: a text stream (usually ``sys.stderr``) or ``None`` for silence."""

    def __init__(self, stream: TextIO | None = None, prefix: str = "certify") -> None:
        self.stream = stream
        self.prefix = prefix

    @property
    def enabled(self) -> bool:
        return self.stream is not None

    def note(self, text: str) -> None:
        """One line ``[prefix] text``."""
        if self.stream is not None:
            self.stream.write(f"[{self.prefix}] {text}\n")
            self.stream.flush()

    def bar(self, total: int, desc: str) -> Bar:
        return Bar(total, desc, self.stream, self.prefix)
