"""Scalars read back from event files, and the report figures."""

import numpy as np
import tensorflow as tf

from geo_rep_tf.runs.files import read_scalars
from geo_rep_tf.viz import figures


def test_read_scalars_round_trip_and_figures(tmp_path):
  writer = tf.summary.create_file_writer(str(tmp_path / 'train'))
  with writer.as_default():
    for step in (30, 10, 20):
      tf.summary.scalar('loss/total', 1.0 / step, step=step)
  writer.flush()
  scalars = read_scalars(str(tmp_path / 'train'))
  steps, values = scalars['loss/total']
  np.testing.assert_array_equal(steps, [10, 20, 30])
  np.testing.assert_allclose(values, [0.1, 0.05, 1 / 30], rtol=1e-6)
  assert read_scalars(str(tmp_path / 'absent')) == {}

  fig = figures.plot_training_curves({'train': scalars},
                                     ['loss/total', 'loss/missing'])
  figures.save_figure(fig, str(tmp_path / 'curves.png'))
  maps = np.random.default_rng(0).random((2, 16, 16, 15)).astype(np.float32)
  fig = figures.plot_map_triplets(maps, maps, maps, [10.0, 20.0])
  figures.save_figure(fig, str(tmp_path / 'maps.png'))
  for name in ('curves.png', 'maps.png'):
    assert (tmp_path / name).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
