"""tools/compare_lifters.py on the committed photo: JSON and errors."""

import json
import subprocess
import sys

from tests.eval import tiny_runs
from tests.inference.conftest import REPO, SAMPLE_PHOTO


def _run(*args):
  return subprocess.run(
      [sys.executable, str(REPO / 'tools' / 'compare_lifters.py'), *args],
      cwd=str(REPO), capture_output=True, text=True, timeout=600)


def test_compare_lifters_scores_each_lifter_on_the_same_people(
    blazepose_models, tiny_lifter_dir, tmp_path_factory, tmp_path):
  protocol_dir = tiny_runs.tiny_protocol(tmp_path_factory)
  out = tmp_path / 'cmp.json'
  proc = _run(f'--lifters=a={tiny_lifter_dir},b={tiny_lifter_dir}',
              f'--inputs={SAMPLE_PHOTO}', f'--protocol_dir={protocol_dir}',
              f'--models_dir={blazepose_models}', f'--out={out}')
  assert proc.returncode == 0, proc.stderr[-2000:]
  doc = json.loads(out.read_text())
  assert len(doc['people']) == 1  # the skier
  assert len(doc['reference_bone_lengths_mm']) == 15
  assert all(300 < x < 500 for x in doc['reference_bone_lengths_mm'][1:3])
  a, b = doc['lifters']['a'], doc['lifters']['b']
  assert a['count'] == b['count'] == 1
  assert a['bone_length_error'] == b['bone_length_error'] > 0
  assert 'bone-length error' in proc.stdout


def test_compare_lifters_user_errors_are_one_line(tmp_path):
  for args, words in (
      (['--lifters=nopath'], 'expected NAME=PATH'),
      ([f'--lifters=a={tmp_path}', f'--protocol_dir={tmp_path / "none"}'],
       '--protocol_dir')):
    proc = _run(*args)
    assert proc.returncode == 2, proc.stderr[-2000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('error: ') and words in last
    assert 'Traceback' not in proc.stderr
