"""A real export of a tiny lifter: files, verification, reload, errors.

All slow: one verified export (SavedModel + fp32 TFLite, a fresh process
and saved_model_cli) takes about 40 s of CPU on its own, so the default run
relies on test_serving's in-process SavedModel/TFLite round trip instead.
One export is shared by the first tests; fp16, int8 and the image
signature on disk are in `test_all_precisions_...`.
"""

import json
import os
import stat

import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.export import exporter, load_lifter, verify
from tests.export.conftest import make_hourglass, make_lifter, one_line

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def exported(tmp_path_factory, tiny_lifter):
  out = str(tmp_path_factory.mktemp('export') / 'lifter')
  report = exporter.export_lifter(tiny_lifter, out, precisions=('fp32',),
                                  num_check=16)
  return out, report


def test_layout_and_report(exported):
  out, report = exported
  assert sorted(os.listdir(out)) == ['export.json', 'lifter_fp32.tflite',
                                     'saved_model', 'verification.json']
  assert not [f for f in os.listdir(os.path.dirname(out)) if f.startswith('.')]
  # Not mkdtemp's 0700: others can read a published export.
  assert os.stat(out).st_mode & stat.S_IRGRP
  with open(os.path.join(out, 'verification.json')) as fh:
    on_disk = json.load(fh)
  assert on_disk['ok'] and report['ok']
  assert on_disk['tolerances_mm']['fp32'] == dict(max_abs_mm=0.5,
                                                  mean_abs_mm=0.01)
  fp32 = on_disk['tflite']['fp32']
  assert fp32['builtin_ops_only'] and fp32['ok']
  assert fp32['max_abs_diff_mm'] <= 0.5
  assert fp32['size_bytes'] == os.path.getsize(
      os.path.join(out, 'lifter_fp32.tflite'))
  for sig, outputs in on_disk['savedmodel'].items():
    assert all(o['ok'] for o in outputs.values()), sig
  with open(os.path.join(out, 'export.json')) as fh:
    meta = json.load(fh)
  assert meta['regressor_type'] == 'regression1'
  assert meta['signatures']['keypoints_to_pose3d']['inputs'] == {
      'keypoints_2d_px': dict(shape=[-1, 16, 2], dtype='float32')}
  assert meta['joints'][0] == 'pelvis' and len(meta['joints']) == 16


def test_saved_model_cli_and_fresh_process_list_every_signature(exported):
  _, report = exported
  want = ['keypoints_to_pose3d', 'keypoints_to_pose3d_with_confidence',
          'serving_default', 'skeleton_map_to_latent']
  assert report['saved_model_cli']['returncode'] == 0
  assert set(want) <= set(report['saved_model_cli']['signatures'])
  assert report['fresh_process']['saved_model_signatures'] == want


def test_saved_model_and_tflite_match_keras(exported, tiny_lifter):
  out, _ = exported
  kp = verify.synthetic_keypoints(7, seed=11)
  want = tiny_lifter(kp, training=False)['pose_3d_mm'].numpy()
  want = want - want[:, :1]  # load_lifter's output is root-relative.
  for backend, tol in (('savedmodel', 0.01), ('tflite', 0.5)):
    lifter = load_lifter(out, backend=backend)
    assert lifter.backend == backend
    for n in (1, 7):  # The TFLite runner resizes between batch sizes.
      got = lifter(kp[:n])
      assert got.shape == (n, 16, 3) and got.dtype == np.float32
      assert np.abs(got - want[:n]).max() <= tol, backend
  assert load_lifter(out).backend == 'tflite'
  assert load_lifter(os.path.join(out, 'saved_model')).backend == 'savedmodel'
  single = load_lifter(os.path.join(out, 'lifter_fp32.tflite'))(kp[0])
  np.testing.assert_allclose(single, want[0], atol=0.5)


def test_wrapper_rejects_wrong_input_with_one_line(exported):
  out, _ = exported
  for backend in ('tflite', 'savedmodel'):
    with pytest.raises(ArgumentError) as e:
      load_lifter(out, backend=backend)(np.zeros([2, 17, 2], np.float32))
    assert str(e.value) == ('keypoints_2d_px must have shape [N, 16, 2], got '
                            '[2, 17, 2]')
    assert one_line(e.value)


def test_saved_model_signature_rejects_wrong_shape_and_dtype(exported):
  out, _ = exported
  fn = tf.saved_model.load(os.path.join(out, 'saved_model')).signatures[
      'keypoints_to_pose3d']
  # A numpy array is bound against the signature: TypeError naming it.
  with pytest.raises(TypeError, match='keypoints_2d_px'):
    fn(keypoints_2d_px=np.zeros([2, 17, 2], np.float32))
  # A tensor goes straight to the graph: its EnsureShape names it.
  with pytest.raises(tf.errors.InvalidArgumentError,
                     match='keypoints_2d_px') as e:
    fn(keypoints_2d_px=tf.zeros([2, 17, 2]))
  assert 'not compatible with expected shape [?,16,2]' in str(e.value)
  with pytest.raises(tf.errors.InvalidArgumentError,
                     match='expected to be a float tensor but is a double'):
    fn(keypoints_2d_px=tf.zeros([2, 16, 2], tf.float64))
  with pytest.raises(TypeError, match="missing a required argument: "
                     "'keypoints_2d_px'"):
    fn(keypoints=tf.zeros([2, 16, 2]))


def test_existing_out_dir_is_refused(exported, tiny_lifter):
  out, _ = exported
  with pytest.raises(ArgumentError, match='already exists') as e:
    exporter.export_lifter(tiny_lifter, out)
  assert one_line(e.value)
  with pytest.raises(ArgumentError, match='precision must be in'):
    exporter.export_lifter(tiny_lifter, out + '_2', precisions=('fp8',))


def test_all_precisions_image_signature_and_soft_maps(tmp_path):
  lifter = make_lifter('regression2_g', seed=1, map_sigma=1.0)
  out = str(tmp_path / 'full')
  report = exporter.export_lifter(lifter, out, hourglass=make_hourglass())
  assert report['ok']
  assert sorted(report['tflite']) == ['fp16', 'fp32', 'int8']
  for precision, entry in report['tflite'].items():
    assert entry['builtin_ops_only'], precision
    assert entry['max_abs_diff_mm'] <= verify.TOLERANCES[precision].max_abs_mm
  sizes = {p: e['size_bytes'] for p, e in report['tflite'].items()}
  assert sizes['int8'] < sizes['fp16'] < sizes['fp32']
  assert 'EXP' in report['tflite']['fp32']['ops']  # Soft maps: exp(-d^2).
  image = report['savedmodel']['image_to_pose3d']
  assert all(o['ok'] for o in image.values())


def test_baseline1_g_exports_2d_and_g_in_one_graph(tmp_path):
  report = exporter.export_lifter(make_lifter('baseline1_g', seed=2),
                                  str(tmp_path / 'b1g'), precisions=('fp32',),
                                  num_check=8)
  assert report['ok'] and report['tflite']['fp32']['builtin_ops_only']
  assert report['tflite']['fp32']['max_abs_diff_mm'] <= (
      verify.TOLERANCES['fp32'].max_abs_mm)


def test_coords_lifter_exports_and_tflite_matches_keras(tmp_path):
  lifter = make_lifter('regression1', seed=3, medium='coords')
  # Non-trivial 2D statistics, so the export must carry them.
  lifter.representation.coords_standardizer.set_statistics(
      np.random.default_rng(0).normal(0, 0.2, (50, 16, 2)))
  report = exporter.export_lifter(lifter, str(tmp_path / 'coords'),
                                  num_check=16)
  assert report['ok']
  for precision, entry in report['tflite'].items():
    assert entry['builtin_ops_only'], precision
    assert entry['max_abs_diff_mm'] <= verify.TOLERANCES[precision].max_abs_mm
  assert 'keypoints_to_latent' in report['savedmodel']
  with open(tmp_path / 'coords' / 'export.json') as fh:
    described = json.load(fh)
  assert described['medium'] == 'coords' and described['map_size'] is None
  assert 'skeleton_map_to_latent' not in described['signatures']


def test_lifter_on_both_encoders_exports_their_mean(tmp_path):
  lifter = make_lifter('regression1', seed=4, medium='coords',
                       latent_encoders='phi_mu')
  report = exporter.export_lifter(lifter, str(tmp_path / 'both'),
                                  precisions=('fp32',), num_check=8)
  assert report['ok'], report
  with open(tmp_path / 'both' / 'export.json') as fh:
    assert json.load(fh)['latent_encoders'] == 'phi_mu'
  kp = tf.random.uniform([3, 16, 2], 0, 400, seed=1)
  loaded = tf.saved_model.load(str(tmp_path / 'both' / 'saved_model'))
  rep = lifter.representation
  view = rep._standardize(rep.encoder_input(kp, lifter.map_margin))
  want = 0.5 * (rep.phi(view)['latent'] + rep.mu(view)['latent'])
  got = loaded.signatures['keypoints_to_latent'](keypoints_2d_px=kp)
  np.testing.assert_allclose(got['latent'], want, atol=1e-4)


def test_failed_verification_leaves_rejected_dir_and_raises(tmp_path):
  out = str(tmp_path / 'strict')
  impossible = {'fp32': verify.Tolerance(max_abs_mm=-1.0, mean_abs_mm=-1.0)}
  with pytest.raises(exporter.ExportError, match='did not pass verification'):
    exporter.export_lifter(make_lifter('baseline1'), out,
                           precisions=('fp32',), num_check=4,
                           tolerances=impossible)
  assert not os.path.exists(out)
  with open(out + '.rejected/verification.json') as fh:
    assert json.load(fh)['tflite']['fp32']['ok'] is False
