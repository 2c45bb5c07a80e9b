"""tools/run_experiment.py end to end on the tiny protocol (slow: every run
trains in a fresh interpreter)."""

import json
import os
import subprocess
import sys

import pytest

from tests.eval import tiny_runs

REPO = tiny_runs.REPO
PNG = b'\x89PNG\r\n\x1a\n'
TINY_REGRESSOR = ['--regressor_flag=--train_steps=4',
                  '--regressor_flag=--steps_per_loop=2',
                  '--regressor_flag=--checkpoint_every=2',
                  '--regressor_flag=--hidden=16',
                  '--regressor_flag=--batch_size=16',
                  '--regressor_flag=--image_summaries_every=0',
                  '--regressor_flag=--eval_batches=1', '--eval_limit=100']
TINY_REPRESENTATION = ['--representation_flagfile=',
                       '--representation_flag=--num_points=8',
                       '--representation_flag=--base_filters=4',
                       '--representation_flag=--depth=2',
                       '--representation_flag=--batch_size=8',
                       '--representation_flag=--train_steps=2',
                       '--representation_flag=--steps_per_loop=2',
                       '--representation_flag=--image_summaries_every=0',
                       '--representation_flag=--eval_batches=1']


def _run(args):
  proc = subprocess.run(
      [sys.executable, os.path.join(REPO, 'tools', 'run_experiment.py'),
       *args], capture_output=True, text=True, cwd=REPO, timeout=1200)
  assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
  return proc.stdout


def _checkpoints(out_dir):
  found = {}
  for root, _, files in os.walk(os.path.join(out_dir, 'runs')):
    for f in files:
      if f.startswith('ckpt-') or f == 'checkpoint':
        path = os.path.join(root, f)
        found[path] = os.stat(path).st_mtime_ns
  return found


@pytest.mark.slow
def test_data_efficiency_end_to_end_and_resume(tmp_path_factory, tmp_path):
  protocol_dir = tiny_runs.tiny_protocol(tmp_path_factory)
  rep = tiny_runs.representation(tmp_path_factory)
  out = str(tmp_path / 'exp')
  args = ['--experiment=data_efficiency', f'--protocol_dir={protocol_dir}',
          f'--representation_dir={rep}', f'--out_dir={out}',
          '--num_labels=50,all', *TINY_REGRESSOR]
  stdout = _run(args)
  assert 'trained 4 runs now, 0 were done before' in stdout
  data = json.loads(open(os.path.join(out, 'data_efficiency.json')).read())
  summary = data['summary']
  assert summary['num_labels'] == ['50', 'all']
  assert set(summary['methods']) == {'OursShallow', 'Baseline#1'}
  assert set(summary['relative_gain']['mpjpe']) == {'50', 'all'}
  assert summary['n_all'] > 50
  run = data['runs']['regression1_n50']
  assert run['evaluation']['regressor'] == 'regression1'
  assert run['evaluation']['num_labels'] == 50
  assert run['evaluation']['results']['exact']['count'] == 100
  with open(os.path.join(out, 'data_efficiency.png'), 'rb') as fh:
    assert fh.read(8) == PNG
  for name in ('regression1_n50', 'baseline1_nall'):
    assert os.path.isfile(os.path.join(out, 'results', name + '.json'))
    assert os.path.isfile(os.path.join(out, 'runs', name, 'flags.txt'))
  before = _checkpoints(out)
  assert before
  stdout = _run(args)
  assert 'trained 0 runs now, 4 were done before' in stdout
  assert _checkpoints(out) == before


@pytest.mark.slow
def test_ablation_and_table1_end_to_end(tmp_path_factory, tmp_path):
  protocol_dir = tiny_runs.tiny_protocol(tmp_path_factory)
  rep = tiny_runs.representation(tmp_path_factory)
  out = str(tmp_path / 'ablation')
  stdout = _run(['--experiment=ablation', f'--protocol_dir={protocol_dir}',
                 f'--representation_dirs=BL+DG+AUG={rep}', f'--out_dir={out}',
                 '--num_labels=all', *TINY_REGRESSOR])
  assert 'BL+I_SG' in stdout and 'not run' in stdout
  summary = json.load(open(os.path.join(out, 'ablation.json')))['summary']
  assert summary['variants'] == ['BL', 'BL+DG+AUG']
  with open(os.path.join(out, 'ablation.png'), 'rb') as fh:
    assert fh.read(8) == PNG
  out = str(tmp_path / 'table1')
  stdout = _run(['--experiment=table1', f'--protocol_dir={protocol_dir}',
                 f'--representation_dir={rep}', f'--out_dir={out}',
                 '--num_labels=all', *TINY_REGRESSOR, *TINY_REPRESENTATION,
                 '--regressor_type_flag=regression2_g:--latent_scale=coordinate'])
  assert 'P#3 MPJPE' in stdout
  data = json.load(open(os.path.join(out, 'table1.json')))
  rows = data['summary']['rows']
  assert set(rows) == {'Regression#1', 'Regression#2', 'Regression#2 + G'}
  for row in rows.values():
    assert row['protocol3_test_cameras'] == [3]
    assert {'protocol1_mpjpe', 'protocol2_p_mpjpe',
            'protocol3_mpjpe'} <= set(row)
  rep3 = json.load(open(os.path.join(out, 'runs', 'representation_p3',
                                     'config.json')))
  assert rep3['representation']['camera_indices'] == [0, 1, 2]
  # The type's own flag reached Regression#2 + G only.
  for name, scale in (('regression2_g_p1_nall', 'coordinate'),
                      ('regression1_p1_nall', 'vector')):
    config = json.load(open(os.path.join(out, 'runs', name, 'config.json')))
    assert config['regressor']['latent_scale'] == scale
  reg3 = data['runs']['regression1_p3_nall']['evaluation']
  assert reg3['train_cameras'] == [0, 1, 2] and reg3['protocol'] == '#3'
  assert reg3['representation_cameras'] == [0, 1, 2]


@pytest.mark.parametrize('value,match', [
    ('regression2_g--latent_scale=coordinate', 'is not TYPE:--FLAG=VALUE'),
    ('regression3:--latent_scale=coordinate', "type 'regression3' is not")])
def test_bad_regressor_type_flag_is_a_one_line_error(tmp_path, value, match):
  out = tmp_path / 'exp'
  proc = subprocess.run(
      [sys.executable, os.path.join(REPO, 'tools', 'run_experiment.py'),
       '--experiment=table1', f'--out_dir={out}',
       f'--regressor_type_flag={value}'],
      capture_output=True, text=True, cwd=REPO, timeout=300)
  assert proc.returncode == 2, proc.stderr[-2000:]
  assert match in proc.stderr and 'Traceback' not in proc.stderr
  assert not out.exists()
