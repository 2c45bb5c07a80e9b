"""SSD anchors, box decoding and weighted NMS on hand-made data."""

import numpy as np
import pytest

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.inference import anchors


def test_pose_detection_anchor_count_matches_the_model_output():
  a = anchors.generate_anchors()
  # pose_detection.tflite outputs [1, 2254, 12] boxes.
  assert a.shape == (2254, 4)
  assert anchors.anchor_counts() == (28 * 28 * 2, 14 * 14 * 2, 7 * 7 * 6)
  np.testing.assert_allclose(a[:, 2:], 1.0)  # fixed anchor size


def test_anchor_centres_follow_the_feature_map_grid():
  a = anchors.generate_anchors()
  # First cell of the stride-8 map, two anchors, then the next cell.
  np.testing.assert_allclose(a[0, :2], [0.5 / 28, 0.5 / 28])
  np.testing.assert_allclose(a[1, :2], [0.5 / 28, 0.5 / 28])
  np.testing.assert_allclose(a[2, :2], [1.5 / 28, 0.5 / 28])
  # Row-major: after 28 cells (56 anchors) the second row starts.
  np.testing.assert_allclose(a[56, :2], [0.5 / 28, 1.5 / 28])
  # The stride-32 map: 6 identical anchors per cell, last one at the corner.
  np.testing.assert_allclose(a[-6:, :2], [[6.5 / 7, 6.5 / 7]] * 6)
  np.testing.assert_allclose(a[1568 + 392, :2], [0.5 / 7, 0.5 / 7])


def test_anchor_sizes_without_fixed_size():
  cfg = anchors.AnchorConfig(input_size=64, strides=(16, 32),
                             min_scale=0.2, max_scale=0.6,
                             fixed_anchor_size=False)
  a = anchors.generate_anchors(cfg)
  assert a.shape == (4 * 4 * 2 + 2 * 2 * 2, 4)
  np.testing.assert_allclose(a[0, 2:], [0.2, 0.2])
  np.testing.assert_allclose(a[1, 2:], [np.sqrt(0.2 * 0.6)] * 2, rtol=1e-6)
  np.testing.assert_allclose(a[-1, 2:], [np.sqrt(0.6)] * 2, rtol=1e-6)


def test_decode_boxes_hand_computed():
  a = np.array([[0.5, 0.25, 1.0, 1.0]], np.float32)
  # Centre +22.4 px right, w 44.8 px, h 22.4 px; keypoint 11.2 px left/down.
  raw = np.array([[22.4, 0.0, 44.8, 22.4, -11.2, 11.2]], np.float32)
  boxes, kp = anchors.decode_boxes(raw, a, input_size=224)
  np.testing.assert_allclose(boxes[0], [0.5, 0.2, 0.7, 0.3], atol=1e-6)
  np.testing.assert_allclose(kp[0], [[0.45, 0.3]], atol=1e-6)


def test_decode_rejects_bad_shapes():
  with pytest.raises(ArgumentError, match='raw boxes'):
    anchors.decode_boxes(np.zeros([3, 5]), np.zeros([3, 4]))
  with pytest.raises(ArgumentError, match='anchors'):
    anchors.decode_boxes(np.zeros([3, 6]), np.zeros([2, 4]))


def test_sigmoid_clips_without_overflow():
  s = anchors.sigmoid_scores(np.array([-1e6, 0.0, 1e6]))
  np.testing.assert_allclose(s, [0.0, 0.5, 1.0], atol=1e-30)
  assert np.all(np.isfinite(s))


def test_weighted_nms_merges_overlaps_and_keeps_separate_people():
  boxes = np.array([[0.0, 0.0, 1.0, 1.0], [0.1, 0.0, 1.1, 1.0],
                    [5.0, 5.0, 6.0, 6.0]], np.float32)
  kp = np.array([[[0.0, 0.0]], [[1.0, 1.0]], [[9.0, 9.0]]], np.float32)
  scores = np.array([0.9, 0.3, 0.6], np.float32)
  dets = anchors.weighted_nms(boxes, kp, scores, iou_threshold=0.3)
  assert [round(d.score, 3) for d in dets] == [0.9, 0.6]
  # Score-weighted mean of the two overlapping candidates.
  np.testing.assert_allclose(dets[0].box, [0.025, 0, 1.025, 1], atol=1e-6)
  np.testing.assert_allclose(dets[0].keypoints, [[0.25, 0.25]], atol=1e-6)
  np.testing.assert_allclose(dets[1].keypoints, [[9, 9]])
  assert len(anchors.weighted_nms(boxes, kp, scores, 0.3, 1)) == 1


def test_postprocess_finds_two_synthetic_people():
  a = anchors.generate_anchors()
  raw = np.zeros([len(a), 12], np.float32)
  raw[:, 2:4] = 30.0  # every box 30 px wide
  logits = np.full([len(a), 1], -10.0, np.float32)
  # Two anchors of the stride-16 map fire (and one neighbour of the first).
  first, second = 1568 + 2 * (3 * 14 + 3), 1568 + 2 * (10 * 14 + 11)
  logits[[first, first + 1, second]] = [[4.0], [3.0], [2.0]]
  raw[first, 4:6] = [0.0, 50.0]  # hip keypoint 50 px below the face
  dets = anchors.postprocess(raw, logits, a, score_threshold=0.5)
  assert len(dets) == 2
  np.testing.assert_allclose(dets[0].box[:2] + 15 / 224,
                             [3.5 / 14, 3.5 / 14], atol=1e-6)
  np.testing.assert_allclose(dets[1].box[:2] + 15 / 224,
                             [11.5 / 14, 10.5 / 14], atol=1e-6)
  # The merged hip keypoint: weights sigmoid(4), sigmoid(3).
  w = anchors.sigmoid_scores(np.array([4.0, 3.0]))
  expected = 3.5 / 14 + w[0] / w.sum() * 50 / 224
  np.testing.assert_allclose(dets[0].keypoints[0, 1], expected, atol=1e-6)
