"""Assertions on how the software reports a user's mistake."""


def assert_one_line_error(proc, *fragments):
  """Exit code 2, one 'error: ' line holding every fragment, no traceback."""
  assert proc.returncode == 2, proc.stderr
  lines = [l for l in proc.stderr.splitlines() if l.startswith('error:')]
  assert len(lines) == 1, proc.stderr
  assert 'Traceback' not in proc.stderr
  for f in fragments:
    assert f in lines[0], lines[0]


def assert_data_error(load, path, match):
  """`load(path)` raises a DataError matching `match` and naming `path`."""
  import pytest
  from geo_rep_tf.errors import DataError
  with pytest.raises(DataError, match=match) as info:
    load(path)
  assert info.value.path == str(path)
