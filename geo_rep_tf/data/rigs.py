"""Rig mappings: BVH skeletons -> the 16 model joints, world mm, Z up.

A `RigMapping` says, for each of the 16 model joints (`MODEL16` order), how
to get it from the joints of a BVH skeleton (see `bvh.py`; end sites are
joints named '<parent>_End'), the file's length unit and its up axis.

Built-in rigs (`RIGS`, tried in this order by `detect_rig`):
- 'bandai': Bandai-Namco Research Motion Dataset; cm, Y up.
- 'cmu': the cgspeed CMU conversion (LeftUpLeg/LeftLeg/LeftFoot, Spine,
  Spine1, Neck, Neck1, Head, LeftArm/LeftForeArm/LeftHand); unit 'cmu'
  (one CMU ASF length unit = 1/0.45 inch = 56.44 mm), Y up.
- 'cmu_hip': the older naming (LeftHip/LeftKnee/LeftAnkle, Chest, Neck,
  Head, LeftCollar, LeftShoulder/LeftElbow/LeftWrist); inches, Y up.
None has a head-top joint, so `head` is extrapolated 100 mm beyond the head
joint along the neck -> head direction. The torso joints of the CMU rigs are
approximate correspondences, not measured ones.

User rigs are JSON files:

  {
    "name": "mixamo",                    optional; default: the file's stem
    "unit": "cm",                         'mm', 'cm', 'm', 'inch', 'cmu' (one
                                          CMU ASF unit = 1/0.45 inch), or a
                                          positive number of mm per unit
    "up_axis": "y",                       'y' or 'z'
    "forward": "+z",                      optional free-text note
    "joints": {                           all 16 model joints, each one of:
      "pelvis": "Hips",                     a rig joint name,
      "spine": ["Spine", "Spine1"],         a list of rig joints to average,
      "head": {"extrapolate": ["Neck", "Head"], "mm": 100},
                                            `to` + mm along unit(to - from),
      ...
    }
  }

Keys starting with '_' and "description" are comments and are ignored; any
other unknown key is an error. Every problem raises `DataError` naming the
file and the field, e.g. `rig.json: joints.L_knee: joint 'LeftLegg' not in
the BVH 'walk.bvh'`.

World frame after conversion: mm, Z up, right-handed. Y-up files are turned
by +90 degrees about x: (x, y, z) -> (x, -z, y).
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np

from geo_rep_tf.data import body_sanity, bvh, bvh_kinematics
from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.geometry.joints import MODEL16

MM_PER_UNIT = {'mm': 1.0, 'cm': 10.0, 'm': 1000.0, 'inch': 25.4,
               'cmu': 25.4 / 0.45}
UP_AXES = ('y', 'z')
# Head top above the head joint of rigs without one (see the data README).
HEAD_TOP_MM = 100.0


@dataclasses.dataclass(frozen=True)
class JointSpec:
  """How one model joint comes from rig joints.

  Attributes:
    joints: rig joint names. Without `extrapolate_mm`: their mean (one name
      for a direct correspondence). With it: exactly (from, to).
    extrapolate_mm: if set, the joint is `to` + extrapolate_mm along the
      unit vector from -> to.
  """
  joints: Tuple[str, ...]
  extrapolate_mm: Optional[float] = None


@dataclasses.dataclass(frozen=True)
class RigMapping:
  """A mapping from a BVH skeleton to the 16 model joints.

  Attributes:
    name: short identifier.
    joints: 16 `JointSpec`s in MODEL16 order.
    unit: length unit of the file, a key of `MM_PER_UNIT` or a number of mm
      per unit.
    up_axis: 'y' or 'z', the file's up axis.
    forward: free-text note on the facing direction (documentation only).
    source: where the rig was defined ('built-in' or the JSON path).
  """
  name: str
  joints: Tuple[JointSpec, ...]
  unit: Union[str, float] = 'cm'
  up_axis: str = 'y'
  forward: str = ''
  source: str = 'built-in'

  @property
  def mm_per_unit(self) -> float:
    if isinstance(self.unit, str):
      return MM_PER_UNIT[self.unit]
    return float(self.unit)

  def required_joints(self) -> Tuple[str, ...]:
    """Every rig joint name the mapping uses, without repeats."""
    names = []
    for spec in self.joints:
      names.extend(n for n in spec.joints if n not in names)
    return tuple(names)

  def missing(self, joint_names: Sequence[str]) -> Dict[str, str]:
    """{model joint: first rig joint it needs that is not in joint_names}."""
    present = set(joint_names)
    out = {}
    for model_name, spec in zip(MODEL16.names, self.joints):
      absent = [n for n in spec.joints if n not in present]
      if absent:
        out[model_name] = absent[0]
    return out


def _direct(*names: str) -> JointSpec:
  return JointSpec(tuple(names))


def _head(neck: str, head: str) -> JointSpec:
  return JointSpec((neck, head), HEAD_TOP_MM)


def _rig(name, unit, forward, table: Dict[str, JointSpec]) -> RigMapping:
  return RigMapping(name=name, joints=tuple(table[n] for n in MODEL16.names),
                    unit=unit, up_axis='y', forward=forward)


def _limbs(hip, knee, ankle, shoulder, elbow, wrist, left, right):
  """Spec table of the 12 limb joints from name patterns."""
  table = {}
  for side, fmt in (('L', left), ('R', right)):
    for model, rig in (('hip', hip), ('knee', knee), ('ankle', ankle),
                       ('shoulder', shoulder), ('elbow', elbow),
                       ('wrist', wrist)):
      table[f'{side}_{model}'] = _direct(fmt.format(rig))
  return table


BANDAI = _rig('bandai', 'cm', 'faces +z in the file (-y in the world)', dict(
    pelvis=_direct('Hips'), spine=_direct('Chest'), thorax=_direct('Neck'),
    head=_head('Neck', 'Head'),
    **_limbs('UpperLeg', 'LowerLeg', 'Foot', 'UpperArm', 'LowerArm', 'Hand',
             '{}_L', '{}_R')))
# cgspeed CMU: Spine1 and Neck share one position (Neck's OFFSET is 0), so
# spine = Spine (upper-back start) and thorax = Neck (neck base, where the
# clavicles start); Head + 100 mm along Neck1 -> Head lands on the Head end
# site. Unit: one CMU ASF length unit (1/0.45 inch = 56.4 mm).
CMU = _rig('cmu', 'cmu', '', dict(
    pelvis=_direct('Hips'), spine=_direct('Spine'), thorax=_direct('Neck'),
    head=_head('Neck1', 'Head'),
    **_limbs('UpLeg', 'Leg', 'Foot', 'Arm', 'ForeArm', 'Hand',
             'Left{}', 'Right{}')))
CMU_HIP = _rig('cmu_hip', 'inch', '', dict(
    pelvis=_direct('Hips'), spine=_direct('Chest'), thorax=_direct('Neck'),
    head=_head('Neck', 'Head'),
    **_limbs('Hip', 'Knee', 'Ankle', 'Shoulder', 'Elbow', 'Wrist',
             'Left{}', 'Right{}')))
RIGS = {r.name: r for r in (BANDAI, CMU, CMU_HIP)}


def detect_rig(joint_names: Sequence[str], *,
               path: Optional[str] = None) -> RigMapping:
  """The first built-in rig whose joints are all in `joint_names`.

  Raises:
    DataError: no built-in rig fits (names the closest one and what it
      lacks); `path` is the BVH name for the message.
  """
  best = None
  for rig in RIGS.values():
    missing = rig.missing(joint_names)
    if not missing:
      return rig
    if best is None or len(missing) < len(best[1]):
      best = (rig, missing)
  rig, missing = best
  model, joint = next(iter(missing.items()))
  raise DataError(
      f'no built-in rig fits this skeleton (closest {rig.name!r} lacks '
      f'{len(missing)} joints, e.g. {joint!r} for {model}); pass a rig JSON',
      path)


def _check_unit(value, where: str, path: str):
  if isinstance(value, str):
    if value not in MM_PER_UNIT:
      raise DataError(f'{where}: unknown unit {value!r} (one of '
                      f'{", ".join(MM_PER_UNIT)} or mm per unit)', path)
    return value
  if (isinstance(value, (int, float)) and not isinstance(value, bool)
      and np.isfinite(value) and value > 0):
    return float(value)
  raise DataError(f'{where}: must be a unit name or a positive number, got '
                  f'{value!r}', path)


def _spec_from_json(value, where: str, path: str) -> JointSpec:
  if isinstance(value, str) and value:
    return JointSpec((value,))
  if isinstance(value, list):
    if not value or not all(isinstance(v, str) and v for v in value):
      raise DataError(f'{where}: a list must hold one or more joint names',
                      path)
    return JointSpec(tuple(value))
  if isinstance(value, dict):
    unknown = set(value) - {'extrapolate', 'mm'}
    if unknown:
      raise DataError(f'{where}: unknown key {sorted(unknown)[0]!r} (expected '
                      '"extrapolate" and "mm")', path)
    pair = value.get('extrapolate')
    if (not isinstance(pair, list) or len(pair) != 2
        or not all(isinstance(v, str) and v for v in pair)):
      raise DataError(f'{where}.extrapolate: must be [from_joint, to_joint]',
                      path)
    if pair[0] == pair[1]:
      raise DataError(f'{where}.extrapolate: from and to are the same joint',
                      path)
    mm = value.get('mm')
    if (isinstance(mm, bool) or not isinstance(mm, (int, float))
        or not np.isfinite(mm)):
      raise DataError(f'{where}.mm: must be a number of millimetres, got '
                      f'{mm!r}', path)
    return JointSpec(tuple(pair), float(mm))
  raise DataError(f'{where}: must be a joint name, a list of names or '
                  f'{{"extrapolate": [from, to], "mm": n}}, got {value!r}',
                  path)


def rig_from_dict(data, *, path: str = '<dict>',
                  default_name: str = 'user') -> RigMapping:
  """Builds and validates a rig from parsed JSON (schema: module docstring).

  Raises:
    DataError: naming `path` and the offending field.
  """
  if not isinstance(data, dict):
    raise DataError('the top level must be a JSON object', path)
  known = {'name', 'unit', 'up_axis', 'forward', 'joints', 'description'}
  for key in data:
    if key not in known and not str(key).startswith('_'):
      raise DataError(f'unknown field {key!r}', path)
  name = data.get('name', default_name)
  if not isinstance(name, str) or not name:
    raise DataError(f'name: must be a non-empty string, got {name!r}', path)
  if 'unit' not in data:
    raise DataError('unit: missing', path)
  unit = _check_unit(data['unit'], 'unit', path)
  up_axis = data.get('up_axis')
  if up_axis not in UP_AXES:
    raise DataError(f'up_axis: must be "y" or "z", got {up_axis!r}', path)
  forward = data.get('forward', '')
  if not isinstance(forward, str):
    raise DataError(f'forward: must be a string, got {forward!r}', path)
  joints = data.get('joints')
  if not isinstance(joints, dict):
    raise DataError('joints: missing or not an object', path)
  for key in joints:
    if key not in MODEL16.names:
      raise DataError(f'joints: unknown model joint {key!r} (expected '
                      f'{", ".join(MODEL16.names)})', path)
  specs = []
  for model_name in MODEL16.names:
    if model_name not in joints:
      raise DataError(f'joints.{model_name}: missing', path)
    specs.append(_spec_from_json(joints[model_name], f'joints.{model_name}',
                                 path))
  return RigMapping(name=name, joints=tuple(specs), unit=unit,
                    up_axis=up_axis, forward=forward, source=path)


def load_rig_json(path: Union[str, os.PathLike]) -> RigMapping:
  """Reads and validates a user rig JSON file (schema: module docstring)."""
  path = str(path)
  try:
    with open(path, 'r', encoding='utf-8') as f:
      text = f.read()
  except FileNotFoundError:
    raise DataError('no such file', path) from None
  except (OSError, UnicodeDecodeError) as e:
    raise DataError(f'cannot read: {e}', path) from None
  try:
    data = json.loads(text)
  except json.JSONDecodeError as e:
    raise DataError(f'invalid JSON: {e.msg} (column {e.colno})', path,
                    e.lineno) from None
  return rig_from_dict(data, path=path,
                       default_name=pathlib.Path(path).stem)


def get_rig(name_or_path: Union[str, os.PathLike, RigMapping]) -> RigMapping:
  """A built-in rig by name, a rig JSON file by path, or a RigMapping as is.

  'auto' is not accepted here (it needs the skeleton: see `detect_rig`).
  """
  if isinstance(name_or_path, RigMapping):
    return name_or_path
  if isinstance(name_or_path, str) and name_or_path in RIGS:
    return RIGS[name_or_path]
  if isinstance(name_or_path, (str, os.PathLike)) and (
      str(name_or_path).endswith('.json') or os.path.exists(name_or_path)):
    return load_rig_json(name_or_path)
  raise ArgumentError(f'unknown rig {name_or_path!r}: use one of '
                      f'{", ".join(RIGS)}, "auto" or a rig .json path')


def to_model_world(positions: np.ndarray, joint_names: Sequence[str],
                   rig: RigMapping, *, bvh_name: str = 'the BVH'
                   ) -> np.ndarray:
  """Applies a rig to forward-kinematics positions.

  Args:
    positions: [F, J, 3] float, file units and axes
      (`bvh_kinematics.forward_kinematics`).
    joint_names: the J BVH joint names.
    rig: the mapping.
    bvh_name: the BVH's name, for messages.

  Returns:
    [F, 16, 3] float32, world mm, Z up (right-handed).

  Raises:
    DataError: a joint the rig needs is not in the BVH (naming the rig file
      and the field), or an extrapolation direction has zero length.
  """
  index = {n: i for i, n in enumerate(joint_names)}
  where = None if rig.source == 'built-in' else rig.source
  prefix = f'rig {rig.name!r}: ' if where is None else ''
  for model_name, spec in zip(MODEL16.names, rig.joints):
    for n in spec.joints:
      if n not in index:
        raise DataError(f'{prefix}joints.{model_name}: joint {n!r} not in the '
                        f'BVH {bvh_name!r}', where or bvh_name)
  positions = np.asarray(positions, np.float64) * rig.mm_per_unit
  # Shape = [16, J]: averaging weights; extrapolated rows are filled below.
  weights = np.zeros((MODEL16.num_joints, len(joint_names)), np.float64)
  for m, spec in enumerate(rig.joints):
    if spec.extrapolate_mm is None:
      for n in spec.joints:
        weights[m, index[n]] += 1.0 / len(spec.joints)
  # Shape = [F, 16, 3].
  out = np.einsum('mj,fjc->fmc', weights, positions)
  for m, spec in enumerate(rig.joints):
    if spec.extrapolate_mm is None:
      continue
    a = positions[:, index[spec.joints[0]]]
    b = positions[:, index[spec.joints[1]]]
    # Shape = [F, 3]: direction from -> to and its length in mm.
    d = b - a
    length = np.linalg.norm(d, axis=-1, keepdims=True)
    if length.size and length.min() < 1e-6:
      raise DataError(f'{prefix}joints.{MODEL16.names[m]}: extrapolate from '
                      f'{spec.joints[0]!r} to {spec.joints[1]!r}: the joints '
                      'coincide', where or bvh_name)
    out[:, m] = b + spec.extrapolate_mm * d / length
  if rig.up_axis == 'y':
    out = np.stack([out[..., 0], -out[..., 2], out[..., 1]], axis=-1)
  return out.astype(np.float32)


def load_bvh_poses(source, rig: Union[str, RigMapping] = 'auto', *,
                   name: Optional[str] = None, frame_step: int = 1,
                   check_body: bool = True) -> Tuple[np.ndarray, float]:
  """BVH -> 16 model joints in world mm, Z up: the one-call API.

  Args:
    source: a BVH path or the file's text (see `bvh.parse_bvh`).
    rig: 'auto' (detect a built-in rig), a built-in rig name, a rig JSON
      path or a `RigMapping`.
    name: the clip's name in messages when `source` is text.
    frame_step: keep every frame_step-th frame.
    check_body: refuse a body that is not human after the rig's unit and
      up axis (`body_sanity`: stature, left/right symmetry, head above the
      pelvis in most frames). The rig's joint mapping must follow the BVH
      hierarchy either way. For the built-in CMU namings the unit (inch or
      CMU's ASF unit) is chosen from the bone lengths.

  Returns:
    poses: [F, 16, 3] float32, world mm, Z up.
    frame_time_s: seconds between two returned frames.

  Raises:
    DataError: malformed BVH, unknown skeleton, a rig that does not fit or
      gives no human body (naming the rig field and a setting that fits).
  """
  clip = bvh.parse_bvh(source, name=name, frame_step=frame_step)
  if isinstance(rig, str) and rig == 'auto':
    mapping = detect_rig(clip.joint_names, path=clip.name)
  else:
    mapping = get_rig(rig)
  where = None if mapping.source == 'built-in' else mapping.source
  prefix = f'rig {mapping.name!r}: ' if where is None else ''
  direct = {m: spec.joints[0] for m, spec in zip(MODEL16.names, mapping.joints)
            if spec.extrapolate_mm is None and len(spec.joints) == 1}
  problem = body_sanity.check_hierarchy(direct, clip.parents,
                                        clip.joint_names)
  if problem:
    raise DataError(prefix + problem, where or clip.name)
  positions = bvh_kinematics.forward_kinematics(clip)
  if mapping.name in CMU_UNIT_CHOICE and mapping.source == 'built-in':
    mapping = _cmu_unit(mapping, positions, clip.joint_names, clip.name)
  poses = to_model_world(positions, clip.joint_names, mapping,
                         bvh_name=clip.name)
  if check_body:
    _check_body(positions, clip.joint_names, poses, mapping, prefix,
                where or clip.name)
  return poses, clip.kept_frame_time


# The CMU namings are written in inches by some tools and in CMU's own ASF
# unit (1/0.45 inch) by others: the built-in rigs take whichever gives the
# more typical stature.
CMU_UNIT_CHOICE = {'cmu': ('cmu', 'inch'), 'cmu_hip': ('inch', 'cmu')}


def _cmu_unit(mapping: RigMapping, positions: np.ndarray,
              joint_names: Sequence[str], bvh_name: str) -> RigMapping:
  """`mapping` with the unit among CMU_UNIT_CHOICE that fits best."""
  best = None
  for unit in CMU_UNIT_CHOICE[mapping.name]:
    candidate = dataclasses.replace(mapping, unit=unit)
    poses = to_model_world(positions, joint_names, candidate,
                           bvh_name=bvh_name)
    miss = abs(body_sanity.stature_mm(poses) / 1000.0 -
               body_sanity.TYPICAL_STATURE_M)
    if best is None or miss < best[0]:
      best = (miss, candidate)
  return best[1]


def _check_body(positions: np.ndarray, joint_names: Sequence[str],
                poses: np.ndarray, mapping: RigMapping, prefix: str,
                where: str) -> None:
  """Raises DataError when the rig gives no human body (body_sanity)."""
  # Head height with the other up axis: a Y-up reading is (x, -z, y) of
  # the file, so the file's z (the other reading's up) is -y here.
  other_z = -poses[..., 1] if mapping.up_axis == 'y' else poses[..., 1]
  other = np.stack([poses[..., 0], poses[..., 2], other_z], axis=-1)
  lo, hi = body_sanity.STATURE_RANGE_M
  statures = {}
  if not lo <= body_sanity.stature_mm(poses) / 1000.0 <= hi:
    for unit, mm in MM_PER_UNIT.items():
      if mm != mapping.mm_per_unit:
        statures[unit] = body_sanity.stature_mm(to_model_world(
            positions, joint_names, dataclasses.replace(mapping, unit=unit)
        )) / 1000.0
  found = body_sanity.check_body(
      poses, unit_name=str(mapping.unit), up_axis=mapping.up_axis,
      stature_other_units_m=statures,
      up_fraction_other=body_sanity.head_up_fraction(other))
  if found:
    raise DataError(prefix + found[1], where)
