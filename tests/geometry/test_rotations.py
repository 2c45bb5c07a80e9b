"""Tests of geo_rep_tf.geometry.rotations on hand-computed cases."""

import numpy as np

from geo_rep_tf.geometry import rotations


def test_rotate_points_acts_on_column_vectors():
  # 90 degrees about z: x -> y, y -> -x, z fixed.
  R = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
               np.float32)
  points = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 2.0],
                     [1.0, 2.0, 3.0]], np.float32)
  out = rotations.rotate_points(R, points).numpy()
  np.testing.assert_allclose(
      out, [[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 2.0],
            [-2.0, 1.0, 3.0]], atol=1e-6)
  np.testing.assert_allclose(out.T, rotations.rotation_z(np.pi / 2).numpy()
                             @ points.T, atol=1e-6)
  # A non-symmetric matrix tells R p from R^T p: e_x picks R's first column.
  M = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]],
               np.float32)
  np.testing.assert_allclose(
      rotations.rotate_points(M, np.array([[1.0, 0.0, 0.0]], np.float32)),
      [[1.0, 4.0, 7.0]])


def test_rotate_points_batches_and_broadcasts():
  rng = np.random.default_rng(0)
  R = rotations.rotation_y(rng.uniform(-3, 3, [2])).numpy()
  points = rng.normal(size=(2, 5, 3)).astype(np.float32)
  out = rotations.rotate_points(R, points).numpy()
  assert out.shape == (2, 5, 3)
  for b in range(2):
    np.testing.assert_allclose(out[b], points[b] @ R[b].T, atol=1e-5)
  # One R for every set of the batch.
  shared = rotations.rotate_points(R[0], points).numpy()
  np.testing.assert_allclose(shared, points @ R[0].T, atol=1e-5)
  # World-to-camera: camera axes are R's rows, so a point on the camera's
  # optical axis (R's third row) lands on +z of the camera frame.
  eye_R = rotations.look_at(np.array([1000.0, 0.0, 0.0], np.float32),
                            np.zeros(3, np.float32)).numpy()
  on_axis = np.array([[-1.0, 0.0, 0.0]], np.float32)  # towards the target
  np.testing.assert_allclose(rotations.rotate_points(eye_R, on_axis),
                             [[0.0, 0.0, 1.0]], atol=1e-6)


def test_rotation_angle_deg():
  assert rotations.rotation_angle_deg(np.eye(3)) == 0.0
  for deg in (30.0, 90.0, 179.0):
    R = rotations.rotation_x(np.deg2rad(deg)).numpy()
    np.testing.assert_allclose(rotations.rotation_angle_deg(R), deg,
                               atol=1e-3)
  # trace = -1 exactly (half turn) and rounding just past it: no NaN.
  assert rotations.rotation_angle_deg(np.diag([1.0, -1.0, -1.0])) == 180.0
  assert rotations.rotation_angle_deg(np.diag([1.0, -1.0, -1.0 - 1e-9])) == (
      180.0)
