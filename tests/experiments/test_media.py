"""Collecting data_efficiency experiments of both media into records."""

import json
import os
import subprocess
import sys

import pytest

from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.experiments import media

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def _experiment(tmp_path, name, inputs, ours, base):
  d = tmp_path / name
  d.mkdir()
  m = lambda e: {'mpjpe': e, 'p_mpjpe': e * 0.7, 'count': 10}
  summary = dict(inputs=inputs, n_all=1000, num_labels=['50', 'all'],
                 methods={'OursShallow': {'50': m(ours[0]), 'all': m(ours[1])},
                          'Baseline#1': {'50': m(base[0]), 'all': m(base[1])}},
                 relative_gain={'mpjpe': {'50': (base[0] - ours[0]) / ours[0]}})
  runs = {'regression1_n50': {'evaluation': {'representation_dir': 'rep'}}}
  (d / 'data_efficiency.json').write_text(json.dumps(dict(
      experiment='data_efficiency', summary=summary, runs=runs)))
  return str(d)


def test_collect_records_every_n_model_medium_and_input(tmp_path):
  coords = _experiment(tmp_path, 'c', 'noisy', (60.0, 40.0), (70.0, 41.0))
  maps = _experiment(tmp_path, 'm', 'exact', (90.0, 50.0), (55.0, 30.0))
  out = media.collect([('coords', 'noisy', coords), ('map', 'exact', maps)])
  recs = {(r['medium'], r['input'], r['n'], r['model']): r
          for r in out['records']}
  assert len(recs) == 8
  assert recs['coords', 'noisy', 50, 'ours_shallow']['mpjpe_mm'] == 60.0
  assert recs['map', 'exact', 1000, 'baseline1']['p_mpjpe_mm'] == 21.0
  assert out['experiments'][0]['representation_dir'] == 'rep'
  assert out['paper']['n'][1] == 496
  media.plot(out, str(tmp_path / 'fig.png'))
  assert os.path.getsize(tmp_path / 'fig.png') > 1000


def test_collect_errors(tmp_path):
  with pytest.raises(ArgumentError, match='MEDIUM:INPUT:DIR'):
    media.parse_source('points:noisy:dir')
  with pytest.raises(DataError, match='no data_efficiency.json'):
    media.collect([('map', 'exact', str(tmp_path))])
  exact = _experiment(tmp_path, 'e', 'exact', (1.0, 1.0), (1.0, 1.0))
  with pytest.raises(DataError, match='evaluated on exact 2D, not noisy'):
    media.collect([('map', 'noisy', exact)])


def test_cli_refuses_to_replace_an_existing_file(tmp_path):
  out = tmp_path / 'de.json'
  out.write_text('{"mine": 1}')
  exp = _experiment(tmp_path, 'e', 'exact', (1.0, 1.0), (2.0, 2.0))
  tool = os.path.join(REPO, 'tools', 'collect_data_efficiency.py')
  proc = subprocess.run([sys.executable, tool, f'--source=map:exact:{exp}',
                         f'--out={out}'], capture_output=True, text=True,
                        timeout=300)
  assert proc.returncode == 2 and 'pass --overwrite' in proc.stderr
  assert out.read_text() == '{"mine": 1}'
  proc = subprocess.run([sys.executable, tool, f'--source=map:exact:{exp}',
                         f'--out={out}', '--overwrite'], capture_output=True,
                        text=True, timeout=300)
  assert proc.returncode == 0, proc.stderr
  assert len(json.loads(out.read_text())['records']) == 4


def _settings_experiment(tmp_path, name, encoders='phi', ours=49.0,
                         base=56.0):
  """An N = 500 data_efficiency directory on a representation run."""
  rep = tmp_path / f'rep_{name}'
  rep.mkdir()
  (rep / 'config.json').write_text(json.dumps(dict(
      representation=dict(coords_hidden=512, consistency_weight=1.0),
      trainer=dict(train_steps=12000))))
  d = tmp_path / name
  (d / 'runs' / 'regression1_n500').mkdir(parents=True)
  (d / 'runs' / 'regression1_n500' / 'config.json').write_text(json.dumps(
      dict(regressor=dict(latent_encoders=encoders))))
  m = lambda e: {'mpjpe': e, 'p_mpjpe': e * 0.75, 'count': 89420}
  summary = dict(inputs='noisy', n_all=1000, num_labels=['500'],
                 methods={'OursShallow': {'500': m(ours)},
                          'Baseline#1': {'500': m(base)}},
                 relative_gain={'mpjpe': {'500': (base - ours) / ours}})
  runs = {'regression1_n500': {'evaluation': {'representation_dir':
                                              str(rep)}}}
  (d / 'data_efficiency.json').write_text(json.dumps(dict(
      experiment='data_efficiency', summary=summary, runs=runs)))
  return str(d)


def test_settings_record_reads_results_and_both_runs_settings(tmp_path):
  exp = _settings_experiment(tmp_path, 'x', encoders='phi_mu')
  r = media.settings_record(exp, 'hidden 512', 'tools/train_representation.py')
  assert (r['input'], r['representation_run'], r['latent_encoders']) == (
      'noisy', 'rep_x', 'phi_mu')
  assert (r['coords_hidden'], r['consistency_weight'], r['train_steps']) == (
      512, 1.0, 12000)
  assert r['ours_shallow_n500_mpjpe_mm'] == 49.0
  assert r['baseline1_n500_mpjpe_mm'] == 56.0
  assert abs(r['gain_n500'] - 7 / 49) < 1e-4 and r['test_samples'] == 89420
  assert '--regressor_flag=--latent_encoders=phi_mu' in r['n500_command']
  assert '--noisy_2d' in r['n500_command']
  with pytest.raises(DataError, match='no OursShallow and Baseline#1'):
    media.settings_record(exp, 's', 'c', n=50)


def test_merge_settings_appends_and_replaces_only_when_asked(tmp_path):
  old = {'description': 'd', 'records': [
      {'input': 'noisy', 'setting': 's', 'ours': 1}]}
  phi = media.settings_record(_settings_experiment(tmp_path, 'x'), 's', 'c')
  with pytest.raises(ArgumentError, match='pass --overwrite'):
    media.merge_settings(old, phi)
  assert media.merge_settings(old, phi, replace=True)['records'] == [phi]
  both = dict(phi, setting='s, G from phi and mu', latent_encoders='phi_mu')
  merged = media.merge_settings(old, both)
  assert merged['records'] == old['records'] + [both]
  assert merged['description'] == 'd' and len(old['records']) == 1


def test_collect_settings_cli_updates_and_keeps_other_records(tmp_path):
  out = tmp_path / 'settings.json'
  tool = os.path.join(REPO, 'tools', 'collect_settings.py')
  run = lambda exp, *extra: subprocess.run(
      [sys.executable, tool, f'--experiment_dir={exp}', f'--setting={exp}',
       '--representation_command=c', f'--out={out}', *extra],
      capture_output=True, text=True, timeout=300)
  a = _settings_experiment(tmp_path, 'a')
  assert run(a).returncode == 0
  proc = run(_settings_experiment(tmp_path, 'b', ours=50.0))
  assert proc.returncode == 0 and '+12.0%' in proc.stdout, proc.stderr
  before = out.read_text()
  proc = run(a)
  assert proc.returncode == 2 and 'pass --overwrite' in proc.stderr
  assert out.read_text() == before
  proc = run(str(tmp_path / 'missing'))
  assert proc.returncode == 2 and 'no data_efficiency.json' in proc.stderr
  assert run(a, '--overwrite').returncode == 0
  assert [r['representation_run'] for r in json.loads(
      out.read_text())['records']] == ['rep_a', 'rep_b']
