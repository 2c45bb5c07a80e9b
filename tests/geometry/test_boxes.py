"""Tests of geo_rep_tf.geometry.boxes."""

import numpy as np

from geo_rep_tf.geometry import boxes


def test_box_iou():
  iou = boxes.box_iou(np.array([0, 0, 2, 2.0]),
                      np.array([[1, 1, 3, 3.0], [2, 2, 3, 3], [0, 0, 2, 2]]))
  np.testing.assert_allclose(iou, [1 / 7, 0, 1])
