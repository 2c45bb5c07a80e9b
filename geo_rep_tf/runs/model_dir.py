"""A run's model directory: where a training run writes and resumes."""

from __future__ import annotations

import os

from geo_rep_tf.errors import ArgumentError


def check_model_dir(path: str) -> None:
  """Makes sure `path` is (or becomes) a writable directory.

  Checked before anything is built, so that a mistyped --model_dir fails in
  one line instead of after minutes of input-pipeline work.

  Args:
    path: the run's model directory; created when absent.

  Raises:
    ArgumentError: `path` is a file, cannot be created or is not writable
      (the message names --model_dir, the flag every trainer takes it from).
  """
  if os.path.exists(path) and not os.path.isdir(path):
    raise ArgumentError(f'--model_dir={path} is a file, not a directory')
  try:
    os.makedirs(path, exist_ok=True)
  except OSError as e:
    raise ArgumentError(f'--model_dir={path}: cannot create it '
                        f'({e.strerror})') from None
  if not os.access(path, os.W_OK):
    raise ArgumentError(f'--model_dir={path} is not writable')
