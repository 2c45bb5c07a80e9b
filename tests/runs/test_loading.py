"""Loading a hourglass run (config.json + checkpoint)."""

import json

import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.errors import DataError
from geo_rep_tf.runs import model_state
from geo_rep_tf.runs.loading import load_hourglass_run
from tests.export.conftest import TINY_HOURGLASS, make_hourglass


def test_hourglass_run_round_trip(tmp_path):
  model = make_hourglass()
  image = np.random.RandomState(0).rand(1, 32, 32, 3).astype(np.float32)
  # Move the batch-norm statistics off their initial values, so that a
  # restore that missed them (Checkpoint(model=...) does) would show.
  for v in model.non_trainable_variables:
    v.assign(v + 0.1)
  want = model(image, training=False)['heatmaps'].numpy()
  (tmp_path / 'config.json').write_text(json.dumps(
      {'hourglass': dict(TINY_HOURGLASS, annotations='unused')}))
  ckpt = tf.train.Checkpoint(
      model_variables=model_state.variables_by_path(model))
  tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=1).save()
  loaded = load_hourglass_run(str(tmp_path))
  np.testing.assert_allclose(loaded(image, training=False)['heatmaps'], want,
                             atol=1e-6)


def test_hourglass_run_errors(tmp_path):
  with pytest.raises(DataError, match='not a hourglass run'):
    load_hourglass_run(str(tmp_path))
  (tmp_path / 'config.json').write_text(json.dumps({'hourglass': {}}))
  with pytest.raises(DataError, match='has no checkpoint'):
    load_hourglass_run(str(tmp_path))
