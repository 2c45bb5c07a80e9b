"""Virtual camera pairs: geometry, determinism, graph safety."""

import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import cameras, rotations, virtual_cameras as vc


def _pose(n=8):
  rng = np.random.default_rng(0)
  pose = rng.normal(0, 300, (n, 16, 3)).astype(np.float32)
  pose[..., 2] += 900.0
  return pose


def test_pair_projections_agree_with_reported_rotation():
  pose = _pose()
  out = vc.sample_camera_pairs([1, 2], pose[:, 0])
  R, t = out['R_w2c'].numpy(), out['t_mm'].numpy()
  assert rotations.is_rotation(R, 1e-5).all()
  Xi = cameras.world_to_camera(pose, R[:, 0], t[:, 0]).numpy()
  Xj = cameras.world_to_camera(pose, R[:, 1], t[:, 1]).numpy()
  # Root-centred, camera j sees R_rel applied to what camera i sees.
  ci, cj = Xi - Xi[:, :1], Xj - Xj[:, :1]
  np.testing.assert_allclose(
      np.einsum('bij,bnj->bni', out['R_rel'].numpy(), ci), cj, atol=1e-2)
  # And the projection into j of the rotated i-frame points is j's projection.
  t_rel = Xj[:, :1] - np.einsum('bij,bnj->bni', out['R_rel'].numpy(), Xi[:, :1])
  moved = np.einsum('bij,bnj->bni', out['R_rel'].numpy(), Xi) + t_rel
  uv_moved = cameras.project(moved, out['f'][:, 1], out['c'][:, 1])
  uv_j = cameras.project(Xj, out['f'][:, 1], out['c'][:, 1])
  np.testing.assert_allclose(uv_moved, uv_j, atol=1e-2)


def test_cameras_look_at_the_pelvis_within_ranges():
  pose = _pose(256)
  cfg = vc.VirtualCameraConfig()
  out = vc.sample_camera_pairs([3, 4], pose[:, 0], cfg)
  Xi = cameras.world_to_camera(pose[:, :1], out['R_w2c'][:, 0],
                               out['t_mm'][:, 0]).numpy()[:, 0]
  # The pelvis is on the optical axis, at the sampled distance.
  np.testing.assert_allclose(Xi[:, :2], 0.0, atol=1e-2)
  assert (Xi[:, 2] >= cfg.distance_mm[0] - 1).all()
  assert (Xi[:, 2] <= cfg.distance_mm[1] + 1).all()
  rel = out['center_mm'].numpy() - pose[:, None, 0]
  elev = np.degrees(np.arcsin(rel[..., 2] / np.linalg.norm(rel, axis=-1)))
  assert elev.min() >= cfg.elevation_deg[0] - 1e-3
  assert elev.max() <= cfg.elevation_deg[1] + 1e-3
  azim = np.degrees(np.arctan2(rel[..., 1], rel[..., 0]))
  # Full circle: every 45-degree sector is hit.
  assert len(np.unique(np.floor((azim + 180) / 45))) == 8


def test_deterministic_for_a_seed_and_graph_safe():
  pose = _pose()
  a = vc.sample_camera_pairs([5, 6], pose[:, 0])
  b = tf.function(vc.sample_camera_pairs)(tf.constant([5, 6]), pose[:, 0])
  ds = tf.data.Dataset.from_tensors(pose[:, 0]).map(
      lambda x: vc.sample_camera_pairs([5, 6], x))
  c = next(iter(ds))
  for key in ('R_w2c', 'R_rel', 't_mm'):
    np.testing.assert_allclose(a[key], b[key], atol=1e-4)
    np.testing.assert_allclose(a[key], c[key], atol=1e-4)
  d = vc.sample_camera_pairs([5, 7], pose[:, 0])
  assert not np.allclose(a['R_rel'], d['R_rel'])


def test_config_validation():
  with pytest.raises(ArgumentError, match='distance_mm'):
    vc.VirtualCameraConfig(distance_mm=(0.0, 10.0))
  with pytest.raises(ArgumentError, match='elevation_deg'):
    vc.VirtualCameraConfig(elevation_deg=(30.0, 10.0))
