"""Training a run to its final step and evaluating it, unless it is done."""

from __future__ import annotations

import contextlib
import os
from typing import Callable, Dict, Optional

import tensorflow as tf

from geo_rep_tf.runs.model_dir import check_model_dir
from geo_rep_tf.training import checkpoints
from geo_rep_tf.training.trainer import Task, Trainer, TrainerConfig


def train_and_evaluate(task: Task, trainer_config: TrainerConfig,
                       strategy: Optional[tf.distribute.Strategy] = None,
                       flags_text: Optional[str] = None,
                       extra_config: Optional[Dict] = None,
                       log: Callable[[str], None] = print) -> bool:
  """Trains `task` to `trainer_config.train_steps`, then evaluates it.

  A run whose latest checkpoint already holds the final step is left as it
  is: building the trainer would first build the input pipeline (for a
  regressor on G: encode every labelled sample) only to do nothing. A run
  stopped earlier resumes from its last checkpoint (the trainer restores).

  Args:
    task: what is trained (a representation, regressor or hourglass task).
    trainer_config: loop, optimiser and checkpoint settings; its model_dir
      is checked to be a writable directory first.
    strategy: distribution strategy (None: the default one).
    flags_text: written to model_dir/flags.txt (a flagfile of the run).
    extra_config: merged into model_dir/config.json (the task's config).
    log: progress lines.

  Returns:
    True if it trained now, False if the run was already finished.

  Raises:
    ArgumentError: the model dir is not a writable directory, or holds a
      run of another stage (nothing there is changed).
  """
  model_dir = trainer_config.model_dir
  existed = os.path.lexists(model_dir)
  check_model_dir(model_dir, task.name)
  done = checkpoints.saved_step(model_dir)
  if done is not None and done >= trainer_config.train_steps:
    log(f'{model_dir}: already trained to step {done} '
        f'(--train_steps={trainer_config.train_steps}); nothing to do')
    return False
  try:
    trainer = Trainer(task, trainer_config, strategy, flags_text=flags_text,
                      extra_config=extra_config, log=log)
  except BaseException:
    # A run that could not even start leaves no empty directory behind.
    if not existed:
      with contextlib.suppress(OSError):
        os.rmdir(model_dir)
    raise
  trainer.train()
  trainer.evaluate()
  return True
