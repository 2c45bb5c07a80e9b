"""The cross-body benchmark end to end: prepare_data --cross_body, evaluate
per body, collect_cross_body, on sample clips and the committed lifters."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from geo_rep_tf.geometry import bodies
from tests.cli_errors import assert_one_line_error

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
SAMPLE = os.path.join(REPO, 'data', 'samples', 'bandai_namco', 'dataset-1')


def _tool(name, *args, cwd=REPO, timeout=600):
  return subprocess.run([sys.executable, os.path.join(REPO, 'tools', name),
                         *args], capture_output=True, text=True,
                        timeout=timeout, cwd=cwd)


@pytest.fixture(scope='module')
def benchmark(tmp_path_factory):
  tmp = tmp_path_factory.mktemp('cross_body')
  clips = tmp / 'clips'
  clips.mkdir()
  for name in ('dataset-1_walk_old_001', 'dataset-1_bow_old_001',
               'dataset-1_walk_normal_001'):
    shutil.copy(os.path.join(SAMPLE, name + '.bvh'), clips)
  proc = _tool('prepare_data.py', f'--source={clips}', '--cross_body',
               f'--out_dir={tmp / "protocol"}', '--num_workers=1')
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert 'test: 2 clips' in proc.stdout and 'train' not in proc.stdout
  out = tmp / 'eval.json'
  proc = _tool('evaluate.py',
               '--model_dirs=models/pretrained/lifter,models/baseline1/lifter',
               f'--protocol_dir={tmp / "protocol"}', '--inputs=noisy',
               '--noper_action', f'--out={out}')
  assert proc.returncode == 0, proc.stderr[-3000:]
  return tmp, out, proc.stdout


def test_evaluate_prints_the_per_body_table(benchmark):
  _, out, stdout = benchmark
  assert 'Cross-body benchmark' in stdout
  for body in ('own', '(held-out bodies)') + tuple(
      b.name for b in bodies.HELD_OUT_BODIES):
    assert f'pretrained/lifter/noisy        {body}' in stdout, body
  rec = json.loads(out.read_text())['records'][0]['results']['noisy']
  assert set(rec['per_body']) == {'own'} | {b.name for b in
                                            bodies.HELD_OUT_BODIES}
  counts = {b: v['count'] for b, v in rec['per_body'].items()}
  assert len(set(counts.values())) <= 3  # visibility differs a little
  assert rec['cross_body']['mpjpe'] > rec['per_body']['own']['mean']['mpjpe']


def test_collect_writes_records_and_figure(benchmark, tmp_path):
  tmp, evaluation, _ = benchmark
  out = tmp_path / 'results' / 'cross_body.json'
  proc = _tool('collect_cross_body.py', f'--evaluation=before:{evaluation}',
               f'--protocol_dir={tmp / "protocol"}', f'--out={out}')
  assert proc.returncode == 0, proc.stderr[-3000:]
  doc = json.loads(out.read_text())
  assert os.path.getsize(out.with_suffix('.png')) > 10_000
  recs = doc['records']
  assert [(r['lifter'], r['default']) for r in recs] == [
      ('pretrained/lifter', True), ('baseline1/lifter', False)]
  for r in recs:
    assert r['input'] == 'noisy' and r['stage'] == 'before'
    assert 0 < r['in_domain_mpjpe_mm'] < r['cross_body_mpjpe_mm'] < 300
    assert r['ratio'] == pytest.approx(
        r['cross_body_mpjpe_mm'] / r['in_domain_mpjpe_mm'], abs=2e-3)
  floor = doc['size_floor_mpjpe_mm']
  assert floor['own'] == 0.0 and floor['(held-out bodies)'] > 10
  # Never replaced without --overwrite; a bad STAGE:PATH is one line.
  proc = _tool('collect_cross_body.py', f'--evaluation=before:{evaluation}',
               f'--out={out}')
  assert_one_line_error(proc, '--overwrite')
  proc = _tool('collect_cross_body.py', f'--evaluation={evaluation}',
               f'--out={tmp_path / "x.json"}')
  assert_one_line_error(proc, 'STAGE:PATH')
  proc = _tool('collect_cross_body.py',
               f'--evaluation=a:{tmp_path / "missing.json"}',
               f'--out={tmp_path / "x.json"}')
  assert_one_line_error(proc, 'no such file')
  proc = _tool('collect_cross_body.py', f'--evaluation=a:{evaluation}',
               '--default_stage=b', f'--out={tmp_path / "x.json"}')
  assert_one_line_error(proc, '--default_stage')


def test_only_the_installed_stage_is_default(benchmark, tmp_path):
  """The same folder evaluated before and after a retraining: only the
  stage given as installed (by default the last) holds the default lifter."""
  _, evaluation, _ = benchmark
  out = tmp_path / 'cross_body.json'
  proc = _tool('collect_cross_body.py', f'--evaluation=before:{evaluation}',
               f'--evaluation=after:{evaluation}', f'--out={out}')
  assert proc.returncode == 0, proc.stderr[-3000:]
  recs = json.loads(out.read_text())['records']
  assert [(r['stage'], r['lifter'], r['default']) for r in recs] == [
      ('before', 'pretrained/lifter', False),
      ('before', 'baseline1/lifter', False),
      ('after', 'pretrained/lifter', True),
      ('after', 'baseline1/lifter', False)]
