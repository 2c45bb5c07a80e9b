"""Tests of geo_rep_tf.geometry.skeleton_maps."""

import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import skeleton_maps as sm
from geo_rep_tf.geometry.joints import BONES, NUM_BONES

# Pixels whose exact distance to a bone is this close to width / 2 may go
# either way in float32; the reference leaves them out of the comparison.
_BAND = 1e-3


def _distances(keypoints_map, size):
  """Brute-force float64 distance of every pixel centre to every bone.

  Args:
    keypoints_map: [B, 16, 2] map pixels.
    size: map side.

  Returns:
    [B, size(y), size(x), 15] distances.
  """
  kp = np.asarray(keypoints_map, np.float64)
  centers = np.arange(size) + 0.5
  px = np.stack(np.meshgrid(centers, centers, indexing='xy'), -1)  # [y, x, 2]
  out = np.empty(kp.shape[:1] + (size, size, NUM_BONES))
  for b, (parent, child) in enumerate(BONES):
    a = kp[:, parent][:, None, None]
    d = kp[:, child][:, None, None] - a
    length_sq = np.sum(d * d, -1)
    t = np.sum((px - a) * d, -1) / np.where(length_sq > 0, length_sq, 1.0)
    t = np.clip(t, 0.0, 1.0)
    out[..., b] = np.linalg.norm(px - (a + t[..., None] * d), axis=-1)
  return out


def _assert_matches_reference(maps, keypoints_map, size, width):
  maps = np.asarray(maps)
  dist = _distances(keypoints_map, size)
  expected = dist <= width / 2
  certain = np.abs(dist - width / 2) > _BAND
  assert set(np.unique(maps)) <= {0.0, 1.0}
  wrong = (maps.astype(bool) != expected) & certain
  assert not wrong.any(), f'{wrong.sum()} pixels differ from the reference'
  # The band must stay a negligible part of the test.
  assert (~certain).mean() < 1e-3


def _horizontal_skeleton():
  # Joint 1 at (50, 32), every other joint at (10, 32): bones (0, 1) and
  # (1, 2) run from x = 10 to 50 on y = 32, the 13 others have zero length.
  kp = np.tile(np.array([[10.0, 32.0]], np.float32), (16, 1))
  kp[1] = (50.0, 32.0)
  return kp


def test_horizontal_bone_lights_exactly_its_pixels():
  maps = sm.rasterize_skeleton(_horizontal_skeleton(), size=64, width=2.0)
  maps = maps.numpy()
  assert maps.shape == (64, 64, 15) and maps.dtype == np.float32
  # Rows with centre 31.5 and 32.5 are 0.5 away; x from the end disks:
  # |x + 0.5 - 10| <= sqrt(1 - 0.25) gives x >= 9, likewise x <= 50.
  line = np.zeros((64, 64), np.float32)
  line[31:33, 9:51] = 1.0
  dot = np.zeros((64, 64), np.float32)
  dot[31:33, 9:11] = 1.0
  for b, bone in enumerate(BONES):
    expected = line if 1 in bone else dot
    np.testing.assert_array_equal(maps[..., b], expected, err_msg=str(bone))


def test_vertical_and_wide_bone_against_hand_count():
  kp = np.tile(np.array([[20.0, 5.0]], np.float32), (16, 1))
  kp[1] = (20.0, 45.0)
  maps = sm.rasterize_skeleton(kp, size=64, width=4.0).numpy()
  # Columns 18..21 (centres within 1.5 of x = 20) over the segment's rows,
  # plus end caps of radius 2.
  assert maps[10:40, :, 0].sum(axis=1).tolist() == [4.0] * 30
  assert np.nonzero(maps[:, 20, 0])[0].tolist() == list(range(3, 47))
  _assert_matches_reference(maps[None], kp[None], 64, 4.0)


@pytest.mark.parametrize('size,width,low,high', [
    (64, 2.0, 5.0, 59.0),     # The skeleton_maps range.
    (64, 3.3, -10.0, 74.0),   # Bones leaving the map are clipped.
    (32, 1.0, 0.0, 32.0),
])
def test_random_skeletons_match_brute_force(size, width, low, high):
  rng = np.random.default_rng(size + int(10 * width))
  kp = rng.uniform(low, high, (24, 16, 2)).astype(np.float32)
  # Zero-length, horizontal and vertical bones among them.
  kp[0, 1] = kp[0, 0]
  kp[1, 2, 1] = kp[1, 1, 1]
  kp[2, 2, 0] = kp[2, 1, 0]
  maps = sm.rasterize_skeleton(kp, size=size, width=width)
  assert maps.shape == (24, size, size, 15)
  _assert_matches_reference(maps, kp, size, width)


def test_batched_shapes_and_dtypes():
  rng = np.random.default_rng(1)
  kp = rng.uniform(0, 500, (2, 3, 16, 2))
  assert sm.skeleton_maps(kp).shape == (2, 3, 64, 64, 15)
  assert sm.skeleton_maps(kp[0, 0]).shape == (64, 64, 15)
  maps8 = sm.skeleton_maps(kp, size=32, dtype=tf.uint8)
  assert maps8.shape == (2, 3, 32, 32, 15) and maps8.dtype == tf.uint8
  np.testing.assert_array_equal(
      maps8.numpy(), sm.skeleton_maps(kp, size=32).numpy().astype(np.uint8))
  center, side = sm.crop_square(kp)
  assert center.shape == (2, 3, 2) and side.shape == (2, 3)
  fn = tf.function(sm.skeleton_maps, input_signature=[
      tf.TensorSpec([None, 16, 2], tf.float32)])
  out = fn(kp[0].astype(np.float32))
  assert out.shape == (3, 64, 64, 15)
  assert fn.get_concrete_function().structured_outputs.shape.as_list() == [
      None, 64, 64, 15]


def test_eager_function_and_dataset_agree():
  rng = np.random.default_rng(2)
  kp = rng.uniform(0, 1000, (8, 16, 2)).astype(np.float32)
  eager = sm.skeleton_maps(kp).numpy()
  graph = tf.function(sm.skeleton_maps)(tf.constant(kp)).numpy()
  per_example = np.stack(list(
      tf.data.Dataset.from_tensor_slices(kp).map(sm.skeleton_maps)
      .as_numpy_iterator()))
  batched = next(iter(tf.data.Dataset.from_tensor_slices(kp).batch(8).map(
      sm.skeleton_maps, num_parallel_calls=2).as_numpy_iterator()))
  np.testing.assert_array_equal(eager, graph)
  np.testing.assert_array_equal(eager, per_example)
  np.testing.assert_array_equal(eager, batched)
  assert eager.sum() > 0


def test_crop_square_hand_values_and_zero_size():
  kp = np.zeros((16, 2), np.float32)
  kp[:, 0] = np.linspace(100, 200, 16)
  kp[:, 1] = np.linspace(50, 350, 16)
  center, side = sm.crop_square(kp, margin=0.2)
  np.testing.assert_allclose(center, [150.0, 200.0])
  np.testing.assert_allclose(side, 360.0, rtol=1e-6)
  center, side = sm.crop_square(np.full((16, 2), 7.0), margin=0.2)
  np.testing.assert_allclose(center, [7.0, 7.0])
  assert float(side) == sm.MIN_SIDE_PX
  # A collapsed skeleton still draws (15 dots in the centre), no NaN.
  maps = sm.skeleton_maps(np.full((16, 2), 7.0, np.float32)).numpy()
  assert np.isfinite(maps).all() and maps[31:33, 31:33].all()
  assert maps.sum() == 4 * 15


def test_normalize_round_trip_and_map_range():
  rng = np.random.default_rng(3)
  kp = rng.uniform(-300, 1300, (5, 16, 2))
  center, side = sm.crop_square(kp, margin=0.2)
  kp_map = sm.normalize_to_crop(kp, center, side, size=64).numpy()
  longer = np.max(kp.max(-2) - kp.min(-2), -1)
  # The longer side spans [size * 0.1 / 1.2, size * 1.1 / 1.2].
  np.testing.assert_allclose(
      np.max(kp_map.max(-2) - kp_map.min(-2), -1), 64 / 1.2, rtol=1e-9)
  assert kp_map.min() >= 64 * 0.1 / 1.2 - 1e-9
  assert kp_map.max() <= 64 * 1.1 / 1.2 + 1e-9
  back = sm.crop_to_image(kp_map, center, side, size=64)
  np.testing.assert_allclose(back, kp, atol=1e-9 * longer.max())


def test_crop_invariance():
  rng = np.random.default_rng(4)
  kp = rng.uniform(0, 1, (16, 16, 2)).astype(np.float32) * [300, 600] + 50
  moved = kp * 2.7 + np.array([-410.0, 933.0], np.float32)
  maps = sm.skeleton_maps(kp).numpy()
  maps_moved = sm.skeleton_maps(moved).numpy()
  kp_map = sm.normalize_to_crop(kp, *sm.crop_square(kp)).numpy()
  kp_map_moved = sm.normalize_to_crop(moved, *sm.crop_square(moved)).numpy()
  np.testing.assert_allclose(kp_map, kp_map_moved, atol=1e-3)
  # Identical except, at most, pixels right on the line border.
  differ = maps != maps_moved
  near_border = np.abs(_distances(kp_map, 64) - 1.0) < 1e-3
  assert not (differ & ~near_border).any()
  assert differ.sum() <= 2


def test_non_finite_keypoints_are_rejected():
  kp = np.random.default_rng(5).uniform(0, 100, (2, 16, 2)).astype(np.float32)
  kp[1, 3, 0] = np.nan
  with pytest.raises(ArgumentError, match='keypoints_px'):
    sm.skeleton_maps(kp)
  with pytest.raises(ArgumentError, match='keypoints_px'):
    sm.skeleton_maps(np.where(np.isnan(kp), np.inf, kp))
  fn = tf.function(sm.skeleton_maps, input_signature=[
      tf.TensorSpec([None, 16, 2], tf.float32)])
  with pytest.raises(tf.errors.InvalidArgumentError, match='keypoints_px'):
    fn(kp)
  ds = tf.data.Dataset.from_tensor_slices(kp).map(sm.skeleton_maps)
  with pytest.raises(tf.errors.InvalidArgumentError, match='keypoints_px'):
    list(ds)
  # rasterize_skeleton itself draws nothing for a NaN joint's bones.
  maps = sm.rasterize_skeleton(kp).numpy()
  bones_of_3 = [b for b, bone in enumerate(BONES) if 3 in bone]
  assert maps[1][..., bones_of_3].sum() == 0


@pytest.mark.parametrize('call,match', [
    (lambda: sm.skeleton_maps(np.zeros((15, 2))), 'keypoints_px'),
    (lambda: sm.skeleton_maps(np.zeros((16, 3))), 'keypoints_px'),
    (lambda: sm.rasterize_skeleton(np.zeros((16,))), 'keypoints_map'),
    (lambda: sm.skeleton_maps(np.zeros((16, 2)), size=0), 'size'),
    (lambda: sm.skeleton_maps(np.zeros((16, 2)), size=64.0), 'size'),
    (lambda: sm.skeleton_maps(np.zeros((16, 2)), width=0.0), 'width'),
    (lambda: sm.crop_square(np.zeros((16, 2)), margin=-0.1), 'margin'),
])
def test_bad_arguments_name_the_argument(call, match):
  with pytest.raises(ArgumentError, match=match):
    call()


def test_xla_agrees():
  kp = np.random.default_rng(6).uniform(0, 900, (3, 16, 2)).astype(np.float32)
  fn = tf.function(lambda k: sm.skeleton_maps(k, size=16, width=1.0),
                   jit_compile=True)
  np.testing.assert_array_equal(fn(kp), sm.skeleton_maps(kp, 16, 1.0))


@pytest.mark.parametrize('sigma', [0.7, 1.0, 2.5])
def test_soft_maps_are_gaussians_of_the_bone_distance(sigma):
  rng = np.random.RandomState(3)
  kp = rng.uniform(4.0, 60.0, (3, 16, 2)).astype(np.float32)
  soft = sm.rasterize_skeleton_soft(kp, size=64, sigma=sigma).numpy()
  expected = np.exp(-_distances(kp, 64) ** 2 / (2 * sigma**2))
  assert soft.shape == (3, 64, 64, NUM_BONES)
  np.testing.assert_allclose(soft, expected, atol=2e-5)


def test_soft_maps_at_sigma_one_threshold_to_the_binary_lines():
  # exp(-d^2 / 2) >= exp(-1/2) exactly where d <= 1, the 2 px capsule.
  rng = np.random.RandomState(4)
  kp = rng.uniform(100.0, 900.0, (4, 16, 2)).astype(np.float32)
  binary = sm.skeleton_maps(kp).numpy()
  soft = sm.skeleton_maps(kp, sigma=1.0).numpy()
  assert soft.min() >= 0.0 and soft.max() <= 1.0
  agree = (soft >= np.exp(-0.5) - 1e-4) == (binary > 0)
  assert agree.mean() > 0.9995


def test_soft_maps_reject_bad_sigma():
  kp = np.zeros((16, 2), np.float32)
  with pytest.raises(ArgumentError, match='sigma'):
    sm.rasterize_skeleton_soft(kp, sigma=0.0)
  with pytest.raises(ArgumentError, match='sigma'):
    sm.skeleton_maps(kp + np.arange(16)[:, None], sigma=-1.0)
