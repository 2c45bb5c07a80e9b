"""Shared helpers of the benchmarks: machine facts, memory sampling, output."""

from __future__ import annotations

import os
import platform
import subprocess
import threading
import time
from typing import Dict, List

import psutil

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def shared_data_dir() -> str:
  """$GEO_REP_TF_DATA, else ../shared/data beside the repository."""
  return os.environ.get('GEO_REP_TF_DATA') or os.path.join(
      os.path.dirname(REPO), 'shared', 'data')


def machine() -> Dict:
  """CPU, cores, memory and library versions of this run."""
  import numpy as np
  import tensorflow as tf
  cpu = platform.processor()
  try:
    with open('/proc/cpuinfo') as fh:
      for line in fh:
        if line.startswith('model name'):
          cpu = line.split(':', 1)[1].strip()
          break
  except OSError:
    pass
  return dict(cpu=cpu, cores=os.cpu_count(),
              memory_gib=round(psutil.virtual_memory().total / 2**30, 1),
              python=platform.python_version(), tensorflow=tf.__version__,
              numpy=np.__version__, platform=platform.platform())


class PeakRss:
  """Samples the summed RSS of a process and its children (GiB)."""

  def __init__(self, pid: int, interval_s: float = 0.1):
    self.proc = psutil.Process(pid)
    self.peak = 0
    self.interval_s = interval_s
    self._stop = threading.Event()
    self._thread = threading.Thread(target=self._run, daemon=True)

  def _run(self):
    while not self._stop.is_set():
      try:
        procs = [self.proc] + self.proc.children(recursive=True)
        total = 0
        for p in procs:
          try:
            total += p.memory_info().rss
          except psutil.Error:
            pass
        self.peak = max(self.peak, total)
      except psutil.Error:
        pass
      time.sleep(self.interval_s)

  def __enter__(self):
    self._thread.start()
    return self

  def __exit__(self, *exc):
    self._stop.set()
    self._thread.join()

  @property
  def peak_gib(self) -> float:
    return self.peak / 2**30


def run_and_measure(cmd: List[str]) -> Dict:
  """Runs a command; returns wall seconds, peak RSS (GiB) and return code."""
  start = time.time()
  proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
  with PeakRss(proc.pid) as rss:
    out, err = proc.communicate()
  return dict(wall_s=time.time() - start, peak_rss_gib=rss.peak_gib,
              returncode=proc.returncode, stdout=out, stderr=err)


def finish(path: str, result: Dict) -> None:
  """Stamps a result with the machine and the date, writes it (atomically)
  to `path` and prints it."""
  import json
  from geo_rep_tf.utils.files import write_json
  result = dict(result, machine=machine(),
                date=time.strftime('%Y-%m-%d %H:%M:%S'))
  write_json(path, result)
  print(json.dumps(result, indent=2))
