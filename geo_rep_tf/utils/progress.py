"""A small progress bar for long work (stderr; plain lines when not a tty)."""

from __future__ import annotations

import sys
import time
from typing import Optional, TextIO


def format_hms(seconds: float) -> str:
  seconds = int(max(seconds, 0))
  return f'{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}'


class Progress:
  """Progress of `total` units: bar, rate and ETA.

  On a terminal the bar redraws in place; otherwise (logs, CI) a line is
  printed at most every `interval_s` seconds.
  """

  def __init__(self, total: float, label: str = '', unit: str = '',
               scale: float = 1.0, stream: Optional[TextIO] = None,
               interval_s: float = 5.0, width: int = 30):
    self.total, self.label, self.unit, self.scale = total, label, unit, scale
    self.stream = stream or sys.stderr
    self.tty = hasattr(self.stream, 'isatty') and self.stream.isatty()
    self.interval_s = interval_s if not self.tty else 0.2
    self.width = width
    self.start = time.time()
    self._last = 0.0

  def update(self, done: float, extra: str = '', force: bool = False) -> None:
    now = time.time()
    if not force and now - self._last < self.interval_s:
      return
    self._last = now
    frac = min(done / self.total, 1.0) if self.total else 0.0
    elapsed = now - self.start
    rate = done / elapsed if elapsed > 0 else 0.0
    eta = (self.total - done) / rate if rate > 0 else 0.0
    bar = '#' * int(frac * self.width)
    line = (f'{self.label} [{bar:<{self.width}}] {100 * frac:5.1f}% '
            f'{done * self.scale:.1f}/{self.total * self.scale:.1f}{self.unit} '
            f'{rate * self.scale:.1f}{self.unit}/s ETA {format_hms(eta)} '
            f'{extra}')
    if self.tty:
      self.stream.write('\r' + line)
    else:
      self.stream.write(line + '\n')
    self.stream.flush()

  def close(self, done: float, extra: str = '') -> None:
    self.update(done, extra, force=True)
    if self.tty:
      self.stream.write('\n')
    elapsed = format_hms(time.time() - self.start)
    self.stream.write(f'{self.label} done in {elapsed}\n')
    self.stream.flush()
