"""The hourglass backend on a tiny hourglass run."""

import numpy as np
import pytest

from geo_rep_tf.errors import DataError


def test_hourglass_backend_gives_one_person_in_the_image(tiny_hourglass_dir):
  from geo_rep_tf.inference.hourglass_backend import HourglassBackend
  backend = HourglassBackend(tiny_hourglass_dir)
  image = np.random.default_rng(0).integers(0, 255, [90, 160, 3], np.uint8)
  (person,) = backend(image)
  assert person.keypoints_px.shape == (16, 2)
  # Every keypoint lies in the letterboxed square around the image.
  assert np.all(person.keypoints_px[:, 0] >= -1)
  assert np.all(person.keypoints_px[:, 0] <= 160)
  assert np.all(person.keypoints_px[:, 1] >= -36)
  assert np.all(person.keypoints_px[:, 1] <= 126)
  assert np.all((person.confidence >= 0) & (person.confidence <= 1))
  two = backend(image, boxes=[[0, 0, 40, 80], [100, 10, 150, 90]])
  assert len(two) == 2
  assert np.all(two[0].keypoints_px[:, 0] <= 40 + 0.625 * 80)


def test_hourglass_missing_run():
  from geo_rep_tf.inference.hourglass_backend import HourglassBackend
  with pytest.raises(DataError, match='hourglass run directory not found'):
    HourglassBackend('/nonexistent/run')
