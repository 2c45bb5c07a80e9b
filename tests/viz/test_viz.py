"""Tests of geo_rep_tf.viz: colours, maps, figures, the Agg backend."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from geo_rep_tf.geometry.joints import BONES, MODEL16
from geo_rep_tf.viz import figures, skeletons

PNG = b'\x89PNG\r\n\x1a\n'


def test_agg_backend_selected():
  assert matplotlib.get_backend().lower() == 'agg'


def test_bone_colors_and_map_to_rgb():
  colors = skeletons.bone_colors()
  assert colors.shape == (len(BONES), 3)
  for b, (_, child) in enumerate(BONES):
    if MODEL16.names[child].startswith('L_'):
      np.testing.assert_allclose(colors[b], (0.15, 0.35, 0.95))
  m = np.zeros((2, 3, len(BONES)), np.float32)
  m[0, 0, 0] = 1.0  # one lit pixel of bone 0
  m[1, 2, 1] = 0.5  # half lit
  rgb = skeletons.map_to_rgb(m)
  assert rgb.shape == (2, 3, 3)
  np.testing.assert_allclose(rgb[0, 0], colors[0], rtol=1e-6)
  # alpha 0.5 over white; the ink 0.5 * colour (divided by max(sum, 1) = 1).
  np.testing.assert_allclose(rgb[1, 2], 0.5 + 0.5 * 0.5 * colors[1],
                             rtol=1e-6)
  np.testing.assert_allclose(rgb[0, 1], 1.0)  # unlit: white


def test_pose_comparison_to_png():
  pose = np.random.default_rng(0).normal(size=(16, 3)) * 300
  fig = figures.plot_pose_comparison(pose, pose, 'same pose')
  png = figures.figure_to_png(fig, dpi=80)
  assert png[:8] == PNG
  assert not plt.get_fignums()  # closed
