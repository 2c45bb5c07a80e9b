"""A run's model directory: where a training run writes and resumes."""

from __future__ import annotations

import glob
import json
import os
from typing import Optional

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.utils.files import check_output_dir


def check_model_dir(path: str, task: Optional[str] = None) -> None:
  """Makes sure `path` is (or becomes) a writable directory of this run.

  Checked before anything is built or written, so that a mistyped
  --model_dir fails in one line instead of after minutes of input-pipeline
  work, and so that a directory holding another stage's run (a regressor
  pointed at a representation run) is refused before its config.json and
  flags.txt would be replaced.

  Args:
    path: the run's model directory; created when absent.
    task: the stage about to train there ('representation', 'regressor',
      'hourglass'); None skips the check of what the directory holds.

  Raises:
    ArgumentError: `path` is a file, cannot be created or is not writable,
      or holds another stage's run or checkpoints without a config.json
      (the message names --model_dir, the flag every trainer takes it
      from).
  """
  if os.path.exists(path) and not os.path.isdir(path):
    raise ArgumentError(f'--model_dir={path} is a file, not a directory')
  if task is not None:
    check_run_kind(path, task)
  check_output_dir(path, '--model_dir')


def run_kind(path: str) -> Optional[str]:
  """The stage of the run in `path` ('task' of its config.json), '' for a
  directory with checkpoints but no readable config.json, None for a
  directory that holds no run (absent, empty or unrelated files)."""
  config = os.path.join(path, 'config.json')
  if os.path.isfile(config):
    try:
      with open(config) as fh:
        kind = json.load(fh).get('task')
    except (OSError, ValueError, AttributeError):
      kind = None
    if isinstance(kind, str) and kind:
      return kind
    return ''
  if glob.glob(os.path.join(path, 'ckpt-*.index')):
    return ''
  return None


def check_run_kind(path: str, task: str) -> None:
  """Refuses to train `task` in a directory that holds another run.

  Raises:
    ArgumentError: `path` holds a run of another stage, or checkpoints
      whose config.json is missing or unreadable.
  """
  kind = run_kind(path)
  if kind is None or kind == task:
    return
  if kind == '':
    raise ArgumentError(
        f'--model_dir={path} holds checkpoints but no readable config.json '
        f'(not a run this tool can resume); give the {task} run a directory '
        'of its own')
  raise ArgumentError(
      f'--model_dir={path} holds a {kind} run; a {task} run needs a '
      'directory of its own (nothing was changed there)')
