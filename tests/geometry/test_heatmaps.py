"""Tests of geo_rep_tf.geometry.heatmaps."""

import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import heatmaps as hm


def _random_keypoints(shape, size=64, seed=0):
  """Sub-pixel keypoints away from the border: [*shape, 2]."""
  rng = np.random.RandomState(seed)
  return rng.uniform(2.0, size - 3.0, shape + (2,)).astype(np.float32)


def test_render_is_the_gaussian_formula():
  kp = np.array([[10.0, 20.0], [3.25, 40.5]], np.float32)
  out = hm.render_heatmaps(kp, [True, True], size=64, sigma=2.0).numpy()
  assert out.shape == (64, 64, 2)
  assert out[20, 10, 0] == pytest.approx(1.0)
  # Pixel (x=5, y=41): dx = 1.75, dy = 0.5.
  expected = np.exp(-(1.75**2 + 0.5**2) / (2 * 2.0**2))
  assert out[41, 5, 1] == pytest.approx(expected, rel=1e-5)
  assert out.min() >= 0.0 and out.max() <= 1.0


def test_render_invisible_joints_are_zero_even_when_nan():
  kp = _random_keypoints((16,))
  kp[3] = np.nan
  vis = np.ones(16, np.float32)
  vis[3] = 0.0
  out = hm.render_heatmaps(kp, vis).numpy()
  assert np.all(np.isfinite(out))
  assert np.all(out[..., 3] == 0.0)
  assert np.all(out[..., np.arange(16) != 3].max(axis=(0, 1)) > 0.5)


def test_render_batch_shapes():
  kp = _random_keypoints((2, 3, 16), size=32)
  out = hm.render_heatmaps(kp, np.ones((2, 3, 16), bool), size=32)
  assert out.shape == (2, 3, 32, 32, 16)
  one = hm.render_heatmaps(kp[1, 2], np.ones(16, bool), size=32)
  np.testing.assert_allclose(out[1, 2], one, atol=1e-6)


# Per-axis error: the quarter rule is off by at most 0.25 px per axis.
@pytest.mark.parametrize('refine, tolerance', [('taylor', 1e-3),
                                               ('quarter', 0.26),
                                               ('none', 0.51)])
def test_decode_recovers_rendered_subpixel_keypoints(refine, tolerance):
  kp = _random_keypoints((4, 16), seed=1)
  heatmaps = hm.render_heatmaps(kp, np.ones((4, 16), bool), sigma=1.0)
  decoded, confidences = hm.decode_heatmaps(heatmaps, refine=refine)
  assert decoded.shape == (4, 16, 2) and confidences.shape == (4, 16)
  assert np.abs(decoded.numpy() - kp).max() < tolerance


def test_decode_taylor_is_exact_for_other_sigmas():
  kp = np.array([[20.3, 31.7], [40.9, 5.1]], np.float32)
  for sigma in (0.7, 2.0, 3.0):
    heatmaps = hm.render_heatmaps(kp, [1, 1], sigma=sigma)
    decoded, _ = hm.decode_heatmaps(heatmaps)
    np.testing.assert_allclose(decoded, kp, atol=1e-3)


def test_decode_quarter_offset_by_hand():
  heatmaps = np.zeros((5, 5, 1), np.float32)
  heatmaps[2, 2, 0] = 1.0
  heatmaps[2, 3, 0] = 0.5  # Right neighbour higher: x + 0.25.
  heatmaps[1, 2, 0] = 0.4  # Upper neighbour higher: y - 0.25.
  decoded, confidence = hm.decode_heatmaps(heatmaps, refine='quarter')
  np.testing.assert_allclose(decoded, [[2.25, 1.75]])
  np.testing.assert_allclose(confidence, [1.0])


def test_decode_confidence_is_the_peak_value():
  heatmaps = 0.8 * hm.render_heatmaps([[7.0, 9.0]], [1], size=16)
  _, confidence = hm.decode_heatmaps(heatmaps)
  np.testing.assert_allclose(confidence, [0.8], rtol=1e-6)


def test_decode_border_and_noisy_maps_stay_finite():
  rng = np.random.RandomState(0)
  noisy = rng.normal(size=(3, 16, 16, 16)).astype(np.float32)
  noisy[0, 0, 0, :] = 10.0  # Peaks in a corner.
  noisy[1, :, 15, :] = 10.0  # Peaks on the right border.
  decoded, confidences = hm.decode_heatmaps(noisy)
  assert np.all(np.isfinite(decoded)) and np.all(np.isfinite(confidences))
  np.testing.assert_allclose(decoded[0], np.zeros((16, 2)))
  assert np.all(decoded[1, :, 0] == 15.0)
  # Steps never leave the argmax's pixel.
  assert np.all(decoded.numpy() >= -0.5) and np.all(decoded.numpy() <= 15.5)


def test_decode_all_zero_maps():
  decoded, confidences = hm.decode_heatmaps(tf.zeros((8, 8, 16)))
  np.testing.assert_array_equal(decoded, np.zeros((16, 2)))
  np.testing.assert_array_equal(confidences, np.zeros(16))


def test_decode_non_square_maps():
  heatmaps = np.zeros((2, 12, 20, 3), np.float32)
  heatmaps[1, 7, 17, 2] = 1.0
  decoded, _ = hm.decode_heatmaps(heatmaps, refine='none')
  np.testing.assert_array_equal(decoded[1, 2], [17.0, 7.0])


def test_graph_modes_match_eager():
  kp = _random_keypoints((3, 16), seed=2)
  vis = np.ones((3, 16), np.float32)
  eager = hm.decode_heatmaps(hm.render_heatmaps(kp, vis))[0].numpy()

  @tf.function(input_signature=[tf.TensorSpec([None, 16, 2], tf.float32),
                                tf.TensorSpec([None, 16], tf.float32)])
  def traced(k, v):
    return hm.decode_heatmaps(hm.render_heatmaps(k, v))[0]

  @tf.function(jit_compile=True)
  def compiled(k, v):
    return hm.decode_heatmaps(hm.render_heatmaps(k, v))[0]

  np.testing.assert_allclose(traced(kp, vis), eager, atol=1e-4)
  np.testing.assert_allclose(compiled(kp, vis), eager, atol=1e-3)

  ds = tf.data.Dataset.from_tensor_slices((kp, vis)).map(
      lambda k, v: hm.decode_heatmaps(hm.render_heatmaps(k, v))[0])
  np.testing.assert_allclose(np.stack(list(ds.as_numpy_iterator())), eager,
                             atol=1e-4)


def test_render_gradient_is_finite():
  kp = tf.constant(_random_keypoints((16,)))
  with tf.GradientTape() as tape:
    tape.watch(kp)
    loss = tf.reduce_sum(hm.render_heatmaps(kp, tf.ones(16)))
  grad = tape.gradient(loss, kp)
  assert np.all(np.isfinite(grad))


@pytest.mark.parametrize('kwargs', [dict(size=0), dict(size=3.5),
                                    dict(sigma=0.0)])
def test_render_rejects_bad_arguments(kwargs):
  with pytest.raises(ArgumentError):
    hm.render_heatmaps(np.zeros((16, 2)), np.ones(16), **kwargs)


def test_rejected_shapes():
  with pytest.raises(ArgumentError, match='keypoints_hm'):
    hm.render_heatmaps(np.zeros((16, 3)), np.ones(16))
  with pytest.raises(ArgumentError, match='visibility'):
    hm.render_heatmaps(np.zeros((16, 2)), np.ones(15))
  with pytest.raises(ArgumentError, match='heatmaps'):
    hm.decode_heatmaps(np.zeros((8, 16)))
  with pytest.raises(ArgumentError, match='refine'):
    hm.decode_heatmaps(np.zeros((8, 8, 16)), refine='soft')
