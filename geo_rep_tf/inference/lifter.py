"""2D -> 3D lifters for inference: a regressor run directory or an export.

`load_lifter(path)` returns a `Lifter`: call it with [N, 16, 2] keypoints in
image pixels, get [N, 16, 3] root-relative poses in mm (the predicted pelvis is
subtracted), in the frame of the camera that took the image (x right, y down,
z forward).

A regressor run (`tools/train_regressor.py --model_dir`) holds config.json and
checkpoints. Its config names the representation run whose encoder gives G;
a relative `representation_dir` is looked up from the working directory, then
beside the regressor run (so a run directory can be moved together with its
representation, e.g. `models/pretrained/{lifter,representation}` with
`representation_dir: ../representation`), then from the repository root.
Anything else (an export directory, a SavedModel, a .tflite file) is handed
to `geo_rep_tf.export.load_lifter` when that module provides one.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Callable, Optional

import numpy as np

from geo_rep_tf.errors import DataError
from geo_rep_tf.inference import defaults


@dataclasses.dataclass
class Lifter:
  """A loaded lifter.

  Attributes:
    fn: [N, 16, 2] float32 pixels -> [N, 16, 3] float32 mm.
    version: what was loaded (kind, regressor type, checkpoint), for the
      output JSON.
    path: the directory it came from.
  """
  fn: Callable[[np.ndarray], np.ndarray]
  version: str
  path: str

  def __call__(self, keypoints_px: np.ndarray) -> np.ndarray:
    kp = np.asarray(keypoints_px, np.float32)
    if kp.ndim != 3 or kp.shape[1:] != (16, 2):
      raise DataError(f'lifter input must be [N, 16, 2], got {kp.shape}')
    if not len(kp):
      return np.zeros([0, 16, 3], np.float32)
    pose = np.asarray(self.fn(kp), np.float32).reshape(len(kp), 16, 3)
    # Regressors predict the pelvis too (not forced to 0); the output is
    # root-relative by definition, as the metrics see it.
    return pose - pose[:, :1]


def _load_regressor_run(model_dir: str) -> Lifter:
  from geo_rep_tf.runs import files, loading
  model, config = loading.load_regressor_run(model_dir)
  ckpt_path = files.latest_checkpoint(model_dir)
  version = (f'regressor run {config.regressor} '
             f'({os.path.basename(ckpt_path)})')
  return Lifter(compiled_lift(model), version, model_dir)


def _bucket(n: int) -> int:
  """The batch size a call of n poses is padded to: the next power of 2."""
  return 1 << max(0, int(n) - 1).bit_length()


def compiled_lift(model) -> Callable[[np.ndarray], np.ndarray]:
  """[N, 16, 2] px -> [N, 16, 3] mm through the model, XLA-compiled.

  XLA fuses the skeleton-map rendering and the small encoder: one pose
  lifts in ~2 ms instead of ~7 ms on 2 cores (the full method's lifter),
  which keeps lifting within 20% of BlazePose's time. XLA compiles once per
  batch size (< 1 s each), so calls are padded (repeating the last pose) to
  a power of 2. Where XLA cannot compile the graph, the plain graph runs.
  """
  import tensorflow as tf

  def forward(kp):
    return model({'keypoints_2d_px': kp}, training=False)['pose_3d_mm']

  spec = [tf.TensorSpec([None, 16, 2], tf.float32)]
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


def load_lifter(path: Optional[str] = None) -> Lifter:
  """Loads a lifter (default: `defaults.DEFAULT_LIFTER_DIR`; the names of
  `defaults.LIFTER_NAMES`, 'full' and 'baseline1', give the committed ones).

  Raises:
    DataError: the directory is missing or holds neither a regressor run nor
      an export this installation can read.
  """
  path = os.path.abspath(defaults.lifter_path(path))
  if not os.path.exists(path):
    committed = [os.path.abspath(p) for p in (
        defaults.DEFAULT_LIFTER_DIR, *defaults.LIFTER_NAMES.values())]
    hint = (' (the pretrained lifter is not in this checkout; train one with '
            'tools/train_regressor.py and pass --lifter_dir)'
            if path in committed else '')
    raise DataError(f'lifter directory not found{hint}', path)
  if os.path.isdir(path) and os.path.isfile(os.path.join(path,
                                                        'config.json')):
    return _load_regressor_run(path)
  try:
    from geo_rep_tf.export import load_lifter as load_exported
  except ImportError:
    load_exported = None
  if load_exported is None:
    raise DataError('not a regressor run (no config.json), and this '
                    'installation cannot load exported lifters', path)
  exported = load_exported(path)
  fn = getattr(exported, '__call__', exported)

  def lift(kp):
    out = fn(kp)
    if isinstance(out, dict):
      out = out['pose_3d_mm']
    return np.asarray(out)

  kind = getattr(exported, 'backend', 'export')
  return Lifter(lift, f'exported lifter ({kind}: {os.path.basename(path)})',
                path)
