"""Trained models from run directories (config.json + checkpoint), for export."""

from __future__ import annotations

import keras
import tensorflow as tf

from geo_rep_tf.errors import DataError
from geo_rep_tf.models.stacked_hourglass import StackedHourglass
from geo_rep_tf.training import model_state
from geo_rep_tf.training.regressor_task import load_regressor_run, read_run

__all__ = ['load_regressor_run', 'load_hourglass_run']


def load_hourglass_run(model_dir: str) -> keras.Model:
  """A trained StackedHourglass from a hourglass run's directory."""
  cfg, ckpt_path = read_run(model_dir, 'hourglass')
  try:
    model = StackedHourglass(num_stacks=cfg['num_stacks'],
                             num_features=cfg['num_features'],
                             depth=cfg['depth'], input_size=cfg['input_size'],
                             name='hourglass')
  except KeyError as e:
    raise DataError(f'config.json: hourglass section lacks {e}',
                    model_dir) from None
  size = model.input_size
  model(tf.zeros([1, size, size, 3]), training=False)
  # Not Checkpoint(model=...): it misses list-held layers (model_state).
  model_state.restore_model(model, ckpt_path)
  return model
