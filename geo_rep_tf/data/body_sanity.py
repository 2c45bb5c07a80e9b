"""Is the body a BVH gives, after its rig's unit and up axis, a human one?

A wrong `unit` in a rig (mm for a cm file, inches for CMU's ASF unit) gives
a body of 22 cm or of 4 m, a wrong `up_axis` a body lying down, and a rig
that maps a joint to the wrong BVH joint a limb of the wrong length; each
would otherwise be prepared, trained on and evaluated without a word. The
checks here run wherever a BVH is read (`rigs.load_bvh_poses`) and raise a
one-line `DataError` naming the rig field, what was measured and the
setting that would fix it.

The body's height is estimated from median bone lengths (so it does not
depend on the pose): shin + thigh + pelvis -> spine -> thorax -> head + an
ankle height. It runs from the ankle to the model's head joint, so it is
below stature (1.44 m on the Bandai skeleton). The accepted range is wide on
purpose (children, and rigs that define joints differently): adult stature
spans about 1.45-1.95 m (NCD-RisC, eLife 2016, 5:e13410: country means
1.50-1.83 m, +-2 SD about 0.14 m), and a wrong unit is off by a factor of
2.2 (inch vs CMU unit) to 1000.
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from geo_rep_tf.geometry.joints import MODEL16

STATURE_RANGE_M = (0.8, 2.3)
TYPICAL_STATURE_M = 1.5
ANKLE_HEIGHT_MM = 70.0
# Left/right bone pairs and the largest ratio of their median lengths.
SYMMETRY_RATIO = 1.5
_J = {n: i for i, n in enumerate(MODEL16.names)}
_PAIRS = (('thigh', 'hip', 'knee'), ('shin', 'knee', 'ankle'),
          ('upper arm', 'shoulder', 'elbow'), ('forearm', 'elbow', 'wrist'))
UP_FRACTION = 0.5


def _length(poses: np.ndarray, a: str, b: str) -> float:
  """Median length (mm) of the bone a-b over frames."""
  return float(np.median(np.linalg.norm(poses[:, _J[a]] - poses[:, _J[b]],
                                        axis=-1)))


def stature_mm(poses: np.ndarray) -> float:
  """Ankle-to-head height (mm) from median bone lengths of [F, 16, 3] mm."""
  legs = np.mean([_length(poses, f'{s}_hip', f'{s}_knee') +
                  _length(poses, f'{s}_knee', f'{s}_ankle') for s in 'LR'])
  torso = (_length(poses, 'pelvis', 'spine') +
           _length(poses, 'spine', 'thorax') +
           _length(poses, 'thorax', 'head'))
  return float(legs + torso + ANKLE_HEIGHT_MM)


def head_up_fraction(poses: np.ndarray) -> float:
  """Share of frames with the head above the pelvis along world +z."""
  return float(np.mean(poses[:, _J['head'], 2] > poses[:, _J['pelvis'], 2]))


def check_hierarchy(direct: Dict[str, str], parents: Sequence[int],
                    joint_names: Sequence[str]) -> Optional[str]:
  """Why a rig's direct joint mapping does not follow the BVH hierarchy.

  `direct` maps model joints to the one BVH joint each stands on. A model
  joint mapped to the same BVH joint as another, or to a BVH joint at or
  above the one its model parent stands on, is refused.

  Returns:
    The message (naming the rig field), or None when the mapping is fine.
  """
  seen: Dict[str, str] = {}
  for model, joint in direct.items():
    if joint in seen:
      return (f'joints.{model}: maps to {joint!r} as joints.{seen[joint]} '
              'does; each model joint needs a BVH joint of its own')
    seen[joint] = model
  index = {n: i for i, n in enumerate(joint_names)}

  def ancestors(j):
    out = set()
    while j >= 0:
      out.add(j)
      j = parents[j]
    return out
  for child, parent in ((MODEL16.names[c], MODEL16.names[p])
                        for c, p in enumerate(MODEL16.parents) if p >= 0):
    if child in direct and parent in direct:
      c, p = index.get(direct[child]), index.get(direct[parent])
      if c is not None and p is not None and c in ancestors(p):
        return (f'joints.{child}: {direct[child]!r} is {direct[parent]!r} '
                f'(joints.{parent}) or above it in the BVH hierarchy; a '
                'child joint must map below its parent')
  return None


def check_body(poses: np.ndarray, *, unit_name: str, up_axis: str,
               stature_other_units_m: Dict[str, float],
               up_fraction_other: float) -> Optional[Tuple[str, str]]:
  """(rig field, message) for the first check a body fails, or None.

  Args:
    poses: [F, 16, 3] world mm, Z up, as the rig gives them.
    unit_name: the rig's unit as written (for the message).
    up_axis: the rig's up axis.
    stature_other_units_m: other unit names -> the height (m) the body
      would have in them; the most typical one in range is offered.
    up_fraction_other: head-above-pelvis share with the other up axis.
  """
  poses = np.asarray(poses, np.float64)
  if not len(poses):
    return None
  lo, hi = STATURE_RANGE_M
  height = stature_mm(poses) / 1000.0
  if not lo <= height <= hi:
    offers = sorted((abs(h - TYPICAL_STATURE_M), name, h)
                    for name, h in stature_other_units_m.items()
                    if lo <= h <= hi)
    fix = f'; unit {offers[0][1]!r} gives {offers[0][2]:.2f} m' if offers else ''
    return 'unit', (f'unit {unit_name!r} gives a {height:.2f} m body '
                    f'(ankle to head; expected {lo}-{hi} m){fix}')
  for bone, a, b in _PAIRS:
    left = _length(poses, f'L_{a}', f'L_{b}')
    right = _length(poses, f'R_{a}', f'R_{b}')
    if max(left, right) > SYMMETRY_RATIO * max(min(left, right), 1e-6):
      return f'joints.L_{b}', (
          f'the left {bone} is {left:.0f} mm and the right {right:.0f} mm; '
          f'check joints.L_{a}, L_{b}, R_{a} and R_{b}')
  share = head_up_fraction(poses)
  if share < UP_FRACTION:
    other = 'z' if up_axis == 'y' else 'y'
    return 'up_axis', (f'up_axis {up_axis!r} puts the head above the '
                       f'pelvis in {100 * share:.0f}% of frames; up_axis '
                       f'{other!r} in {100 * up_fraction_other:.0f}%')
  return None
