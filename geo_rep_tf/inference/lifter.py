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


def _resolve(path: str, run_dir: str) -> str:
  if os.path.isabs(path):
    return path
  for base in (os.getcwd(), run_dir, os.path.dirname(run_dir),
               str(defaults.REPO_ROOT)):
    candidate = os.path.normpath(os.path.join(base, path))
    if os.path.isfile(os.path.join(candidate, 'config.json')):
      return candidate
  return path


def _load_regressor_run(model_dir: str) -> Lifter:
  import tensorflow as tf
  from geo_rep_tf.models.pose_lifter import REGRESSORS
  from geo_rep_tf.training import regressor_task as rt
  cfg, ckpt_path = rt.read_run(model_dir, 'regressor')
  if cfg.get('representation_dir') and REGRESSORS.get(
      cfg.get('regressor'), (0, 0))[1]:
    rep = _resolve(cfg['representation_dir'], model_dir)
    if not os.path.isfile(os.path.join(rep, 'config.json')):
      raise DataError(f'the lifter\'s representation run '
                      f'{cfg["representation_dir"]!r} was not found (looked '
                      'in the working directory, beside the lifter and in '
                      'the repository)', os.path.join(model_dir,
                                                      'config.json'))
    cfg['representation_dir'] = rep
  model, config = rt.load_regressor_run(
      model_dir, representation_dir=cfg.get('representation_dir'))

  @tf.function(input_signature=[tf.TensorSpec([None, 16, 2], tf.float32)])
  def lift(kp):
    return model({'keypoints_2d_px': kp}, training=False)['pose_3d_mm']

  version = (f'regressor run {config.regressor} '
             f'({os.path.basename(ckpt_path)})')
  return Lifter(lambda kp: lift(tf.constant(kp)).numpy(), version, model_dir)


def load_lifter(path: Optional[str] = None) -> Lifter:
  """Loads a lifter (default: `defaults.DEFAULT_LIFTER_DIR`).

  Raises:
    DataError: the directory is missing or holds neither a regressor run nor
      an export this installation can read.
  """
  path = os.path.abspath(path or defaults.DEFAULT_LIFTER_DIR)
  if not os.path.exists(path):
    hint = (' (the pretrained lifter is not in this checkout; train one with '
            'tools/train_regressor.py and pass --lifter_dir)'
            if path == os.path.abspath(defaults.DEFAULT_LIFTER_DIR) else '')
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
