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
