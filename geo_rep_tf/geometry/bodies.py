"""Body shapes: the same motion on a body of other proportions.

Every Bandai clip has one skeleton (bone lengths within 2 mm between clips),
so a lifter trained on them learns one body. A `Body` scales the bones of
the 16-joint model skeleton relative to the clip's own, by group: stature
(every bone), legs (thigh and shin, the torso taking up the difference so
that stature holds), arms (upper arm and forearm), hip width (pelvis to hip
joints) and shoulder width (thorax to shoulders). `retarget` rebuilds each
frame from the pelvis outwards with every bone vector scaled. That is
forward kinematics with the BVH OFFSETs scaled: a model bone is the chord
of a chain of rotated BVH offsets, and the chord scales with them. Then the
body moves along the up axis so that its lower ankle keeps the clip's
height in every frame: the feet stay on the clip's floor.

Ranges (`BODY_RANGES`), as factors on a source skeleton taken to be an
average adult (about 1.70 m), uniform and independent per factor:
- stature 0.85-1.17: adult stature from about 1.45 to 1.99 m, the 5th
  percentile of women in the shortest countries to the 95th of men in the
  tallest (NCD Risk Factor Collaboration, "A century of trends in adult
  human height", eLife 5:e13410, 2016).
- legs 0.92-1.08: leg length / stature is about 1 - the sitting-height
  ratio, which spans about 0.47-0.55 between populations and individuals
  (Bogin and Varela-Silva, "Leg length, body proportion, and health",
  Int. J. Environ. Res. Public Health 7:1047, 2010).
- arms 0.92-1.08: upper arm and forearm are 0.186 and 0.146 of stature
  (Drillis, Contini and Bluestein, "Body segment parameters", Artificial
  Limbs 8:44, 1964, as tabulated in Winter, "Biomechanics and Motor Control
  of Human Movement"), with a few per cent spread between people.
- hip width 0.85-1.9 and shoulder width 0.8-1.4: anatomical spread (pelvic
  width in Harrington et al., J. Biomech. 40:595, 2007; biacromial breadth
  in the 2012 US Army anthropometric survey ANSUR II, Gordon et al. 2014)
  and, mostly, rigs that define the joints differently: the Bandai hip
  joints sit 68 mm from the pelvis, CMU's about 120 mm (x1.76); shoulders
  sit at the clavicle's end or at the humeral head.

`HELD_OUT_BODIES` are eight fixed bodies spanning short to tall and narrow
to wide, for the cross-body benchmark; sampled training bodies are drawn
from continuous ranges and never equal them.
"""

from __future__ import annotations

import dataclasses
import zlib
from typing import Dict, Tuple

import numpy as np

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry.joints import MODEL16, NUM_JOINTS

FACTORS = ('stature', 'legs', 'arms', 'hip_width', 'shoulder_width')
BODY_RANGES: Dict[str, Tuple[float, float]] = {
    'stature': (0.85, 1.17),
    'legs': (0.92, 1.08),
    'arms': (0.92, 1.08),
    'hip_width': (0.85, 1.9),
    'shoulder_width': (0.8, 1.4),
}
_J = {n: i for i, n in enumerate(MODEL16.names)}
# Joints whose bone (to their parent) each factor scales, besides stature.
_LEGS = tuple(_J[n] for n in ('R_knee', 'R_ankle', 'L_knee', 'L_ankle'))
_TORSO = tuple(_J[n] for n in ('spine', 'thorax', 'head'))
_ARMS = tuple(_J[n] for n in ('L_elbow', 'L_wrist', 'R_elbow', 'R_wrist'))
_HIPS = tuple(_J[n] for n in ('R_hip', 'L_hip'))
_SHOULDERS = tuple(_J[n] for n in ('L_shoulder', 'R_shoulder'))
_ANKLES = (_J['R_ankle'], _J['L_ankle'])
# The torso factor that keeps stature never goes below this.
_MIN_TORSO = 0.5


@dataclasses.dataclass(frozen=True)
class Body:
  """Bone-length factors relative to a clip's own skeleton (1: unchanged).

  Attributes:
    name: a label ('' for the clip's own body).
    stature, legs, arms, hip_width, shoulder_width: see the module
      docstring.
  """
  name: str = ''
  stature: float = 1.0
  legs: float = 1.0
  arms: float = 1.0
  hip_width: float = 1.0
  shoulder_width: float = 1.0

  def __post_init__(self):
    for f in FACTORS:
      v = getattr(self, f)
      if not (np.isfinite(v) and v > 0):
        raise ArgumentError(f'body {self.name!r}: {f} must be a positive '
                            f'factor, got {v}')

  def as_dict(self) -> Dict[str, float]:
    return {f: float(getattr(self, f)) for f in FACTORS}


def _held_out() -> Tuple[Body, ...]:
  out = []
  for stature, s_name in ((0.9, 'short'), (1.12, 'tall')):
    for (hip, shoulder), w_name in (((0.95, 0.88), 'narrow'),
                                    ((1.75, 1.3), 'wide')):
      for legs, arms, l_name in ((0.94, 1.05, 'shortlegs'),
                                 (1.06, 0.95, 'longlegs')):
        out.append(Body(f'{s_name}-{w_name}-{l_name}', stature, legs, arms,
                        hip, shoulder))
  return tuple(out)


HELD_OUT_BODIES: Tuple[Body, ...] = _held_out()


def held_out_body(name: str) -> Body:
  """One of `HELD_OUT_BODIES` by name, or ArgumentError listing them."""
  for body in HELD_OUT_BODIES:
    if body.name == name:
      return body
  raise ArgumentError(f'unknown held-out body {name!r}; known: '
                      f'{", ".join(b.name for b in HELD_OUT_BODIES)}')


def sample_body(seed: int, key: str, index: int) -> Body:
  """A body drawn uniformly from `BODY_RANGES`, reproducible for
  (seed, key, index) (key: e.g. the clip's name)."""
  rng = np.random.default_rng([seed, zlib.crc32(key.encode('utf-8')), index])
  values = {f: float(rng.uniform(*BODY_RANGES[f])) for f in FACTORS}
  return Body(name=f'drawn{index}', **values)


def _median_length(poses: np.ndarray, joint: int) -> float:
  parent = MODEL16.parents[joint]
  return float(np.median(np.linalg.norm(poses[:, joint] - poses[:, parent],
                                        axis=-1)))


def bone_factors(poses: np.ndarray, body: Body) -> np.ndarray:
  """[16] factor per joint's bone to its parent (index 0, the root: 1).

  The torso (pelvis -> spine -> thorax -> head) gets the factor that keeps
  the ankle-to-head height of the clip's median bone lengths when `legs`
  lengthens or shortens the legs.
  """
  legs = np.mean([_median_length(poses, j) for j in _LEGS]) * 2.0
  torso = sum(_median_length(poses, j) for j in _TORSO)
  torso_factor = 1.0
  if torso > 0:
    torso_factor = max((legs + torso - body.legs * legs) / torso, _MIN_TORSO)
  f = np.ones(NUM_JOINTS, np.float64)
  f[list(_LEGS)] = body.legs
  f[list(_TORSO)] = torso_factor
  f[list(_ARMS)] = body.arms
  f[list(_HIPS)] = body.hip_width
  f[list(_SHOULDERS)] = body.shoulder_width
  f[1:] *= body.stature
  return f


def retarget(poses: np.ndarray, body: Body, up_axis: int = 2) -> np.ndarray:
  """The clip's motion on `body`: bones scaled, feet on the clip's floor.

  Args:
    poses: [F, 16, 3] model-joint positions (any unit), world axes.
    body: the factors.
    up_axis: the world's vertical axis (2: z up, the protocol's).

  Returns:
    [F, 16, 3] float64: every bone scaled by `bone_factors` (so each bone's
    length over frames is the clip's times a constant), the pelvis's
    horizontal position kept, and in every frame the lower ankle at the
    clip's lower-ankle height.
  """
  poses = np.asarray(poses, np.float64)
  if poses.ndim != 3 or poses.shape[1:] != (NUM_JOINTS, 3):
    raise ArgumentError(f'poses must have shape [F, {NUM_JOINTS}, 3], got '
                        f'{poses.shape}')
  if up_axis not in (0, 1, 2):
    raise ArgumentError(f'up_axis must be 0, 1 or 2, got {up_axis}')
  factors = bone_factors(poses, body)
  out = np.empty_like(poses)
  out[:, 0] = poses[:, 0]
  # Parents come before their children in MODEL16.
  for j in range(1, NUM_JOINTS):
    p = MODEL16.parents[j]
    out[:, j] = out[:, p] + factors[j] * (poses[:, j] - poses[:, p])
  lift = (poses[:, _ANKLES, up_axis].min(axis=1) -
          out[:, _ANKLES, up_axis].min(axis=1))
  out[..., up_axis] += lift[:, None]
  return out
