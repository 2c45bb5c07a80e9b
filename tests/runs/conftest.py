"""Fixtures: run directories (config.json + checkpoint) built in seconds."""

import json
import os

import pytest


def write_run(model_dir, section, cfg, model):
  """config.json and one checkpoint of `model`, as the trainer writes them."""
  import tensorflow as tf
  from geo_rep_tf.runs import model_state
  os.makedirs(model_dir, exist_ok=True)
  with open(os.path.join(model_dir, 'config.json'), 'w') as fh:
    json.dump({section: cfg, 'task': section}, fh)
  ckpt = tf.train.Checkpoint(
      model_variables=model_state.variables_by_path(model))
  manager = tf.train.CheckpointManager(ckpt, str(model_dir), max_to_keep=1)
  manager.save(checkpoint_number=1)


@pytest.fixture(scope='session')
def tiny_lifter_dir(tmp_path_factory):
  """A Baseline#1 regressor run (untrained, seeded weights): config.json +
  checkpoint, as tools/train_regressor.py writes them."""
  import tensorflow as tf
  from geo_rep_tf.runs.configs import RegressorConfig
  from geo_rep_tf.runs.loading import build_pose_lifter
  cfg = dict(protocol_dir='unused', regressor='baseline1', hidden=32)
  model_dir = tmp_path_factory.mktemp('lifter') / 'run'
  tf.keras.utils.set_random_seed(0)
  model = build_pose_lifter(RegressorConfig(**cfg))
  model(tf.random.uniform([1, 16, 2], 0, 100), training=False)
  write_run(model_dir, 'regressor', cfg, model)
  return str(model_dir)
