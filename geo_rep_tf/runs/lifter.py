"""A lifter for inference, whatever was saved: one callable, one contract.

  lifter = load_lifter('full')                    # a committed lifter, or
  lifter = load_lifter('work_dirs/main/export')   # an export dir, SavedModel,
  pose_3d_mm = lifter(keypoints_2d_px)            # .tflite or regressor run

The contract, for every backend:
  keypoints_2d_px [N, 16, 2] (or one pose [16, 2]): image pixels (x, y),
    model joint order (`geometry.joints.MODEL16`), any real dtype;
  -> pose_3d_mm [N, 16, 3] (or [16, 3]) float32 mm, root-relative (the
    pelvis exactly 0: regressors predict it too, and the wrapper subtracts
    it, as the metrics see a pose), in the frame of the camera that saw the
    keypoints (x right, y down, z forward). An empty batch gives an empty
    result.

Inputs are checked here, before any graph runs: a wrong shape, a
non-numeric dtype or NaN/inf keypoints raise `ArgumentError` with one line
naming the input and the shape expected.

Backends: 'tflite' (LiteRT; loading a .tflite never imports TensorFlow),
'savedmodel' and 'keras' (a regressor run directory, XLA-compiled).
"""

from __future__ import annotations

import json
import os
from typing import Callable, Optional

import numpy as np

from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.runs import committed

# geometry.joints.NUM_JOINTS, not imported: geometry imports TensorFlow.
NUM_JOINTS = 16
BACKENDS = ('auto', 'tflite', 'savedmodel', 'keras')
# Joints whose 2D confidence is below it are flagged (`Lifter.flags`, the
# export's *_with_confidence signatures); the pose never depends on it.
DEFAULT_CONFIDENCE_THRESHOLD = 0.5


def check_keypoints(keypoints_2d_px, name: str = 'keypoints_2d_px',
                    channels: int = 2) -> np.ndarray:
  """[N, 16, C] (or [16, C]) real numbers -> finite float32 [N, 16, C]."""
  array = np.asarray(keypoints_2d_px)
  if array.dtype == object or not (np.issubdtype(array.dtype, np.floating) or
                                   np.issubdtype(array.dtype, np.integer)):
    raise ArgumentError(f'{name} must be real numbers (float32) of shape '
                        f'[N, {NUM_JOINTS}, {channels}], got dtype '
                        f'{array.dtype}')
  if array.ndim == 2:
    array = array[None]
  if array.ndim != 3 or array.shape[1:] != (NUM_JOINTS, channels):
    raise ArgumentError(f'{name} must have shape [N, {NUM_JOINTS}, '
                        f'{channels}], got {list(np.shape(keypoints_2d_px))}')
  array = array.astype(np.float32, copy=False)
  if not np.all(np.isfinite(array)):
    bad = int(array.size - np.count_nonzero(np.isfinite(array)))
    raise ArgumentError(f'{name} holds {bad} NaN or inf values; drop or fill '
                        'missing keypoints first')
  return array


def check_confidence(confidence, num: int) -> np.ndarray:
  """[N, 16] (or [16]) real numbers -> float32 [num, 16], or ArgumentError."""
  array = np.asarray(confidence)
  if not (np.issubdtype(array.dtype, np.floating) or
          np.issubdtype(array.dtype, np.integer)):
    raise ArgumentError('confidence must be real numbers of shape '
                        f'[N, {NUM_JOINTS}], got dtype {array.dtype}')
  if array.ndim == 1:
    array = array[None]
  if array.shape != (num, NUM_JOINTS):
    raise ArgumentError(f'confidence must have shape [{num}, {NUM_JOINTS}] '
                        f'(N of keypoints_2d_px), got '
                        f'{list(np.shape(confidence))}')
  return array.astype(np.float32, copy=False)


class Lifter:
  """2D keypoints in pixels -> root-relative 3D pose in mm (see the module).

  Attributes:
    path: what was loaded.
    backend: 'tflite', 'savedmodel' or 'keras'.
    confidence_threshold: used by `flags`.
    version: what was loaded, in words (for the output JSON of `infer`).
  """

  def __init__(self, path: str, backend: str,
               run: Callable[[np.ndarray], np.ndarray],
               confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
               version: Optional[str] = None):
    """`run`: float32 [N, 16, 2] px (N >= 1) -> [N, 16, 3] mm, any root."""
    self.path = path
    self.backend = backend
    self._run = run
    self.confidence_threshold = confidence_threshold
    self.version = version or f'{backend} lifter ({os.path.basename(path)})'

  def __call__(self, keypoints_2d_px) -> np.ndarray:
    """Lifts poses.

    Args:
      keypoints_2d_px: [N, 16, 2] (or [16, 2]) pixels (x, y), model joint
        order (`geometry.joints.MODEL16`).

    Returns:
      [N, 16, 3] (or [16, 3]) float32 mm, root-relative (pelvis exactly 0),
      in the frame of the camera that saw the keypoints.

    Raises:
      ArgumentError: a wrong shape or dtype, or NaN/inf keypoints.
    """
    single = np.ndim(keypoints_2d_px) == 2
    keypoints = check_keypoints(keypoints_2d_px)
    n = keypoints.shape[0]
    if n == 0:
      pose = np.zeros([0, NUM_JOINTS, 3], np.float32)
    else:
      pose = np.asarray(self._run(keypoints), np.float32).reshape(
          n, NUM_JOINTS, 3)
      # Regressors predict the pelvis too (not forced to 0); the output is
      # root-relative by definition, as the metrics see it.
      pose = pose - pose[:, :1]
    return pose[0] if single else pose

  def flags(self, confidence):
    """(joint_confident [N, 16] bool, pose_confident [N] bool).

    The pose never depends on the confidence (see `export.serving`): a
    caller decides what to do with a flagged pose.
    """
    conf = np.asarray(confidence, np.float32)
    joint = conf >= self.confidence_threshold
    return joint, np.all(joint, axis=-1)

  def __repr__(self):
    return f'Lifter({self.path!r}, backend={self.backend!r})'


def _tflite_runner(path: str, num_threads: Optional[int]):
  from ai_edge_litert.interpreter import Interpreter
  try:
    interpreter = Interpreter(model_path=path, num_threads=num_threads)
  except (ValueError, RuntimeError) as e:
    raise DataError(f'not a readable TFLite model ({e})', path) from None
  sigs = interpreter.get_signature_list()
  if not sigs:
    raise DataError('TFLite model has no signature', path)
  runner = interpreter.get_signature_runner(next(iter(sigs)))
  in_name = next(iter(runner.get_input_details()))
  out_name = ('pose_3d_mm' if 'pose_3d_mm' in runner.get_output_details()
              else next(iter(runner.get_output_details())))

  def run(keypoints):
    return runner(**{in_name: keypoints})[out_name]
  return run


def _saved_model_runner(path: str):
  import tensorflow as tf
  try:
    loaded = tf.saved_model.load(path)
  except (OSError, ValueError) as e:
    raise DataError(f'not a readable SavedModel '
                    f'({" ".join(str(e).split())[:200]})', path) from None
  if 'keypoints_to_pose3d' not in loaded.signatures:
    raise DataError('SavedModel has no keypoints_to_pose3d signature', path)
  fn = loaded.signatures['keypoints_to_pose3d']

  def run(keypoints):
    return fn(keypoints_2d_px=tf.constant(keypoints))['pose_3d_mm'].numpy()
  run.loaded = loaded  # Keeps the variables alive.
  return run


def _bucket(n: int) -> int:
  """The batch size a call of n poses is padded to: the next power of 2."""
  return 1 << max(0, int(n) - 1).bit_length()


def compiled_lift(model) -> Callable[[np.ndarray], np.ndarray]:
  """[N, 16, 2] px (N >= 1) -> [N, 16, 3] mm through the model, XLA-compiled.

  XLA fuses the skeleton-map rendering and the small encoder: one pose
  lifts in ~2 ms instead of ~7 ms on 2 cores (the full method's lifter),
  which keeps lifting within 20% of BlazePose's time. XLA compiles once per
  batch size (< 1 s each), so calls are padded (repeating the last pose) to
  a power of 2. Where XLA cannot compile the graph, the plain graph runs.
  The output is the model's (not made root-relative: `Lifter` does that).
  """
  import tensorflow as tf

  def forward(kp):
    return model({'keypoints_2d_px': kp}, training=False)['pose_3d_mm']

  spec = [tf.TensorSpec([None, NUM_JOINTS, 2], tf.float32)]
  plain = tf.function(forward, input_signature=spec)
  compiled = [tf.function(forward, input_signature=spec, jit_compile=True)]

  def call(kp: np.ndarray) -> np.ndarray:
    if compiled:
      n = len(kp)
      padded = np.concatenate([kp, np.repeat(kp[-1:], _bucket(n) - n, 0)])
      try:
        return compiled[0](tf.constant(padded)).numpy()[:n]
      except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError,
              tf.errors.InternalError):
        compiled.clear()
    return plain(tf.constant(kp)).numpy()

  return call


def _keras_runner(run_dir: str):
  """(run, version) of a regressor run directory."""
  from geo_rep_tf.runs.files import latest_checkpoint
  from geo_rep_tf.runs.loading import load_regressor_run
  model, config = load_regressor_run(run_dir)
  version = (f'regressor run {config.regressor} '
             f'({os.path.basename(latest_checkpoint(run_dir))})')
  return compiled_lift(model), version


def load_lifter(path: Optional[str] = None, backend: str = 'auto',
                precision: str = 'fp32',
                num_threads: Optional[int] = None) -> Lifter:
  """Loads a lifter from a run dir, an export, a SavedModel or a .tflite.

  Args:
    path: a regressor run directory (config.json + checkpoint; a G-based
      one finds its representation run as `files.resolve_representation_dir`
      says), an export directory (`export_lifter`'s output), its
      `saved_model/`, a `lifter_*.tflite` file, or the name of a committed
      lifter (`committed.LIFTER_NAMES`: 'full', 'baseline1'); None: the
      default committed lifter ('full').
    backend: 'auto' (a .tflite file -> 'tflite'; an export directory ->
      'tflite' with `precision` (the fastest at batch 1, see
      bench/results/export.json); a SavedModel -> 'savedmodel'; a run
      directory -> 'keras', XLA-compiled), or one of those names to choose.
    precision: which `lifter_PREC.tflite` of an export directory.
    num_threads: TFLite interpreter threads (None: LiteRT's default).

  Returns:
    A `Lifter`: `lifter(keypoints_2d_px [N, 16, 2]) -> pose_3d_mm
    [N, 16, 3]`, root-relative.

  Raises:
    DataError: nothing loadable at `path` (or a committed lifter absent
      from this installation).
    ArgumentError: a bad backend.
  """
  if backend not in BACKENDS:
    raise ArgumentError(f'backend must be one of {BACKENDS}, got '
                        f'{backend!r}')
  path = os.path.abspath(committed.lifter_path(
      None if path is None else os.fspath(path)))
  if not os.path.exists(path):
    raise DataError('lifter not found (no such file or directory)'
                    + committed.missing_hint(path), path)
  threshold = None
  export_json = os.path.join(path, 'export.json')
  is_export = os.path.isfile(export_json)
  if is_export:
    with open(export_json) as fh:
      threshold = json.load(fh).get('confidence_threshold')
  is_saved_model = os.path.isfile(os.path.join(path, 'saved_model.pb'))
  is_run = os.path.isfile(os.path.join(path, 'config.json'))
  if backend == 'auto':
    if path.endswith('.tflite') or is_export:
      backend = 'tflite'
    elif is_saved_model:
      backend = 'savedmodel'
    elif is_run:
      backend = 'keras'
    else:
      raise DataError('not an export directory, SavedModel, .tflite file or '
                      'regressor run (no export.json, saved_model.pb or '
                      'config.json)', path)
  version = None
  if backend == 'tflite':
    file = path
    if os.path.isdir(path):
      file = os.path.join(path, f'lifter_{precision}.tflite')
      if not os.path.isfile(file):
        raise DataError(f'no lifter_{precision}.tflite in this directory',
                        path)
    run = _tflite_runner(file, num_threads)
  elif backend == 'savedmodel':
    sm = os.path.join(path, 'saved_model') if is_export else path
    run = _saved_model_runner(sm)
  else:
    run, version = _keras_runner(path)
  if backend != 'keras':
    version = f'exported lifter ({backend}: {os.path.basename(path)})'
  if threshold is None:
    threshold = DEFAULT_CONFIDENCE_THRESHOLD
  return Lifter(path, backend, run, threshold, version)
