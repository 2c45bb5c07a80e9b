"""Crop geometry, heatmap refinement and the 33 -> 16 mapping (no models)."""

import math

import cv2
import numpy as np
import pytest

from geo_rep_tf.geometry import joints
from geo_rep_tf.inference import blazepose


@pytest.mark.parametrize('direction, rotation_deg', [
    ((0, -1), 0.0), ((1, 0), 90.0), ((0, 1), 180.0), ((-1, 0), -90.0)])
def test_roi_rotation_turns_hips_to_head_upwards(direction, rotation_deg):
  center = np.array([100.0, 200.0])
  roi = blazepose.roi_from_alignment(center, center + 40 * np.array(direction))
  assert roi.side == pytest.approx(2 * 40 * blazepose.ROI_SCALE)
  assert math.degrees(roi.rotation_rad) % 360 == pytest.approx(
      rotation_deg % 360)
  # The crop's top centre lands on the head side of the centre.
  top = roi.crop_to_image(np.array([128.0, 0.0]), 256)
  np.testing.assert_allclose(top, center + roi.side / 2 * np.array(direction),
                             atol=1e-9)


def test_crop_and_image_maps_are_inverse():
  roi = blazepose.Roi(np.array([320.0, 140.0]), 173.0, 0.7)
  m = roi.image_to_crop_matrix(256)
  pts = np.random.default_rng(0).uniform(0, 256, [10, 2])
  img = roi.crop_to_image(pts, 256)
  back = img @ m[:, :2].T + m[:, 2]
  np.testing.assert_allclose(back, pts, atol=1e-9)


@pytest.mark.parametrize("side", [160.0, 900.0])
def test_warp_crop_samples_the_right_place(side):
  # A white dot at pixel (x=300, y=100) of a 1000 x 600 black image.
  image = np.zeros([600, 1000, 3], np.uint8)
  cv2.circle(image, (300, 100), 12, (255, 255, 255), -1)
  roi = blazepose.Roi(np.array([250.5, 150.5]), side, math.radians(30))
  crop = blazepose.warp_crop(image, roi, 128)
  ys, xs = np.nonzero(crop[..., 0] > 128)
  expected = roi.image_to_crop_matrix(128) @ np.array([300.5, 100.5, 1.0])
  # Centroid of the dot in the crop, continuous convention.
  np.testing.assert_allclose([xs.mean() + 0.5, ys.mean() + 0.5], expected,
                             atol=0.6 if side < 200 else 1.5)


def test_letterbox_pads_with_zeros_and_keeps_aspect():
  image = np.full([100, 200, 3], 255, np.uint8)
  square, roi = blazepose.letterbox(image, 224)
  assert square.shape == (224, 224, 3)
  assert square[5, 112].max() == 0 and square[112, 112].min() == 255
  np.testing.assert_allclose(roi.center, [100, 50])
  assert roi.side == 200


@pytest.mark.parametrize('w, h', [(500, 333), (333, 500), (640, 640)])
def test_tiles_cover_the_image(w, h):
  tiles = blazepose.tile_regions(w, h, 2)
  assert 2 <= len(tiles) <= 4
  lo = np.min([t.center - t.side / 2 for t in tiles], 0)
  hi = np.max([t.center + t.side / 2 for t in tiles], 0)
  np.testing.assert_allclose(lo, [0, 0], atol=1e-6)
  np.testing.assert_allclose(hi, [w, h], atol=1e-6)
  assert all(t.side <= min(w, h) + 1e-9 for t in tiles)
  assert blazepose.tile_regions(w, h, 0) == []


def test_heatmap_refinement_moves_to_the_peak():
  heat = np.full([64, 64, 2], -30.0, np.float32)
  heat[20, 30, 0] = 10.0  # a confident peak at heatmap pixel (30, 20)
  pts = np.array([[31 * 4 + 2.0, 21 * 4 + 2.0], [100.0, 100.0]])
  out = blazepose.refine_with_heatmap(pts, heat, 256)
  np.testing.assert_allclose(out[0], [30.5 * 4, 20.5 * 4], atol=1e-3)
  np.testing.assert_allclose(out[1], pts[1])  # no confident peak: unchanged


def test_blazepose33_to_model16_mapping():
  w = joints.mapping_matrix(joints.BLAZEPOSE33)
  lm = np.arange(33 * 2, dtype=np.float32).reshape(33, 2)
  kp = w @ lm
  names = joints.BLAZEPOSE33.names
  get = lambda n: lm[names.index(n)]
  np.testing.assert_allclose(kp[0], (get('L_hip') + get('R_hip')) / 2)
  np.testing.assert_allclose(kp[3], get('R_ankle'))
  np.testing.assert_allclose(kp[8], (get('L_shoulder') + get('R_shoulder')) / 2)
  np.testing.assert_allclose(kp[9], (get('L_ear') + get('R_ear')) / 2)
  np.testing.assert_allclose(kp[12], get('L_wrist'))
  np.testing.assert_allclose(kp[15], get('R_wrist'))
  np.testing.assert_allclose(w.sum(1), 1.0)


def test_duplicate_people_are_suppressed():
  def person(box, score):
    return blazepose.PosePerson(np.zeros([16, 2]), np.ones(16), score,
                                np.array(box, np.float32))
  kept = blazepose._suppress_duplicates([
      person([0, 0, 10, 10], 0.5), person([0, 0, 10, 11], 0.9),
      person([20, 0, 30, 10], 0.7), person([1, 1, 5, 6], 0.8),
      person([8, 0, 22, 10], 0.6)])
  # [1, 1, 5, 6] lies inside the best box; [8, 0, 22, 10] only overlaps.
  assert [p.score for p in kept] == [0.9, 0.7, 0.6]
