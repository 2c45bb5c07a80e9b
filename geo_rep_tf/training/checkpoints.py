"""Checkpoint management: resume, fall back past corrupt checkpoints, warm start.

Crash safety of a save: TensorFlow writes a checkpoint's shards under
`<prefix>_temp/`, merges them into `<prefix>.index` / `.data-*`, and only
then `tf.train.CheckpointManager` rewrites the `checkpoint` state file (an
atomic write-and-rename). A SIGKILL at any moment therefore leaves the
previous checkpoint as the latest (tests/reliability/test_crash_resume.py
kills real runs at random moments). A checkpoint that is corrupt or truncated
anyway (disk full, bit rot, a partial copy) is detected on restore and the
previous one used, with a warning; if none can be read, `restore_latest`
raises rather than silently start afresh.
"""

from __future__ import annotations

import os
import tempfile
from typing import Callable, Optional

from absl import logging as absl_logging
import tensorflow as tf

from geo_rep_tf.errors import DataError
from geo_rep_tf.runs.files import latest_checkpoint


def make_manager(ckpt: tf.train.Checkpoint, model_dir: str, keep: int,
                 chief: bool = True) -> tf.train.CheckpointManager:
  """A manager in model_dir (non-chief workers write to a throwaway dir)."""
  directory = model_dir if chief else tempfile.mkdtemp(prefix='worker_ckpt_')
  return tf.train.CheckpointManager(ckpt, directory, max_to_keep=keep)


def restore_latest(ckpt: tf.train.Checkpoint,
                   manager: tf.train.CheckpointManager,
                   log: Callable[[str], None] = print) -> Optional[str]:
  """Restores the newest readable checkpoint; returns its path or None.

  Raises:
    DataError: checkpoints are listed but none of them can be read. A
      silent restart from scratch would throw the run away (and a failed
      restore may have half-assigned the variables), so the user decides.
  """
  failed = []
  for path in reversed(manager.checkpoints):
    try:
      ckpt.restore(path).assert_existing_objects_matched()
      return path
    # A damaged file surfaces as OpError (DataLoss, NotFound), ValueError,
    # IndexError ("Read less bytes than requested"), AssertionError (objects
    # not matched) and more; any failure to read it means: try the previous.
    except Exception as e:  # pylint: disable=broad-except
      text = str(e).strip()
      first = text.splitlines()[0] if text else ''
      log(f'warning: checkpoint {path} is unreadable ({type(e).__name__}: '
          f'{first[:200]}); trying the previous one')
      absl_logging.warning('checkpoint %s is unreadable: %s', path, first)
      failed.append(path)
  if failed:
    raise DataError(f'none of the {len(failed)} checkpoints can be read '
                    f'(newest {os.path.basename(failed[0])}); move them away '
                    'to start afresh', manager.directory)
  return None


def saved_step(model_dir: str) -> Optional[int]:
  """The training step in model_dir's latest checkpoint, read from disk.

  Cheap (no model is built), so a binary can see that a run is finished
  before it builds an input pipeline. None when there is no checkpoint or
  its step cannot be read (the trainer's restore then decides). The key is
  that of the `step` variable `Trainer` checkpoints.
  """
  path = latest_checkpoint(model_dir)
  if not path:
    return None
  try:
    return int(tf.train.load_variable(path, 'step/.ATTRIBUTES/VARIABLE_VALUE'))
  except Exception:  # pylint: disable=broad-except
    return None


def read_manager(ckpt: tf.train.Checkpoint, model_dir: str,
                 manager: tf.train.CheckpointManager
                 ) -> tf.train.CheckpointManager:
  """The manager to resume from: the chief's model_dir for every worker.

  Non-chief workers write to a throwaway directory but must resume from the
  checkpoints the chief wrote (a shared model_dir), or they would restart
  from scratch while the chief resumes.
  """
  if os.path.abspath(manager.directory) == os.path.abspath(model_dir):
    return manager
  return tf.train.CheckpointManager(ckpt, model_dir, max_to_keep=None)
