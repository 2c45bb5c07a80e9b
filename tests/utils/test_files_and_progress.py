"""Atomic writes and the progress bar."""

import io
import os

import pytest

from geo_rep_tf.utils.files import atomic_path, write_json
from geo_rep_tf.utils.progress import Progress


def test_atomic_path_leaves_nothing_on_failure(tmp_path):
  target = tmp_path / 'out.bin'
  with pytest.raises(RuntimeError):
    with atomic_path(str(target)) as tmp:
      open(tmp, 'w').write('half')
      raise RuntimeError('crash')
  assert os.listdir(tmp_path) == []


def test_atomic_path_replaces_on_success(tmp_path):
  target = tmp_path / 'out.json'
  target.write_text('old')
  write_json(str(target), {'a': 1})
  assert target.read_text().strip().startswith('{')
  assert os.listdir(tmp_path) == ['out.json']
  assert oct(target.stat().st_mode & 0o777) != oct(0o600)


def test_progress_prints_lines_when_not_a_tty():
  out = io.StringIO()
  bar = Progress(100, 'job', ' MB', stream=out, interval_s=0.0)
  bar.update(50, 'half')
  bar.close(100)
  text = out.getvalue()
  assert 'job [' in text and '50.0%' in text and 'ETA' in text
  assert 'done in' in text
