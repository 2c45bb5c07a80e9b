"""A task small enough to train in-process in a second (trainer tests)."""

import keras
import numpy as np
import tensorflow as tf

from geo_rep_tf.training.task import Task


class ToyTask(Task):
  """y = x @ w on random data; `poison` steps make the loss NaN."""

  name = 'toy'

  def __init__(self, poison_steps=()):
    # Step k (1-based, as the trainer counts) has batch index k - 1.
    self.poison = tf.constant(sorted({int(s) - 1 for s in poison_steps}) or
                              [-1], tf.int64)

  def build_model(self):
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8),
                             keras.layers.Dense(1)])

  def dataset(self, context, split='train'):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x @ np.arange(1, 5, dtype=np.float32))[:, None]
    ds = tf.data.Dataset.from_tensor_slices({'x': x, 'y': y}).repeat()
    ds = ds.batch(context.get_per_replica_batch_size(8), drop_remainder=True)
    if split != 'train':
      return ds
    poison = self.poison

    def mark(i, batch):
      bad = tf.reduce_any(tf.equal(i, poison))
      return dict(batch, bad=tf.fill([tf.shape(batch['x'])[0]], bad))
    return ds.enumerate().map(mark)

  def compute_losses(self, model, batch, training):
    err = tf.reduce_sum(tf.square(model(batch['x']) - batch['y']), -1)
    if 'bad' in batch:
      err = tf.where(batch['bad'], tf.fill(tf.shape(err), np.nan), err)
    return {'total': err}

  def trainable_variables(self, model):
    return model.trainable_variables

  def eval_metrics(self, model, batch):
    return self.compute_losses(model, batch, False)

  def write_images(self, model, batch, step):
    pass
