"""What a `Trainer` trains: a model, its data and its per-example losses."""

from __future__ import annotations

from typing import Callable, Dict, List, Optional

import keras
import tensorflow as tf


class Task:
  """What a trainer trains. Subclasses override the methods they need."""

  name = 'task'
  # Progress lines: the Trainer sets its own log here before it asks for
  # the model or data (None when a task is used without a Trainer).
  log: Optional[Callable[[str], None]] = None

  def build_model(self) -> keras.Model:
    raise NotImplementedError

  def dataset(self, context: tf.distribute.InputContext,
              split: str = 'train') -> tf.data.Dataset:
    """Per-replica batches (`context.get_per_replica_batch_size`)."""
    raise NotImplementedError

  def compute_losses(self, model, batch, training: bool
                     ) -> Dict[str, tf.Tensor]:
    """Per-example loss terms [B]; must include 'total'."""
    raise NotImplementedError

  def trainable_variables(self, model) -> List[tf.Variable]:
    return model.trainable_variables

  def eval_metrics(self, model, batch) -> Dict[str, tf.Tensor]:
    """Per-example evaluation values [B] (default: the losses)."""
    return self.compute_losses(model, batch, training=False)

  def after_build(self, model) -> None:
    """Hook after the model is built, on every start (freezing)."""

  def initialize(self, model, log: Callable[[str], None]) -> None:
    """Fresh-start initialisation (warm start, statistics).

    Called after the restore, and only when nothing was restored: a resumed
    run's checkpoint already holds what this would compute.
    """

  def write_images(self, model, batch, step: int) -> None:
    """Image / mesh summaries from one batch (chief only, eager)."""
