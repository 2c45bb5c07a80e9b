"""Reading run files: config sections, checkpoints, the representation a
regressor run names."""

import json

import pytest

from geo_rep_tf.errors import DataError
from geo_rep_tf.runs.files import read_run, resolve_representation_dir


def test_representation_found_beside_a_moved_lifter(tmp_path, monkeypatch):
  # models/pretrained/{lifter,representation}: a relative path in the
  # lifter's config resolves beside the lifter, whatever the working dir.
  rep = tmp_path / 'pretrained' / 'representation'
  rep.mkdir(parents=True)
  (rep / 'config.json').write_text('{}')
  run = tmp_path / 'pretrained' / 'lifter'
  run.mkdir()
  monkeypatch.chdir(tmp_path)
  assert resolve_representation_dir('representation', str(run)) == str(rep)
  assert resolve_representation_dir('../representation', str(run)) == str(rep)
  assert resolve_representation_dir('/abs/x', str(run)) == '/abs/x'
  assert resolve_representation_dir('nowhere', str(run)) == 'nowhere'


def test_representation_order_working_dir_then_beside_the_run(tmp_path,
                                                               monkeypatch):
  run = tmp_path / 'run'
  (run / 'rep').mkdir(parents=True)
  (run / 'rep' / 'config.json').write_text('{}')
  monkeypatch.chdir(tmp_path)
  # Beside the run itself (a packed run holding its representation).
  assert resolve_representation_dir('rep', str(run)) == str(run / 'rep')
  # The working directory comes first.
  (tmp_path / 'rep').mkdir()
  (tmp_path / 'rep' / 'config.json').write_text('{}')
  assert resolve_representation_dir('rep', str(run)) == str(tmp_path / 'rep')


def test_read_run_errors(tmp_path):
  with pytest.raises(DataError, match='not a regressor run'):
    read_run(str(tmp_path), 'regressor')
  (tmp_path / 'config.json').write_text(json.dumps({'hourglass': {}}))
  with pytest.raises(DataError, match='has no regressor section'):
    read_run(str(tmp_path), 'regressor')
  (tmp_path / 'config.json').write_text(json.dumps({'regressor': {'a': 1}}))
  with pytest.raises(DataError, match='regressor run has no checkpoint'):
    read_run(str(tmp_path), 'regressor')
