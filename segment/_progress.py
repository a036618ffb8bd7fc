"""Progress bars of long calls (k_sweep, reading a large SQL table).

`progress_bar` gives tqdm's bar when tqdm is installed -- `tqdm.auto` when
ipywidgets is there too, so that it renders as a widget in Jupyter (without
ipywidgets tqdm.auto only warns that it cannot) -- and otherwise `LineBar`,
one line on stderr rewritten in place, so that ``progress=True`` always shows
something.
"""

from __future__ import annotations

import sys
import time

__all__ = ["LineBar", "progress_bar"]


class LineBar:
    """A progress line on stderr: ``desc: n/total unit`` (``n unit`` when the
    total is unknown), rewritten at most every 0.2 s and once more at close."""

    def __init__(self, total=None, desc="", unit="it", file=None, interval=0.2):
        self.total, self.desc, self.unit = total, desc, unit
        self.file = file if file is not None else sys.stderr
        self.n = 0
        self._interval = interval
        self._shown = None  # perf_counter of the last line written
        self._closed = False

    def _line(self) -> str:
        count = f"{self.n:,}/{self.total:,}" if self.total is not None else f"{self.n:,}"
        return f"\r{self.desc}: {count} {self.unit}"

    def update(self, n=1) -> None:
        self.n += n
        now = time.perf_counter()
        if self._shown is None or now - self._shown >= self._interval or self.n == self.total:
            self.file.write(self._line())
            self.file.flush()
            self._shown = now

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.file.write(self._line() + "\n")
        self.file.flush()


def progress_bar(total=None, *, desc: str, unit: str):
    """tqdm (tqdm.auto with ipywidgets) when installed, else a `LineBar`."""
    try:
        try:  # a widget in notebooks with ipywidgets, text elsewhere
            import ipywidgets  # noqa: F401
            from tqdm.auto import tqdm
        except ImportError:
            from tqdm.std import tqdm
    except ImportError:
        return LineBar(total=total, desc=desc, unit=unit)
    return tqdm(total=total, desc=desc, unit=unit)
