"""A non-finite step is a true skip, is counted, and K in a row stop training."""

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

from geo_rep_tf.training.trainer import Trainer, TrainerConfig, TrainingError
from tests.reliability.toy_task import ToyTask


def _trainer(tmp_path, poison, **kw):
  kw.setdefault('steps_per_loop', 1)
  cfg = TrainerConfig(model_dir=str(tmp_path), global_batch_size=8,
                      learning_rate=1e-2, decay='constant',
                      image_summaries_every=0, log_every_s=1e9, **kw)
  return Trainer(ToyTask(poison), cfg, log=lambda s: None)


def _state(trainer):
  return ([v.numpy().copy() for v in trainer.model.weights] +
          [v.numpy().copy() for v in trainer.optimizer.variables])


def test_nonfinite_step_changes_no_weight_and_no_optimizer_slot(tmp_path):
  trainer = _trainer(tmp_path, poison=[3], train_steps=2)
  trainer.train()
  before = _state(trainer)
  trainer.config.train_steps = 3  # step 3 is poisoned
  trainer.train()
  after = _state(trainer)
  assert int(trainer.step.numpy()) == 3
  assert int(trainer.nonfinite_total.numpy()) == 1
  assert len(before) == len(after) > 4  # weights, Adam m/v, iterations
  for b, a in zip(before, after):
    np.testing.assert_array_equal(a, b)
  trainer.config.train_steps = 4  # a finite step moves everything again
  trainer.train()
  moved = _state(trainer)
  assert int(trainer.optimizer.iterations.numpy()) == 3
  assert all(np.all(np.isfinite(v)) for v in moved)
  assert not np.array_equal(moved[0], after[0])


def test_skipped_steps_are_counted_in_tensorboard(tmp_path):
  trainer = _trainer(tmp_path, poison=[2, 5, 6], train_steps=8,
                     steps_per_loop=4)
  last = trainer.train()
  assert np.isfinite(last['total'])
  acc = event_accumulator.EventAccumulator(str(tmp_path / 'train'),
                                           size_guidance={'tensors': 0})
  acc.Reload()
  counts = [(e.step, float(tf.make_ndarray(e.tensor_proto)))
            for e in acc.Tensors('nonfinite_steps')]
  assert counts == [(4, 1.0), (8, 3.0)]


def test_k_nonfinite_steps_in_a_row_stop_with_a_clear_message(tmp_path):
  trainer = _trainer(tmp_path, poison=range(3, 100), train_steps=50,
                     max_nonfinite_steps=4)
  with pytest.raises(TrainingError, match=r'4 non-finite steps in a row at '
                     r'step 6; lower --learning_rate'):
    trainer.train()
  # Below K in a row, training goes on to the end.
  trainer = _trainer(tmp_path / 'b', poison=[2, 3, 4, 6, 7, 8], train_steps=10,
                     max_nonfinite_steps=4)
  trainer.train()
  assert int(trainer.step.numpy()) == 10


class _EmptyTrain(ToyTask):
  def dataset(self, context, split='train'):
    ds = super().dataset(context, split)
    return ds.take(2) if split == 'train' else ds


def test_training_data_that_runs_out_is_a_data_error(tmp_path):
  from geo_rep_tf.errors import DataError
  cfg = TrainerConfig(model_dir=str(tmp_path), global_batch_size=8,
                      train_steps=5, steps_per_loop=5,
                      image_summaries_every=0, log_every_s=1e9)
  trainer = Trainer(_EmptyTrain(), cfg, log=lambda s: None)
  with pytest.raises(DataError, match='training data ran out at step'):
    trainer.train()
