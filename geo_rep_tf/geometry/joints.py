"""Joint sets as data: names, order, parents and mappings to the model set.

The model joint set (`MODEL16`) is Human3.6M-17 without neck/nose. Every
other set carries a `to_model` mapping: for each of the 16 model joints, the
source joints whose mean gives it (one joint for a direct correspondence,
several for a midpoint). `mapping_matrix` turns that into a [16, S] weight
matrix, so that mapping any set is one matmul, graph-safe and batchable.
"""

from __future__ import annotations

import dataclasses
from typing import Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError


@dataclasses.dataclass(frozen=True)
class JointSet:
  """A named, ordered joint set.

  Attributes:
    name: short identifier, e.g. 'h36m17'.
    names: joint names in order.
    parents: parent index per joint (-1 for the root); None for sets whose
      joints are not a tree (COCO, BlazePose).
    to_model: for each model joint, a tuple of source indices to average;
      None for the model set itself.
    source: where the definition comes from.
  """
  name: str
  names: Tuple[str, ...]
  parents: Optional[Tuple[int, ...]] = None
  to_model: Optional[Tuple[Tuple[int, ...], ...]] = None
  source: str = ''

  @property
  def num_joints(self) -> int:
    return len(self.names)

  def index(self, joint_name: str) -> int:
    try:
      return self.names.index(joint_name)
    except ValueError:
      raise ArgumentError(
          f'joint {joint_name!r} is not in joint set {self.name!r}') from None


MODEL16 = JointSet(
    name='model16',
    names=('pelvis', 'R_hip', 'R_knee', 'R_ankle', 'L_hip', 'L_knee',
           'L_ankle', 'spine', 'thorax', 'head', 'L_shoulder', 'L_elbow',
           'L_wrist', 'R_shoulder', 'R_elbow', 'R_wrist'),
    parents=(-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 8, 10, 11, 8, 13, 14),
    source='docs/design.md: Human3.6M-17 without neck/nose (index 9)')

NUM_JOINTS = MODEL16.num_joints
# Bone b joins joint b + 1 to its parent; the 15 bones are the 15 map channels.
BONES: Tuple[Tuple[int, int], ...] = tuple(
    (MODEL16.parents[j], j) for j in range(1, NUM_JOINTS))
NUM_BONES = len(BONES)
# Left/right pairs of the model set (for flips and swap checks).
LEFT_RIGHT_PAIRS = ((4, 1), (5, 2), (6, 3), (10, 13), (11, 14), (12, 15))

H36M17 = JointSet(
    name='h36m17',
    names=('pelvis', 'R_hip', 'R_knee', 'R_ankle', 'L_hip', 'L_knee',
           'L_ankle', 'spine', 'thorax', 'neck_nose', 'head', 'L_shoulder',
           'L_elbow', 'L_wrist', 'R_shoulder', 'R_elbow', 'R_wrist'),
    parents=(-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15),
    to_model=tuple((i,) for i in (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13,
                                  14, 15, 16)),
    source='VideoPose3D common/h36m_dataset.py 17-joint order')

MPII16 = JointSet(
    name='mpii16',
    names=('R_ankle', 'R_knee', 'R_hip', 'L_hip', 'L_knee', 'L_ankle',
           'pelvis', 'thorax', 'upper_neck', 'head_top', 'R_wrist',
           'R_elbow', 'R_shoulder', 'L_shoulder', 'L_elbow', 'L_wrist'),
    parents=(1, 2, 6, 6, 3, 4, -1, 6, 7, 8, 11, 12, 7, 7, 13, 14),
    # MPII has no spine joint: the midpoint of pelvis and thorax stands in.
    to_model=((6,), (2,), (1,), (0,), (3,), (4,), (5,), (6, 7), (7,), (9,),
              (13,), (14,), (15,), (12,), (11,), (10,)),
    source='MPII Human Pose joint ids')

COCO17 = JointSet(
    name='coco17',
    names=('nose', 'L_eye', 'R_eye', 'L_ear', 'R_ear', 'L_shoulder',
           'R_shoulder', 'L_elbow', 'R_elbow', 'L_wrist', 'R_wrist', 'L_hip',
           'R_hip', 'L_knee', 'R_knee', 'L_ankle', 'R_ankle'),
    # Pelvis = mid-hips, thorax = mid-shoulders, spine = mean of the four,
    # head = mid-ears (COCO has no head top; an approximation).
    to_model=((11, 12), (12,), (14,), (16,), (11,), (13,), (15,),
              (5, 6, 11, 12), (5, 6), (3, 4), (5,), (7,), (9,), (6,), (8,),
              (10,)),
    source='COCO keypoints 2017')

BLAZEPOSE33 = JointSet(
    name='blazepose33',
    names=('nose', 'L_eye_inner', 'L_eye', 'L_eye_outer', 'R_eye_inner',
           'R_eye', 'R_eye_outer', 'L_ear', 'R_ear', 'mouth_L', 'mouth_R',
           'L_shoulder', 'R_shoulder', 'L_elbow', 'R_elbow', 'L_wrist',
           'R_wrist', 'L_pinky', 'R_pinky', 'L_index', 'R_index', 'L_thumb',
           'R_thumb', 'L_hip', 'R_hip', 'L_knee', 'R_knee', 'L_ankle',
           'R_ankle', 'L_heel', 'R_heel', 'L_foot_index', 'R_foot_index'),
    to_model=((23, 24), (24,), (26,), (28,), (23,), (25,), (27,),
              (11, 12, 23, 24), (11, 12), (7, 8), (11,), (13,), (15,), (12,),
              (14,), (16,)),
    source='MediaPipe BlazePose 33 landmarks')

MPI_INF_3DHP17 = JointSet(
    name='mpi_inf_3dhp17',
    names=('head_top', 'neck', 'R_shoulder', 'R_elbow', 'R_wrist',
           'L_shoulder', 'L_elbow', 'L_wrist', 'R_hip', 'R_knee', 'R_ankle',
           'L_hip', 'L_knee', 'L_ankle', 'pelvis', 'spine', 'head'),
    parents=(16, 15, 1, 2, 3, 1, 6, 7, 14, 8, 9, 14, 11, 12, -1, 14, 1),
    to_model=((14,), (8,), (9,), (10,), (11,), (12,), (13,), (15,), (1,),
              (0,), (5,), (6,), (7,), (2,), (3,), (4,)),
    source='MPI-INF-3DHP test-set 17-joint order (mpii_get_joints relevant)')

JOINT_SETS = {s.name: s for s in (MODEL16, H36M17, MPII16, COCO17,
                                   BLAZEPOSE33, MPI_INF_3DHP17)}


def get_joint_set(name: str) -> JointSet:
  """Returns the joint set called `name`; raises ArgumentError if unknown."""
  try:
    return JOINT_SETS[name]
  except KeyError:
    raise ArgumentError(f'unknown joint set {name!r}; known: '
                        f'{", ".join(sorted(JOINT_SETS))}') from None


def mapping_matrix(joint_set: JointSet) -> np.ndarray:
  """Weight matrix W, [16, S] float32, with model = W @ source."""
  if joint_set.to_model is None:
    return np.eye(NUM_JOINTS, dtype=np.float32)
  w = np.zeros((NUM_JOINTS, joint_set.num_joints), np.float32)
  for j, sources in enumerate(joint_set.to_model):
    for s in sources:
      w[j, s] += 1.0 / len(sources)
  return w


def to_model_joints(keypoints, joint_set: JointSet, name: Optional[str] = None):
  """Maps keypoints of any joint set to the 16 model joints.

  Args:
    keypoints: [A1, ..., An, S, C] float, S = joint_set.num_joints, C = 2 or 3
      (pixels or mm).
    joint_set: the set the keypoints are in.
    name: op name scope.

  Returns:
    [A1, ..., An, 16, C] float, same units.
  """
  with tf.name_scope(name or 'to_model_joints'):
    keypoints = tf.convert_to_tensor(keypoints)
    if keypoints.shape.rank is not None and keypoints.shape.rank >= 2:
      s = keypoints.shape[-2]
      if s is not None and s != joint_set.num_joints:
        raise ArgumentError(
            f'keypoints has {s} joints, joint set {joint_set.name!r} has '
            f'{joint_set.num_joints}')
    w = tf.constant(mapping_matrix(joint_set), dtype=keypoints.dtype)
    # Shape = [..., 16, C].
    return tf.einsum('js,...sc->...jc', w, keypoints)


def root_center(pose, root_index: int = 0):
  """Subtracts the root joint: [..., J, C] -> [..., J, C], root at 0."""
  pose = tf.convert_to_tensor(pose)
  return pose - pose[..., root_index:root_index + 1, :]
