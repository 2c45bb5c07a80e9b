"""Forward kinematics of a parsed BVH clip, vectorised over frames.

Conventions (the channels' are `bvh.py`'s; a joint without rotation channels
does not rotate):
- Local transform: translation t (the OFFSET, with the components that
  position channels replace), then rotation R; world = parent_world o local,
  i.e. p_j = R_parent_world @ t_j + p_parent and
  R_j_world = R_parent_world @ R_j.
  Positions come out in the file's units and axes.
"""

from __future__ import annotations

import numpy as np

from geo_rep_tf.data import bvh


def axis_rotation(angle_deg: np.ndarray, axis: int) -> np.ndarray:
  """Rotation matrices about one coordinate axis.

  Args:
    angle_deg: [F] angles in degrees (right-handed, counter-clockwise when the
      axis points at the viewer).
    axis: 0, 1 or 2 for x, y, z.

  Returns:
    [F, 3, 3] float64 matrices acting on column vectors.
  """
  a = np.deg2rad(np.asarray(angle_deg, np.float64))
  c, s = np.cos(a), np.sin(a)
  r = np.zeros(a.shape + (3, 3), np.float64)
  i, j = [(1, 2), (2, 0), (0, 1)][axis]
  r[..., axis, axis] = 1.0
  r[..., i, i] = c
  r[..., j, j] = c
  r[..., i, j] = -s
  r[..., j, i] = s
  return r


def forward_kinematics(clip: bvh.BvhClip) -> np.ndarray:
  """World positions of every joint of every kept frame.

  See the module docstring for the conventions. Vectorised over frames and
  over the joints of one tree depth.

  Args:
    clip: a parsed clip with motion [F, C].

  Returns:
    [F, J, 3] float64 positions in the file's units and axes, J =
    clip.num_joints (end sites included).
  """
  f, num_joints = clip.num_frames, clip.num_joints
  # Shape = [F, J, 3]: local translations, OFFSETs with channel overrides.
  local_t = np.repeat(clip.offsets[None], f, axis=0)
  # Shape = [F, J, 3, 3]: local rotations (identity without channels).
  local_r = np.zeros((f, num_joints, 3, 3), np.float64)
  local_r[..., [0, 1, 2], [0, 1, 2]] = 1.0
  by_order = {}  # rotation axis order -> [(joint, [motion column])]
  for j, (channels, start) in enumerate(zip(clip.channels,
                                            clip.channel_starts)):
    order, columns = [], []
    for k, ch in enumerate(channels):
      if ch in bvh.POSITION_CHANNELS:
        local_t[:, j, bvh.CHANNEL_AXIS[ch]] = clip.motion[:, start + k]
      else:
        order.append(bvh.CHANNEL_AXIS[ch])
        columns.append(start + k)
    if order:
      by_order.setdefault(tuple(order), []).append((j, columns))
  for order, members in by_order.items():
    joints, columns = zip(*members)
    # Shape = [F, Jg, n]: the angles of the joints sharing this order.
    angles = clip.motion[:, np.array(columns)]
    rot = axis_rotation(angles[..., 0], order[0])
    for k in range(1, len(order)):
      rot = np.matmul(rot, axis_rotation(angles[..., k], order[k]))
    local_r[:, list(joints)] = rot

  depth = []
  for p in clip.parents:
    depth.append(0 if p < 0 else depth[p] + 1)
  depth = np.array(depth)
  parents = np.array(clip.parents)
  positions = np.zeros((f, num_joints, 3), np.float64)
  world_r = np.zeros_like(local_r)
  for d in range(int(depth.max(initial=-1)) + 1):
    idx = np.flatnonzero(depth == d)
    if d == 0:
      positions[:, idx], world_r[:, idx] = local_t[:, idx], local_r[:, idx]
      continue
    parent_r = world_r[:, parents[idx]]
    positions[:, idx] = positions[:, parents[idx]] + np.einsum(
        'fjab,fjb->fja', parent_r, local_t[:, idx])
    world_r[:, idx] = np.matmul(parent_r, local_r[:, idx])
  return positions
