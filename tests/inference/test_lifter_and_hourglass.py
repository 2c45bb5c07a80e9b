"""Lifter loading (regressor runs) and the hourglass backend, tiny models."""

import numpy as np
import pytest

from geo_rep_tf.errors import DataError, GeoRepError
from geo_rep_tf.inference import defaults, lifter as lifter_lib


def test_regressor_run_lifts_to_root_relative_mm(tiny_lifter_dir):
  lifter = lifter_lib.load_lifter(tiny_lifter_dir)
  kp = np.random.default_rng(0).uniform(100, 400, [3, 16, 2])
  pose = lifter(kp)
  assert pose.shape == (3, 16, 3) and np.all(np.isfinite(pose))
  np.testing.assert_allclose(pose[:, 0], 0.0)
  assert 'baseline1' in lifter.version
  assert lifter(np.zeros([0, 16, 2])).shape == (0, 16, 3)
  with pytest.raises(DataError, match=r'\[N, 16, 2\]'):
    lifter(np.zeros([16, 2]))


def test_missing_lifter_messages(tmp_path, monkeypatch):
  with pytest.raises(DataError, match='lifter directory not found'):
    lifter_lib.load_lifter(str(tmp_path / 'nope'))
  monkeypatch.setattr(defaults, 'DEFAULT_LIFTER_DIR', str(tmp_path / 'pre'))
  with pytest.raises(DataError, match='pretrained lifter is not in this '
                     'checkout'):
    lifter_lib.load_lifter(None)
  (tmp_path / 'empty').mkdir()
  # Without config.json the export loader (if installed) has its say.
  with pytest.raises(GeoRepError, match='regressor run'):
    lifter_lib.load_lifter(str(tmp_path / 'empty'))


def test_hourglass_backend_gives_one_person_in_the_image(tiny_hourglass_dir):
  from geo_rep_tf.inference.hourglass_backend import HourglassBackend
  backend = HourglassBackend(tiny_hourglass_dir)
  image = np.random.default_rng(0).integers(0, 255, [90, 160, 3], np.uint8)
  (person,) = backend(image)
  assert person.keypoints_px.shape == (16, 2)
  # Every keypoint lies in the letterboxed square around the image.
  assert np.all(person.keypoints_px[:, 0] >= -1)
  assert np.all(person.keypoints_px[:, 0] <= 160)
  assert np.all(person.keypoints_px[:, 1] >= -36)
  assert np.all(person.keypoints_px[:, 1] <= 126)
  assert np.all((person.confidence >= 0) & (person.confidence <= 1))
  two = backend(image, boxes=[[0, 0, 40, 80], [100, 10, 150, 90]])
  assert len(two) == 2
  assert np.all(two[0].keypoints_px[:, 0] <= 40 + 0.625 * 80)


def test_hourglass_missing_run():
  from geo_rep_tf.inference.hourglass_backend import HourglassBackend
  with pytest.raises(DataError, match='hourglass run directory not found'):
    HourglassBackend('/nonexistent/run')


def test_lift_falls_back_to_the_plain_graph_where_xla_cannot_compile():
  import tensorflow as tf

  def model(inputs, training=False):  # numpy_function: XLA cannot compile.
    kp = inputs['keypoints_2d_px']
    out = tf.numpy_function(lambda x: np.concatenate([x, x[..., :1]], -1),
                            [kp], tf.float32)
    return {'pose_3d_mm': tf.reshape(out, tf.concat(
        [tf.shape(kp)[:1], [16, 3]], 0))}

  call = lifter_lib.compiled_lift(model)
  kp = np.random.default_rng(0).uniform(0, 1, [3, 16, 2]).astype(np.float32)
  for _ in range(2):  # The second call goes straight to the plain graph.
    out = call(kp)
    assert out.shape == (3, 16, 3)
    np.testing.assert_allclose(out[..., :2], kp)
