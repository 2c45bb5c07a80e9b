"""Every variable of a Keras 3 model, in a form tf.train.Checkpoint saves.

`tf.train.Checkpoint(model=keras_model)` is not enough under Keras 3: it
follows layers held as attributes but not layers held in Python lists (our
encoders and decoders keep their layers in a list), so it silently saves
none of those weights, and no non-trainable state such as batch-norm moving
statistics. The optimizer's slot list does reach the trainable weights, so a
resumed run looked right while a run loaded for evaluation (no optimizer)
got freshly initialised encoders. Checkpointing `variables_by_path(model)`
beside the model saves every variable under its stable Keras path.
"""

from __future__ import annotations

import os
from typing import Dict

from absl import logging as absl_logging
import keras
import tensorflow as tf

from geo_rep_tf.errors import DataError
from geo_rep_tf.runs.files import checkpoint_candidates


def variables_by_path(model: keras.Model) -> Dict[str, tf.Variable]:
  """{variable path: variable} of every (trainable or not) variable.

  A path seen twice (layers that share a name) gets '#k' appended in the
  order of `model.variables`, which is deterministic for a given build.
  Dropout seed-generator states are left out: they are RNG state, not
  weights, and Keras names them from a process-wide counter
  ('seed_generator_5/...'), so their paths differ between processes.
  """
  out = {}
  for v in model.variables:
    if 'seed_generator' in v.path:
      continue
    key = v.path
    k = 1
    while key in out:
      key = f'{v.path}#{k}'
      k += 1
    out[key] = v
  return out


def restore_model(model: keras.Model, checkpoint_path: str) -> None:
  """Loads every variable of a built model from a trainer checkpoint.

  Raises:
    DataError: the checkpoint lacks some of the model's variables (e.g. it
      was written before variables were saved by path, or by another
      architecture).
  """
  variables = variables_by_path(model)
  ckpt = tf.train.Checkpoint(model_variables=variables)
  if not any(name.startswith('model_variables/') for name, _ in
             tf.train.list_variables(checkpoint_path)):
    raise DataError('checkpoint holds no model variables by path (written '
                    'by an older version?); retrain this run',
                    checkpoint_path)
  status = ckpt.restore(checkpoint_path)
  status.expect_partial()
  try:
    status.assert_existing_objects_matched()
  except AssertionError as e:
    first = str(e).strip().splitlines()[0][:200]
    raise DataError(f'checkpoint does not match the model: {first}',
                    checkpoint_path) from None


def restore_newest_readable(model: keras.Model, checkpoint_path: str) -> str:
  """`restore_model` from the newest checkpoint that can be read.

  `checkpoint_path` is the newest checkpoint of a run (a prefix in its
  directory). A damaged file (a checksum mismatch, a truncated copy) makes
  the loader fall back to the previous checkpoint of the same run, with a
  warning; a checkpoint that reads but does not fit the model is not a
  reason to try older ones.

  Returns:
    The prefix restored.

  Raises:
    DataError: naming the newest checkpoint's .index file, when no
      checkpoint of the run can be read; or the model does not match.
  """
  run_dir = os.path.dirname(checkpoint_path)
  candidates = [checkpoint_path] + [
      p for p in checkpoint_candidates(run_dir) if p != checkpoint_path]
  first_error = None
  for path in candidates:
    try:
      restore_model(model, path)
    except DataError:
      raise
    # A damaged file surfaces as OpError (DataLoss, NotFound), ValueError,
    # IndexError and more: any failure to read it means: try the previous.
    except Exception as e:  # pylint: disable=broad-except
      text = (str(e).strip().splitlines() or [''])[0][:200]
      first_error = first_error or f'{type(e).__name__}: {text}'
      absl_logging.warning('checkpoint %s cannot be read (%s); trying the '
                           'previous one', path, text)
      continue
    if path != checkpoint_path:
      absl_logging.warning('loaded %s: the newest checkpoint %s is damaged',
                           path, checkpoint_path)
    return path
  raise DataError(f'checkpoint is damaged and no earlier one can be read '
                  f'({first_error})', checkpoint_path + '.index')
