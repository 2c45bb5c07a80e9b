"""Atomic writes and the progress bar."""

import io
import os

import numpy as np
import pytest

from geo_rep_tf.utils.files import (atomic_path, checkout_relative,
                                    load_cached_array, prune_cache,
                                    save_cached_array, write_json)
from geo_rep_tf.utils.progress import Progress


def test_checkout_relative_names_inner_paths_from_the_cwd(tmp_path,
                                                         monkeypatch):
  monkeypatch.chdir(tmp_path)
  inner = str(tmp_path / 'work_dirs' / 'rep')
  assert checkout_relative(inner) == os.path.join('work_dirs', 'rep')
  assert checkout_relative('work_dirs/rep') == 'work_dirs/rep'
  outside = str(tmp_path.parent / 'elsewhere')
  assert checkout_relative(outside) == outside


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


def _cache_file(directory, name, size, mtime):
  path = directory / name
  np.save(path, np.zeros(size // 4, np.float32))
  os.utime(path, (mtime, mtime))
  return str(path)


def test_prune_cache_removes_least_recently_used_first(tmp_path):
  old = _cache_file(tmp_path, 'a.npy', 4000, 1000)
  mid = _cache_file(tmp_path, 'b.npy', 4000, 2000)
  new = _cache_file(tmp_path, 'c.npy', 4000, 3000)
  (tmp_path / 'notes.txt').write_text('x' * 10000)  # not a cache file
  size = os.path.getsize(old)
  removed = prune_cache(str(tmp_path), 2 * size, keep=old)
  # `keep` survives although it is the oldest; the next oldest goes.
  assert removed == [mid]
  assert sorted(os.listdir(tmp_path)) == ['a.npy', 'c.npy', 'notes.txt']
  assert prune_cache(str(tmp_path), 2 * size) == []
  assert prune_cache(str(tmp_path), 0, keep=new) == [old]


def test_cached_array_round_trip_touches_and_limits(tmp_path):
  messages = []
  old = _cache_file(tmp_path, 'old.npy', 4000, 1000)
  read = _cache_file(tmp_path, 'read.npy', 4000, 500)
  # Reading a file makes it the most recently used.
  assert load_cached_array(read, messages.append).shape == (1000,)
  assert os.path.getmtime(read) > os.path.getmtime(old)
  path = str(tmp_path / 'new.npy')
  save_cached_array(path, np.arange(1000, dtype=np.float32),
                    messages.append, max_bytes=2 * os.path.getsize(old))
  assert sorted(os.listdir(tmp_path)) == ['new.npy', 'read.npy']
  assert any('removed' in m and 'old.npy' in m for m in messages)
  np.testing.assert_array_equal(load_cached_array(path), np.arange(1000))
  # No limit: nothing removed.
  save_cached_array(str(tmp_path / 'more.npy'), np.zeros(10), max_bytes=None)
  assert len(os.listdir(tmp_path)) == 3


def test_load_cached_array_misses_on_absent_or_damaged_file(tmp_path):
  messages = []
  assert load_cached_array(str(tmp_path / 'none.npy')) is None
  bad = tmp_path / 'bad.npy'
  bad.write_bytes(b'not numpy')
  assert load_cached_array(str(bad), messages.append) is None
  assert 'unreadable' in messages[0]
