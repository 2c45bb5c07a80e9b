"""A run's model directory must be (or become) a writable directory."""

import os

import pytest

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.runs.model_dir import check_model_dir


def test_creates_a_missing_directory(tmp_path):
  path = tmp_path / 'a' / 'b'
  check_model_dir(str(path))
  assert path.is_dir()
  check_model_dir(str(path))  # an existing one is fine


def test_a_file_is_not_a_model_dir(tmp_path):
  path = tmp_path / 'file'
  path.write_text('x')
  with pytest.raises(ArgumentError, match='--model_dir=.*is a file'):
    check_model_dir(str(path))
  with pytest.raises(ArgumentError, match='cannot create it'):
    check_model_dir(str(path / 'below'))


@pytest.mark.skipif(os.geteuid() == 0, reason='root writes anywhere')
def test_a_read_only_directory_is_not_a_model_dir(tmp_path):
  path = tmp_path / 'ro'
  path.mkdir()
  path.chmod(0o500)
  try:
    with pytest.raises(ArgumentError, match='not writable'):
      check_model_dir(str(path))
  finally:
    path.chmod(0o700)


def test_run_kind_refuses_another_stage(tmp_path):
  from geo_rep_tf.runs.model_dir import check_run_kind, run_kind
  assert run_kind(str(tmp_path / 'absent')) is None
  (tmp_path / 'r').mkdir()
  (tmp_path / 'r' / 'config.json').write_text('{"task": "representation"}')
  assert run_kind(str(tmp_path / 'r')) == 'representation'
  check_run_kind(str(tmp_path / 'r'), 'representation')  # resuming is fine
  with pytest.raises(ArgumentError, match='holds a representation run'):
    check_run_kind(str(tmp_path / 'r'), 'regressor')
  (tmp_path / 'c').mkdir()
  (tmp_path / 'c' / 'ckpt-3.index').write_bytes(b'')
  with pytest.raises(ArgumentError, match='no readable config.json'):
    check_model_dir(str(tmp_path / 'c'), 'regressor')
  (tmp_path / 'u').mkdir()
  (tmp_path / 'u' / 'notes.txt').write_text('x')
  check_model_dir(str(tmp_path / 'u'), 'regressor')  # unrelated files: a new run
