"""Camera model, rotations and the Human3.6M rig."""

import json

import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.geometry import cameras, rotations


def test_rig_loads_and_is_orthonormal():
  rig = cameras.load_rig()
  assert rig.camera_ids == ('54138969', '55011271', '58860488', '60457274')
  assert set(cameras.TRAIN_SUBJECTS + cameras.TEST_SUBJECTS) <= set(rig.subjects)
  assert rotations.is_rotation(rig.R_w2c).all()
  # t = -R C, as the file's conventions say.
  np.testing.assert_allclose(
      rig.t_mm, -np.einsum('scij,scj->sci', rig.R_w2c, rig.C_mm), atol=0.5)


def test_shipped_rig_matches_shared_file(shared_data):
  shared = cameras.load_rig(str(shared_data / 'cameras' / 'h36m_cameras.json'))
  ours = cameras.load_rig()
  np.testing.assert_array_equal(shared.R_w2c, ours.R_w2c)
  np.testing.assert_array_equal(shared.f, ours.f)


def test_projection_matches_hand_formula():
  rig = cameras.load_rig()
  cam = rig.cameras('S1')
  X = np.array([[[120.0, -80.0, 4000.0], [-300.0, 250.0, 5200.0]]])
  uv = cameras.project(X, cam['f'][0], cam['c'][0], cam['k'][0], cam['p'][0])
  k, p, f, c = cam['k'][0], cam['p'][0], cam['f'][0], cam['c'][0]
  for n in range(2):
    x = X[0, n, :2] / X[0, n, 2]
    r2 = x @ x
    radial = 1 + k[0] * r2 + k[1] * r2**2 + k[2] * r2**3
    tan = p @ x
    xd = x * (radial + tan) + p * r2
    np.testing.assert_allclose(uv[0, n], f * xd + c, rtol=1e-9)


@pytest.mark.parametrize('dtype', [tf.float32, tf.float64])
def test_project_backproject_round_trip(dtype):
  rig = cameras.load_rig()
  rng = np.random.default_rng(0)
  X = np.stack([rng.uniform(-1500, 1500, 50), rng.uniform(-1500, 1500, 50),
                rng.uniform(2500, 7000, 50)], -1)
  for ci in range(4):
    args = (rig.f[ci], rig.c[ci], rig.k[ci], rig.p[ci])
    uv = cameras.project(tf.constant(X, dtype), *args)
    back = cameras.backproject(uv, X[:, 2], *args)
    tol = 1e-2 if dtype == tf.float32 else 1e-6
    np.testing.assert_allclose(back.numpy(), X, atol=tol * 10, rtol=tol / 10)


def test_world_camera_round_trip_and_graph_mode():
  rig = cameras.load_rig()
  cam = rig.cameras('S9')
  X = np.random.default_rng(1).normal(0, 800, (3, 16, 3)).astype(np.float32)
  R = cam['R_w2c'][2].astype(np.float32)
  t = cam['t_mm'][2].astype(np.float32)
  eager = cameras.world_to_camera(X, R, t)
  graph = tf.function(cameras.world_to_camera)(X, R, t)
  ds = tf.data.Dataset.from_tensors(X).map(
      lambda x: cameras.world_to_camera(x, R, t))
  np.testing.assert_allclose(eager, graph, atol=1e-3)
  np.testing.assert_allclose(eager, next(iter(ds)), atol=1e-3)
  np.testing.assert_allclose(cameras.camera_to_world(eager, R, t), X, atol=1e-2)


def test_cameras_look_at_the_capture_area():
  rig = cameras.load_rig()
  for s in range(len(rig.subjects)):
    for c in range(4):
      axis = rig.R_w2c[s, c, 2]  # optical axis in world coordinates
      to_origin = -rig.C_mm[s, c] / np.linalg.norm(rig.C_mm[s, c])
      assert axis @ to_origin > 0.95


def test_relative_rotation_maps_camera_frames():
  rig = cameras.load_rig()
  cam = rig.cameras('S1')
  X = np.random.default_rng(2).normal(0, 500, (16, 3))
  Xi = X @ cam['R_w2c'][0].T
  Xj = X @ cam['R_w2c'][1].T
  R_ij = rotations.relative_rotation(cam['R_w2c'][0], cam['R_w2c'][1]).numpy()
  np.testing.assert_allclose(Xi @ R_ij.T, Xj, atol=1e-6)


def test_check_rotation_rejects_non_rotations():
  with pytest.raises(ArgumentError, match='R_bad'):
    rotations.check_rotation(np.diag([1.0, 1.0, -1.0]), 'R_bad')
  with pytest.raises(ArgumentError, match='shape'):
    rotations.check_rotation(np.eye(2), 'R')
  rotations.check_rotation(rotations.rotation_z(0.3).numpy())


def test_rig_file_errors_name_the_field(tmp_path):
  with pytest.raises(DataError, match='nope.json'):
    cameras.load_rig(str(tmp_path / 'nope.json'))
  data = json.load(open(cameras.DEFAULT_RIG_PATH))
  data['extrinsics']['S1']['54138969']['R_w2c'][0][0] = 2.0
  bad = tmp_path / 'bad.json'
  bad.write_text(json.dumps(data))
  with pytest.raises(DataError, match=r'extrinsics\.S1\.54138969\.R_w2c'):
    cameras.load_rig(str(bad))
  del data['intrinsics']['55011271']['f']
  bad.write_text(json.dumps(data))
  with pytest.raises(DataError, match=r'intrinsics\.55011271\.f'):
    cameras.load_rig(str(bad))
