"""Checkpoint management: resume, fall back past corrupt checkpoints, warm start.

`tf.train.CheckpointManager` writes a checkpoint's data files before it
updates the `checkpoint` index file, so a kill mid-save leaves the previous
checkpoint as the latest. A checkpoint that is corrupt or truncated anyway
(disk full, a partial copy) is detected on restore; the previous one is used
with a warning.
"""

from __future__ import annotations

import os
import tempfile
from typing import Callable, Optional

import tensorflow as tf


def make_manager(ckpt: tf.train.Checkpoint, model_dir: str, keep: int,
                 chief: bool = True) -> tf.train.CheckpointManager:
  """A manager in model_dir (non-chief workers write to a throwaway dir)."""
  directory = model_dir if chief else tempfile.mkdtemp(prefix='worker_ckpt_')
  return tf.train.CheckpointManager(ckpt, directory, max_to_keep=keep)


def restore_latest(ckpt: tf.train.Checkpoint,
                   manager: tf.train.CheckpointManager,
                   log: Callable[[str], None] = print) -> Optional[str]:
  """Restores the newest readable checkpoint; returns its path or None."""
  for path in reversed(manager.checkpoints):
    try:
      ckpt.restore(path).assert_existing_objects_matched()
      return path
    except (tf.errors.OpError, ValueError, AssertionError) as e:
      first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
      log(f'warning: checkpoint {path} is unreadable ({first}); trying the '
          'previous one')
  return None


def latest_checkpoint(path: str) -> Optional[str]:
  """A checkpoint prefix from a directory or a prefix; None if none."""
  if os.path.isdir(path):
    return tf.train.latest_checkpoint(path)
  if tf.io.gfile.exists(path + '.index'):
    return path
  return None
