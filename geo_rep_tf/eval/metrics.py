"""3D pose metrics, per example (the caller reduces), and their summary.

docs/design.md conventions: all 16 joints, after root-centring (pelvis, index 0)
of both prediction and target, in mm:
- MPJPE: mean Euclidean joint error.
- P-MPJPE: MPJPE after Procrustes alignment (rotation, translation, one
  scale, no reflection).
- N-MPJPE: MPJPE after the least-squares scale (Rhodin et al. 2018).
- 3DPCK: fraction of joints with error < threshold (150 mm); strict `<`
  as in the MPI-INF-3DHP evaluation code. The root counts too (its error
  is 0 after centring), so PCK >= 1/16 at any positive threshold.
- AUC: mean PCK over thresholds 0, 5, ..., 150 mm (31 values).
"""

from __future__ import annotations

from typing import Dict, Mapping, Optional, Sequence

import numpy as np
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import procrustes

ROOT_INDEX = 0
PCK_THRESHOLD_MM = 150.0
AUC_THRESHOLDS_MM = tuple(float(t) for t in range(0, 151, 5))


def _prepare(pred, target, root_index):
  pred = tf.convert_to_tensor(pred)
  if not pred.dtype.is_floating:
    pred = tf.cast(pred, tf.float32)
  target = tf.cast(tf.convert_to_tensor(target), pred.dtype)
  if pred.shape.rank is not None and (pred.shape.rank < 2 or
                                      pred.shape[-1] not in (None, 3)):
    raise ArgumentError(f'pred must have shape [..., J, 3], got {pred.shape}')
  if not pred.shape.is_compatible_with(target.shape):
    raise ArgumentError(
        f'pred and target shapes differ: {pred.shape} vs {target.shape}')
  pred = pred - pred[..., root_index:root_index + 1, :]
  target = target - target[..., root_index:root_index + 1, :]
  return pred, target


def _joint_errors(pred, target):
  # Shape = [..., J].
  return tf.norm(pred - target, axis=-1)


def joint_errors(pred, target, root_index: int = ROOT_INDEX,
                 name: Optional[str] = None):
  """Per-joint Euclidean errors after root-centring.

  Args:
    pred: [A1, ..., An, J, 3] float, mm.
    target: [A1, ..., An, J, 3] float, mm.
    root_index: joint subtracted from both.
    name: op name scope.

  Returns:
    [A1, ..., An, J] float, mm.
  """
  with tf.name_scope(name or 'joint_errors'):
    return _joint_errors(*_prepare(pred, target, root_index))


def mpjpe(pred, target, root_index: int = ROOT_INDEX,
          name: Optional[str] = None):
  """Mean per-joint position error after root-centring.

  Takes the arguments of `joint_errors` ([A1, ..., An, J, 3] mm each) and
  returns [A1, ..., An] float, mm: the mean of its per-joint errors.
  """
  with tf.name_scope(name or 'mpjpe'):
    errors = joint_errors(pred, target, root_index)
    return tf.reduce_mean(errors, axis=-1)


def _aligned_mpjpe(align, pred, target, root_index, scope):
  """Mean per-joint error after root-centring and `align(pred, target)`."""
  with tf.name_scope(scope):
    pred, target = _prepare(pred, target, root_index)
    return tf.reduce_mean(_joint_errors(align(pred, target), target), axis=-1)


def p_mpjpe(pred, target, root_index: int = ROOT_INDEX,
            name: Optional[str] = None):
  """MPJPE after similarity (Procrustes) alignment of `pred` to `target`.

  Args:
    pred: [A1, ..., An, J, 3] float, mm.
    target: [A1, ..., An, J, 3] float, mm.
    root_index: joint subtracted from both first (no effect on the result,
      which is translation invariant; kept for one convention).
    name: op name scope.

  Returns:
    [A1, ..., An] float, mm.
  """
  return _aligned_mpjpe(procrustes.procrustes_align, pred, target,
                        root_index, name or 'p_mpjpe')


def n_mpjpe(pred, target, root_index: int = ROOT_INDEX,
            name: Optional[str] = None):
  """MPJPE after least-squares scaling of the root-centred `pred`.

  Same arguments and result as `p_mpjpe`; `root_index` is subtracted from
  both before scaling.
  """
  return _aligned_mpjpe(procrustes.scale_align, pred, target, root_index,
                        name or 'n_mpjpe')


def _pck_from_errors(errors, threshold_mm):
  correct = tf.cast(errors < threshold_mm, errors.dtype)
  return tf.reduce_mean(correct, axis=-1)


def pck3d(pred, target, threshold_mm: float = PCK_THRESHOLD_MM,
          root_index: int = ROOT_INDEX, name: Optional[str] = None):
  """Fraction of joints whose root-centred error is < `threshold_mm`.

  Args:
    pred: [A1, ..., An, J, 3] float, mm.
    target: [A1, ..., An, J, 3] float, mm.
    threshold_mm: error threshold, mm.
    root_index: joint subtracted from both.
    name: op name scope.

  Returns:
    [A1, ..., An] float in [0, 1].
  """
  with tf.name_scope(name or 'pck3d'):
    errors = joint_errors(pred, target, root_index)
    return _pck_from_errors(errors, threshold_mm)


def _auc_from_errors(errors, thresholds_mm):
  thresholds = tf.constant(thresholds_mm, errors.dtype)
  # Shape = [..., J, T].
  correct = tf.cast(errors[..., None] < thresholds, errors.dtype)
  return tf.reduce_mean(correct, axis=[-2, -1])


def auc(pred, target, thresholds_mm: Sequence[float] = AUC_THRESHOLDS_MM,
        root_index: int = ROOT_INDEX, name: Optional[str] = None):
  """Area under the PCK curve: mean 3DPCK over `thresholds_mm`.

  Args:
    pred: [A1, ..., An, J, 3] float, mm.
    target: [A1, ..., An, J, 3] float, mm.
    thresholds_mm: thresholds, mm (default 0, 5, ..., 150).
    root_index: joint subtracted from both.
    name: op name scope.

  Returns:
    [A1, ..., An] float in [0, 1].
  """
  if len(thresholds_mm) == 0:
    raise ArgumentError('thresholds_mm must not be empty')
  with tf.name_scope(name or 'auc'):
    errors = joint_errors(pred, target, root_index)
    return _auc_from_errors(errors, thresholds_mm)


def pose_metrics(pred, target, threshold_mm: float = PCK_THRESHOLD_MM,
                 root_index: int = ROOT_INDEX, name: Optional[str] = None
                 ) -> Dict[str, tf.Tensor]:
  """All the metrics of docs/design.md at once, per example.

  Args:
    pred: [A1, ..., An, J, 3] float, mm.
    target: [A1, ..., An, J, 3] float, mm.
    threshold_mm: 3DPCK threshold, mm.
    root_index: joint subtracted from both.
    name: op name scope.

  Returns:
    dict with keys 'mpjpe', 'p_mpjpe', 'n_mpjpe' (mm), 'pck3d', 'auc'
    (fractions), each [A1, ..., An] float.
  """
  with tf.name_scope(name or 'pose_metrics'):
    pred, target = _prepare(pred, target, root_index)
    errors = _joint_errors(pred, target)
    aligned = procrustes.procrustes_align(pred, target)
    scaled = procrustes.scale_align(pred, target)
    return {
        'mpjpe': tf.reduce_mean(errors, axis=-1),
        'p_mpjpe': tf.reduce_mean(_joint_errors(aligned, target), axis=-1),
        'n_mpjpe': tf.reduce_mean(_joint_errors(scaled, target), axis=-1),
        'pck3d': _pck_from_errors(errors, threshold_mm),
        'auc': _auc_from_errors(errors, AUC_THRESHOLDS_MM),
    }


def _action_name(action) -> str:
  if isinstance(action, bytes):
    return action.decode('utf-8')
  return str(action)


def summarize(per_example: Mapping[str, object],
              actions: Optional[Sequence] = None) -> dict:
  """Means over samples, and per action, of per-example metric values.

  Args:
    per_example: metric name -> [N] values (numpy, list or tensor), one
      per sample, all of the same length N > 0.
    actions: optional [N] action labels (str or bytes) of the samples.

  Returns:
    {'count': N, 'mean': {metric: float}} and, when `actions` is given,
    'per_action': {action: {'count': n, 'mean': {metric: float}}} (sorted
    by action) and 'mean_over_actions': {metric: unweighted mean of the
    per-action means} (the Human3.6M habit).
  """
  if not per_example:
    raise ArgumentError('per_example is empty')
  values = {}
  for key, value in per_example.items():
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != 1:
      raise ArgumentError(
          f'per_example[{key!r}] must be one value per sample, shape [N], '
          f'got {array.shape}')
    values[key] = array
  counts = {array.shape[0] for array in values.values()}
  if len(counts) != 1:
    raise ArgumentError(f'per_example metrics differ in length: {counts}')
  count = counts.pop()
  if count == 0:
    raise ArgumentError('per_example has no samples')
  result = {'count': count,
            'mean': {k: float(np.mean(v)) for k, v in values.items()}}
  if actions is None:
    return result
  labels = np.asarray([_action_name(a) for a in np.asarray(actions).ravel()])
  if labels.shape[0] != count:
    raise ArgumentError(
        f'actions has {labels.shape[0]} labels for {count} samples')
  per_action = {}
  for action in sorted(set(labels.tolist())):
    mask = labels == action
    per_action[action] = {
        'count': int(mask.sum()),
        'mean': {k: float(np.mean(v[mask])) for k, v in values.items()}}
  result['per_action'] = per_action
  result['mean_over_actions'] = {
      k: float(np.mean([a['mean'][k] for a in per_action.values()]))
      for k in values}
  return result
