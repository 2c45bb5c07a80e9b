"""Evaluator library and tools/evaluate.py on tiny trained runs."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.eval import evaluator, tables
from geo_rep_tf.runs.evaluation import evaluate_loaded_lifter, evaluate_run
from geo_rep_tf.runs.lifter import load_lifter
from geo_rep_tf.runs.latent_cache import LatentCache
from geo_rep_tf.runs.loading import load_regressor_run
from tests.cli_errors import assert_one_line_error
from tests.eval import tiny_runs

REPO = tiny_runs.REPO
METRICS = ('mpjpe', 'p_mpjpe', 'n_mpjpe', 'pck3d', 'auc')


def test_protocol_cameras():
  assert evaluator.test_cameras_for((0, 1, 2, 3)) == (0, 1, 2, 3)
  assert evaluator.test_cameras_for((2, 0, 1)) == (3,)
  assert evaluator.protocol_names((0, 1, 2, 3), (0, 1, 2, 3)) == '#1/#2'
  assert evaluator.protocol_names((0, 1, 2), (3,)) == '#3'
  assert evaluator.protocol_names((0, 1), (3,)) == 'custom'
  assert evaluator.protocol_names((0, 1, 2), (2, 3)) == 'custom'
  for bad in ((), (0, 0), (4,)):
    with pytest.raises(ArgumentError, match='cameras'):
      evaluator.check_cameras(bad)


def _check_summary(res):
  assert res['count'] > 0
  for k in METRICS:
    assert np.isfinite(res['mean'][k])
  assert 0 <= res['mean']['pck3d'] <= 1 and 0 <= res['mean']['auc'] <= 1
  assert sum(a['count'] for a in res['per_action'].values()) == res['count']
  assert sum(res['per_camera'].values()) == res['count']


def test_evaluate_run_protocols_1_and_3(tmp_path_factory):
  reg = tiny_runs.regressor(tmp_path_factory, 'baseline1')
  model, cfg = load_regressor_run(reg)
  record = evaluate_run(model, cfg, reg, ('exact', 'noisy'))
  assert record['protocol'] == '#1/#2' and record['test_cameras'] == [
      0, 1, 2, 3]
  assert record['regressor'] == 'baseline1' and record['train_cameras'] == [
      0, 1, 2, 3]
  exact, noisy = record['results']['exact'], record['results']['noisy']
  _check_summary(exact)
  _check_summary(noisy)
  assert exact['count'] == noisy['count']
  assert exact['mean']['mpjpe'] != noisy['mean']['mpjpe']
  assert set(exact['per_action']) == {'walk'}  # the one test clip
  # Protocol #3: a run trained on cameras 0-2 is tested on camera 3 only.
  reg3 = tiny_runs.regressor(tmp_path_factory, 'baseline1', cameras=(0, 1, 2))
  model, cfg = load_regressor_run(reg3)
  record = evaluate_run(model, cfg, reg3)
  assert record['protocol'] == '#3' and record['test_cameras'] == [3]
  assert list(record['results']['exact']['per_camera']) == ['3']
  assert record['results']['exact']['count'] < exact['count']
  text = tables.format_table([record])
  assert '#3' in text and 'MPJPE' in text
  assert 'walk' in tables.format_per_action([record])
  with pytest.raises(ArgumentError, match='inputs'):
    evaluate_run(model, cfg, reg3, ('blurry',))


def test_any_loaded_lifter_scores_as_its_run(tmp_path_factory):
  # The one Lifter (as for exports) gives the run evaluation's numbers.
  reg = tiny_runs.regressor(tmp_path_factory, 'baseline1')
  model, cfg = load_regressor_run(reg)
  want = evaluate_run(model, cfg, reg, ('exact',))['results']['exact']
  record = evaluate_loaded_lifter(load_lifter(reg, backend='keras'),
                                  cfg.protocol_dir, ('exact',))
  got = record['results']['exact']
  assert got['count'] == want['count']
  for k in METRICS:
    np.testing.assert_allclose(got['mean'][k], want['mean'][k], atol=1e-3)
  assert record['regressor'] == 'export:keras' and record['protocol'] == '-'
  assert record['test_cameras'] == [0, 1, 2, 3]
  assert ' - ' in tables.format_table([record])  # N unknown
  with pytest.raises(ArgumentError, match='inputs'):
    evaluate_loaded_lifter(load_lifter(reg, backend='keras'),
                           cfg.protocol_dir, ('blurry',))


def test_evaluate_cli_needs_a_protocol_for_an_export(tmp_path):
  proc = subprocess.run(
      [sys.executable, os.path.join(REPO, 'tools', 'evaluate.py'),
       f'--model_dirs={tmp_path}'], capture_output=True, text=True,
      timeout=300)
  assert_one_line_error(proc, 'needs --protocol_dir')


def test_committed_lifters_on_bvh_clips_need_no_protocol(tmp_path):
  """docs/training.md's command for the packed lifters on BVH clips, without
  --protocol_dir."""
  clip = os.path.join(REPO, 'data', 'samples', 'bandai_namco', 'dataset-1',
                      'dataset-1_walk_normal_001.bvh')
  out = tmp_path / 'eval.json'
  proc = subprocess.run(
      [sys.executable, os.path.join(REPO, 'tools', 'evaluate.py'),
       '--model_dirs=models/pretrained/lifter,models/baseline1/lifter',
       f'--bvh_dir={clip}', '--limit=200', '--inputs=exact',
       f'--out={out}'], capture_output=True, text=True, timeout=600,
      cwd=REPO)
  assert proc.returncode == 0, proc.stderr[-3000:]
  doc = json.loads(out.read_text())
  assert doc['records'] == []
  names = [r['name'] for r in doc['bvh']['records']]
  assert names == ['pretrained/lifter', 'baseline1/lifter']
  for r in doc['bvh']['records']:
    assert 0 < r['results']['exact']['mean']['mpjpe'] < 200


def test_latent_cache_gives_the_inline_results_and_is_shared(
    tmp_path_factory):
  reg1 = tiny_runs.regressor(tmp_path_factory, 'regression1', 'BL+DG+AUG')
  reg2 = tiny_runs.regressor(tmp_path_factory, 'regression2_g', 'BL+DG+AUG')
  reg_sg = tiny_runs.regressor(tmp_path_factory, 'regression1', 'BL+SG')
  cache = LatentCache()
  for run in (reg1, reg2):
    model, cfg = load_regressor_run(run)
    inline = evaluate_run(model, cfg, run, ('exact', 'noisy'))
    cached = evaluate_run(model, cfg, run, ('exact', 'noisy'),
                          latent_cache=cache)
    for name in ('exact', 'noisy'):
      a, b = inline['results'][name], cached['results'][name]
      assert a['count'] == b['count']
      for k in METRICS:
        np.testing.assert_allclose(b['mean'][k], a['mean'][k], rtol=1e-5,
                                   atol=1e-4)
  # Both runs share one representation: exact and noisy encoded once.
  assert (cache.misses, cache.hits) == (2, 2)
  model, cfg = load_regressor_run(reg_sg)
  evaluate_run(model, cfg, reg_sg, latent_cache=cache)
  assert (cache.misses, cache.hits) == (3, 2)  # another representation
  baseline = tiny_runs.regressor(tmp_path_factory, 'baseline1')
  model, cfg = load_regressor_run(baseline)
  assert LatentCache.fingerprint(model) is None
  evaluate_run(model, cfg, baseline, latent_cache=cache)
  assert (cache.misses, cache.hits) == (3, 2)  # no G, nothing cached


def test_latent_cache_on_disk_serves_a_later_process(tmp_path_factory,
                                                     tmp_path):
  run = tiny_runs.regressor(tmp_path_factory, 'regression1', 'BL+DG+AUG')
  model, cfg = load_regressor_run(run)
  disk = str(tmp_path / 'g')
  first = LatentCache()
  a = evaluate_run(model, cfg, run, ('exact', 'noisy'), latent_cache=first,
                   latent_dir=disk)
  files = sorted(os.listdir(disk))
  assert len(files) == 2 and all(f.startswith('eval_g_') for f in files)
  # A fresh cache (a later process) reads G from disk and encodes nothing.
  later = LatentCache()
  b = evaluate_run(model, cfg, run, ('exact', 'noisy'), latent_cache=later,
                   latent_dir=disk)
  assert (later.misses, later.disk_hits) == (0, 2)
  for name in ('exact', 'noisy'):
    for k in METRICS:
      np.testing.assert_allclose(b['results'][name]['mean'][k],
                                 a['results'][name]['mean'][k], rtol=1e-6)
  # Another sample set (limit) is another file.
  evaluate_run(model, cfg, run, ('exact',), limit=7, latent_cache=later,
               latent_dir=disk)
  assert later.misses == 1 and len(os.listdir(disk)) == 3
  # A damaged file is encoded again and rewritten.
  for f in files:
    with open(os.path.join(disk, f), 'wb') as fh:
      fh.write(b'not a numpy file')
  damaged = LatentCache()
  c = evaluate_run(model, cfg, run, ('exact', 'noisy'), latent_cache=damaged,
                   latent_dir=disk)
  assert (damaged.misses, damaged.disk_hits) == (2, 0)
  assert c['results']['exact']['mean'] == a['results']['exact']['mean']
  assert LatentCache().get(
      LatentCache.key(LatentCache.fingerprint(model), cfg.protocol_dir,
                      'test', (0, 1, 2, 3), False, None), disk) is not None


def test_latent_cache_file_follows_the_protocol_files(tmp_path):
  protocol_dir = tmp_path / 'p'
  protocol_dir.mkdir()
  (protocol_dir / 'manifest.json').write_text('{"seed": 1}')
  (protocol_dir / 'test-00000.tfrecord').write_bytes(b'x' * 10)
  (protocol_dir / 'train-00000.tfrecord').write_bytes(b'x' * 10)
  key = LatentCache.key('f', str(protocol_dir), 'test', (0,), False, None)
  before = LatentCache.path('d', key)
  (protocol_dir / 'train-00000.tfrecord').write_bytes(b'x' * 20)
  assert LatentCache.path('d', key) == before  # another split
  (protocol_dir / 'test-00000.tfrecord').write_bytes(b'x' * 20)
  resized = LatentCache.path('d', key)
  assert resized != before
  (protocol_dir / 'manifest.json').write_text('{"seed": 2}')
  assert LatentCache.path('d', key) not in (before, resized)
  noisy = LatentCache.key('f', str(protocol_dir), 'test', (0,), True, None)
  assert LatentCache.path('d', noisy) != LatentCache.path('d', key)


def test_latent_fingerprint_follows_the_encoder_and_the_map_drawing(
    tmp_path_factory):
  run = tiny_runs.regressor(tmp_path_factory, 'regression1', 'BL+DG+AUG')
  model, _ = load_regressor_run(run)
  rep = model.representation
  before = LatentCache.fingerprint(model)
  for w in rep.psi.weights:  # the decoder does not change G
    w.assign(w + 1.0)
  assert LatentCache.fingerprint(model) == before
  rep.map_sigma += 0.5  # the maps phi reads do
  changed_sigma = LatentCache.fingerprint(model)
  assert changed_sigma != before
  w = rep.phi.weights[0]
  w.assign(w + 1.0)
  assert LatentCache.fingerprint(model) not in (before, changed_sigma)


@pytest.mark.slow
def test_evaluate_cli_with_bvh_dir(tmp_path_factory, tmp_path):
  """Two runs (one on G), exact + noisy 2D, plus 2 BVH clips; JSON + table.

  Slow: two fresh interpreters (~20 s of imports each on 2 busy cores).
  """
  reg = tiny_runs.regressor(tmp_path_factory, 'baseline1')
  reg_g = tiny_runs.regressor(tmp_path_factory, 'regression1', 'BL+DG+AUG')
  clips = tiny_runs.copy_clips(tmp_path / 'clips', tiny_runs.CLIPS[:2])
  out = tmp_path / 'eval.json'
  proc = subprocess.run(
      [sys.executable, os.path.join(REPO, 'tools', 'evaluate.py'),
       f'--model_dirs={reg},{reg_g}', f'--bvh_dir={clips}', '--rig=bandai',
       f'--out={out}'], capture_output=True, text=True, cwd=REPO,
      timeout=600)
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert 'P-MPJPE' in proc.stdout and 'BVH clips' in proc.stdout
  assert 'mpjpe by action' in proc.stdout
  data = json.loads(out.read_text())
  assert [r['regressor'] for r in data['records']] == ['baseline1',
                                                       'regression1']
  assert data['records'][1]['representation_variant'] == 'BL+DG+AUG'
  assert data['records'][1]['representation_cameras'] == [0, 1, 2, 3]
  for r in data['records'] + data['bvh']['records']:
    assert set(r['results']) == {'exact', 'noisy'}
    _check_summary(r['results']['exact'])
  assert data['bvh']['counts']['clips'] == 2
  bvh = data['bvh']['records'][0]['results']['exact']
  assert bvh['count'] == data['bvh']['counts']['samples_visible']
  assert set(bvh['per_action']) == {'walk', 'run'}
  proc = subprocess.run(
      [sys.executable, os.path.join(REPO, 'tools', 'evaluate.py'),
       f'--model_dirs={reg}', '--inputs=blurry'], capture_output=True,
      text=True, cwd=REPO, timeout=300)
  assert proc.returncode == 2 and 'error: --inputs' in proc.stderr
