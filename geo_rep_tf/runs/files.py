"""The files of a finished run: config.json, checkpoints, event files.

A run directory (`Trainer`'s model_dir) holds config.json ({section: the
stage's config dataclass as a dict, ...}), checkpoints written by
`tf.train.CheckpointManager`, and TensorBoard event files under `train/`
and `eval/`. TensorFlow is imported on first use, so that reading a
config costs nothing.
"""

from __future__ import annotations

import json
import os
from typing import Dict, List, Optional, Tuple

from geo_rep_tf.errors import DataError
from geo_rep_tf.runs.committed import SOURCE_ROOT


def latest_checkpoint(path: str) -> Optional[str]:
  """A checkpoint prefix from a directory or a prefix; None if none."""
  import tensorflow as tf
  if os.path.isdir(path):
    return tf.train.latest_checkpoint(path)
  if tf.io.gfile.exists(path + '.index'):
    return path
  return None


def checkpoint_candidates(path: str) -> List[str]:
  """Checkpoint prefixes of a run directory, newest first (or [path] for a
  prefix), for a loader that falls back past a damaged newest one."""
  import tensorflow as tf
  if not os.path.isdir(path):
    return [path] if tf.io.gfile.exists(path + '.index') else []
  state = tf.train.get_checkpoint_state(path)
  if state is None:
    return []
  paths = list(state.all_model_checkpoint_paths)
  if state.model_checkpoint_path and state.model_checkpoint_path not in paths:
    paths.append(state.model_checkpoint_path)
  paths = [p if os.path.isabs(p) else os.path.join(path, p) for p in paths]
  return [p for p in reversed(paths) if tf.io.gfile.exists(p + '.index')]


def read_config(model_dir: Optional[str]) -> Dict:
  """A run's whole config.json, or {} where there is none to read (for
  descriptions of a run, which must not fail on a moved representation)."""
  if not model_dir:
    return {}
  try:
    with open(os.path.join(model_dir, 'config.json')) as fh:
      return json.load(fh)
  except (OSError, json.JSONDecodeError):
    return {}


def read_run(model_dir: str, section: str) -> Tuple[Dict, str]:
  """A run's config.json section and its latest checkpoint, or DataError."""
  path = os.path.join(model_dir, 'config.json')
  try:
    with open(path) as fh:
      cfg = json.load(fh)[section]
  except OSError:
    raise DataError(f'not a {section} run (config.json missing)',
                    model_dir) from None
  except (KeyError, TypeError, json.JSONDecodeError):
    raise DataError(f'config.json has no {section} section', path) from None
  ckpt_path = latest_checkpoint(model_dir)
  if ckpt_path is None:
    raise DataError(f'{section} run has no checkpoint', model_dir)
  return cfg, ckpt_path


def resolve_representation_dir(path: str, run_dir: str) -> str:
  """Where the representation run a regressor run names really is.

  A relative `representation_dir` in a regressor's config.json is looked up
  from the working directory, then beside the regressor run, then beside
  its parent (so a run can move together with its representation, e.g.
  `models/pretrained/{lifter,representation}` with `representation_dir:
  ../representation`), then from the directory above the package (the
  repository root of a source checkout). The first of these that holds a
  config.json wins.

  Args:
    path: the representation_dir as written (absolute or relative).
    run_dir: the regressor run's directory.

  Returns:
    `path` itself when absolute or found nowhere (the loader then says
    what is missing), else the normalised directory found.
  """
  if os.path.isabs(path):
    return path
  for base in (os.getcwd(), run_dir, os.path.dirname(run_dir),
               str(SOURCE_ROOT)):
    candidate = os.path.normpath(os.path.join(base, path))
    if os.path.isfile(os.path.join(candidate, 'config.json')):
      return candidate
  return path


def read_scalars(logdir: str) -> dict:
  """Scalars of one TensorBoard run directory: {tag: (steps, values)}.

  Reads every event file in `logdir` (not its sub-directories) with
  TensorBoard's own reader; scalars written by `tf.summary.scalar` come
  back as tensors, older ones as simple values.

  Args:
    logdir: e.g. a model directory's 'train' or 'eval' folder.

  Returns:
    dict tag -> (steps [K] int64, values [K] float64), sorted by step; {}
    when the folder holds no events.
  """
  import numpy as np
  import tensorflow as tf
  from tensorboard.backend.event_processing import event_accumulator
  if not tf.io.gfile.isdir(logdir):
    return {}
  acc = event_accumulator.EventAccumulator(
      logdir, size_guidance={event_accumulator.TENSORS: 0,
                             event_accumulator.SCALARS: 0})
  acc.Reload()
  out = {}
  for tag in acc.Tags().get('tensors', []):
    events = acc.Tensors(tag)
    values = [tf.make_ndarray(e.tensor_proto) for e in events]
    if values and all(np.size(v) == 1 for v in values):
      out[tag] = [(e.step, float(np.reshape(v, ()))) for e, v in
                  zip(events, values)]
  for tag in acc.Tags().get('scalars', []):
    out[tag] = [(e.step, float(e.value)) for e in acc.Scalars(tag)]
  result = {}
  for tag, pairs in out.items():
    pairs.sort()
    result[tag] = (np.array([p[0] for p in pairs], np.int64),
                   np.array([p[1] for p in pairs], np.float64))
  return result
