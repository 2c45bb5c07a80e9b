"""How plausible a lifted 3D pose is where no 3D ground truth exists.

Photos have no 3D labels, so lifters cannot be scored there by MPJPE. What
can be checked is whether a predicted pose is a body: the motion capture the
lifters learn from has one performer's proportions (the bone lengths of the
Bandai-H36M poses vary by less than 1%), so a lifter given 2D it handles
well returns those proportions, and one pushed off its training
distribution (a detector's 2D, an unusual viewpoint) returns stretched,
shrunk or lopsided limbs. Two numbers per pose:

- bone-length error: the mean over the 15 bones of |length - reference| /
  reference, the reference being the mean bone lengths of the training
  poses (`reference_bone_lengths`);
- left/right asymmetry: the mean over the 6 paired limb bones of
  |left - right| / ((left + right) / 2).

Both are 0 for a pose with the reference skeleton, whatever its
articulation; neither says the pose is the right one.
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence

import numpy as np

from geo_rep_tf.errors import DataError
from geo_rep_tf.geometry import joints

# Bone b joins joint b + 1 to its parent, so a joint pair's bones are the
# pair's indices minus one.
LEFT_RIGHT_BONES = tuple((left - 1, right - 1)
                         for left, right in joints.LEFT_RIGHT_PAIRS)


def bone_lengths(poses) -> np.ndarray:
  """[N, 16, 3] poses (any unit) -> [N, 15] bone lengths, `joints.BONES`."""
  poses = np.asarray(poses, np.float64)
  if poses.ndim != 3 or poses.shape[1:] != (joints.NUM_JOINTS, 3):
    raise ValueError(f'poses must be [N, {joints.NUM_JOINTS}, 3], got '
                     f'{poses.shape}')
  parents = [p for p, _ in joints.BONES]
  children = [c for _, c in joints.BONES]
  return np.linalg.norm(poses[:, children] - poses[:, parents], axis=-1)


def bone_length_error(poses, reference: Sequence[float]) -> np.ndarray:
  """[N] mean relative deviation of each pose's bones from `reference`."""
  reference = np.asarray(reference, np.float64)
  if reference.shape != (joints.NUM_BONES,) or np.any(reference <= 0):
    raise ValueError(f'reference must be {joints.NUM_BONES} positive '
                     f'lengths, got shape {reference.shape}')
  return np.mean(np.abs(bone_lengths(poses) - reference) / reference, axis=1)


def left_right_asymmetry(poses) -> np.ndarray:
  """[N] mean relative difference of the paired left/right limb bones."""
  lengths = bone_lengths(poses)
  left = lengths[:, [l for l, _ in LEFT_RIGHT_BONES]]
  right = lengths[:, [r for _, r in LEFT_RIGHT_BONES]]
  mean = np.maximum((left + right) / 2, 1e-9)
  return np.mean(np.abs(left - right) / mean, axis=1)


def summarize(poses, reference: Sequence[float]) -> Dict:
  """Per-pose and mean plausibility numbers of [N, 16, 3] poses."""
  error = bone_length_error(poses, reference)
  asym = left_right_asymmetry(poses)
  return dict(count=int(len(error)),
              bone_length_error=float(error.mean()) if len(error) else None,
              left_right_asymmetry=float(asym.mean()) if len(asym) else None,
              per_pose=dict(bone_length_error=[round(float(e), 4)
                                               for e in error],
                            left_right_asymmetry=[round(float(a), 4)
                                                  for a in asym]))


def reference_bone_lengths(protocol_dir: str, split: str = 'train',
                           count: int = 20_000,
                           cameras: Optional[Sequence[int]] = None
                           ) -> np.ndarray:
  """[15] mean bone lengths (mm) of the first `count` poses of a split."""
  from geo_rep_tf.data import pipeline  # TF only when a protocol is read
  ds = pipeline.sample_dataset(protocol_dir, split,
                               tuple(cameras or (0, 1, 2, 3)), False)
  ds = ds.map(lambda s: s['pose_3d_mm']).take(count).batch(4096)
  batches = [b for b in ds.as_numpy_iterator()]
  if not batches:
    raise DataError(f'split {split!r} has no sample for reference bone '
                    'lengths', protocol_dir)
  return bone_lengths(np.concatenate(batches)).mean(axis=0)
