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
