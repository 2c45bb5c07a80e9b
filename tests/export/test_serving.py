"""The serving signatures, traced in memory (no files): shapes, dtypes, checks."""

import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.export import exporter, serving, verify
from tests.export.conftest import TINY_HOURGLASS, make_lifter


@pytest.fixture(scope='module')
def module(tiny_lifter, tiny_hourglass):
  return serving.ServingModule(tiny_lifter, tiny_hourglass)


@pytest.fixture(scope='module')
def functions(module):
  return module.signatures()


def test_signature_names(module):
  assert module.signature_names() == sorted([
      'serving_default', 'keypoints_to_pose3d',
      'keypoints_to_pose3d_with_confidence', 'skeleton_map_to_latent',
      'image_to_pose3d'])


def test_baseline_has_no_latent_and_no_image_signature():
  module = serving.ServingModule(make_lifter('baseline1'))
  assert module.signature_names() == sorted([
      'serving_default', 'keypoints_to_pose3d',
      'keypoints_to_pose3d_with_confidence'])


def _specs(fn):
  args, kwargs = fn.structured_input_signature
  inputs = {s.name: (s.shape.as_list(), s.dtype)
            for s in list(args) + list(kwargs.values())}
  outputs = {k: (v.shape.as_list(), v.dtype)
             for k, v in fn.structured_outputs.items()}
  return inputs, outputs


def test_every_signature_shapes_and_dtypes(functions):
  f32, b = tf.float32, tf.bool
  size = TINY_HOURGLASS['input_size']
  want = {
      'keypoints_to_pose3d': (
          {'keypoints_2d_px': ([None, 16, 2], f32)},
          {'pose_3d_mm': ([None, 16, 3], f32)}),
      'keypoints_to_pose3d_with_confidence': (
          {'keypoints_2d_px': ([None, 16, 2], f32),
           'confidence': ([None, 16], f32)},
          {'pose_3d_mm': ([None, 16, 3], f32),
           'joint_confident': ([None, 16], b), 'pose_confident': ([None], b)}),
      'skeleton_map_to_latent': (
          {'skeleton_maps': ([None, 64, 64, 15], f32)},
          {'latent': ([None, 32, 3], f32)}),
      'image_to_pose3d': (
          {'image': ([None, size, size, 3], f32)},
          {'heatmaps': ([None, size // 4, size // 4, 16], f32),
           'keypoints_2d_px': ([None, 16, 2], f32),
           'confidence': ([None, 16], f32),
           'pose_3d_mm': ([None, 16, 3], f32),
           'joint_confident': ([None, 16], b), 'pose_confident': ([None], b)}),
  }
  want['serving_default'] = want['keypoints_to_pose3d']
  assert set(functions) == set(want)
  for name, (inputs, outputs) in want.items():
    assert _specs(functions[name]) == (inputs, outputs), name


def test_graph_equals_keras_and_runs_any_batch(module, functions, keypoints):
  fn = functions['keypoints_to_pose3d']
  for n in (1, 5):
    got = fn(keypoints_2d_px=tf.constant(keypoints[:n]))['pose_3d_mm']
    want = module.lifter(keypoints[:n], training=False)['pose_3d_mm']
    assert got.shape == (n, 16, 3)
    assert np.all(got.numpy()[:, 0] == 0)  # root-relative in the graph
    np.testing.assert_allclose(got, want - want[:, :1], atol=1e-3)
  empty = fn(keypoints_2d_px=tf.zeros([0, 16, 2]))['pose_3d_mm']
  assert empty.shape == (0, 16, 3)


def test_confidence_flags_and_never_changes_the_pose(functions, keypoints):
  conf = np.full([5, 16], 0.9, np.float32)
  conf[1, 3] = 0.1
  conf[2, 0] = 0.5  # At the threshold: confident.
  out = functions['keypoints_to_pose3d_with_confidence'](
      keypoints_2d_px=tf.constant(keypoints), confidence=tf.constant(conf))
  plain = functions['keypoints_to_pose3d'](
      keypoints_2d_px=tf.constant(keypoints))
  np.testing.assert_array_equal(out['pose_3d_mm'], plain['pose_3d_mm'])
  np.testing.assert_array_equal(out['joint_confident'], conf >= 0.5)
  np.testing.assert_array_equal(out['pose_confident'],
                                [True, False, True, True, True])


def test_confidence_of_another_batch_is_rejected(functions, keypoints):
  with pytest.raises(tf.errors.InvalidArgumentError,
                     match='confidence must have the N of keypoints_2d_px'):
    functions['keypoints_to_pose3d_with_confidence'](
        keypoints_2d_px=tf.constant(keypoints),
        confidence=tf.ones([2, 16]))


def test_image_signature_gives_crop_pixels(functions):
  size = TINY_HOURGLASS['input_size']
  image = np.random.RandomState(0).rand(2, size, size, 3).astype(np.float32)
  out = functions['image_to_pose3d'](image=tf.constant(image))
  kp = out['keypoints_2d_px'].numpy()
  # Heatmap px h -> crop px 4 h + 1.5: inside [-0.5, size - 0.5].
  assert np.all(kp >= -0.5) and np.all(kp <= size - 0.5)
  assert out['pose_3d_mm'].shape == (2, 16, 3)


@pytest.mark.parametrize('shape', [[2, 17, 2], [2, 16, 3]])
def test_graph_rejects_a_wrong_shape_naming_the_input(functions, shape):
  fn = functions['keypoints_to_pose3d']
  with pytest.raises(tf.errors.InvalidArgumentError,
                     match='keypoints_2d_px') as e:
    fn(keypoints_2d_px=tf.zeros(shape))
  assert 'not compatible with expected shape' in str(e.value)


def test_graph_rejects_a_wrong_dtype(functions):
  with pytest.raises(tf.errors.InvalidArgumentError, match='float tensor'):
    functions['keypoints_to_pose3d'](
        keypoints_2d_px=tf.zeros([2, 16, 2], tf.float64))


def test_saved_model_and_tflite_round_trip_match_keras(module, functions,
                                                     keypoints, tmp_path):
  from ai_edge_litert.interpreter import Interpreter
  want = module.lifter(keypoints, training=False)['pose_3d_mm'].numpy()
  want = want - want[:, :1]
  path = str(tmp_path / 'saved_model')
  exporter.save_saved_model(module, path)
  loaded = tf.saved_model.load(path)
  assert set(loaded.signatures) == set(functions)
  got = loaded.signatures['keypoints_to_pose3d'](
      keypoints_2d_px=tf.constant(keypoints))['pose_3d_mm'].numpy()
  assert np.abs(got - want).max() <= verify.TOLERANCES['savedmodel'].max_abs_mm
  assert np.all(got[:, 0] == 0)
  assert loaded.signatures['keypoints_to_pose3d'](keypoints_2d_px=tf.zeros(
      [0, 16, 2]))['pose_3d_mm'].shape == (0, 16, 3)
  interpreter = Interpreter(model_content=exporter.convert_tflite(path))
  ops = {op['op_name'] for op in interpreter._get_ops_details()}
  assert 'CONV_2D' in ops and not any(op.startswith('Flex') for op in ops)
  runner = interpreter.get_signature_runner('keypoints_to_pose3d')
  got = runner(keypoints_2d_px=keypoints)['pose_3d_mm']
  tol = verify.TOLERANCES['fp32']
  assert np.all(got[:, 0] == 0)
  assert np.abs(got - want).max() <= tol.max_abs_mm
  assert np.abs(got - want).mean() <= tol.mean_abs_mm


def test_coords_lifter_round_trips_through_tflite_with_its_statistics(
    keypoints, tmp_path):
  from ai_edge_litert.interpreter import Interpreter
  lifter = make_lifter('regression1', seed=4, medium='coords')
  module = serving.ServingModule(lifter)
  assert 'keypoints_to_latent' in module.signature_names()
  assert 'skeleton_map_to_latent' not in module.signature_names()
  want = lifter(keypoints, training=False)['pose_3d_mm'].numpy()
  # The 2D statistics are weights of the graph: changing them after the
  # reference changes the pose, and the export must carry the new ones.
  lifter.representation.coords_standardizer.set_statistics(
      np.random.default_rng(1).normal(0, 0.2, (40, 16, 2)))
  new = lifter(keypoints, training=False)['pose_3d_mm'].numpy()
  assert np.abs(new - want).max() > 1.0
  new = new - new[:, :1]
  path = str(tmp_path / 'saved_model')
  exporter.save_saved_model(module, path)
  interpreter = Interpreter(model_content=exporter.convert_tflite(path))
  ops = {op['op_name'] for op in interpreter._get_ops_details()}
  assert 'FULLY_CONNECTED' in ops and 'CONV_2D' not in ops
  runner = interpreter.get_signature_runner('keypoints_to_pose3d')
  got = runner(keypoints_2d_px=keypoints)['pose_3d_mm']
  tol = verify.TOLERANCES['fp32']
  assert np.abs(got - new).max() <= tol.max_abs_mm
  assert np.abs(got - new).mean() <= tol.mean_abs_mm
  latent = tf.saved_model.load(path).signatures['keypoints_to_latent'](
      keypoints_2d_px=tf.constant(keypoints))['latent']
  np.testing.assert_allclose(
      latent, lifter(keypoints, training=False)['latent'], atol=1e-4)


def test_synthetic_keypoints_are_seeded_people_in_the_image():
  a = verify.synthetic_keypoints(100, seed=1)
  assert a.shape == (100, 16, 2) and a.dtype == np.float32
  np.testing.assert_array_equal(a, verify.synthetic_keypoints(100, seed=1))
  assert not np.array_equal(a, verify.synthetic_keypoints(100, seed=2))
  assert np.all((a > 0) & (a < 1000))
  height = a[..., 1].max(-1) - a[..., 1].min(-1)
  assert np.all(height > 150) and np.all(height < 700)
