"""SSD anchors, box decoding and weighted NMS for the BlazePose detector.

The conventions follow MediaPipe's `SsdAnchorsCalculator`,
`TensorsToDetectionsCalculator` and `NonMaxSuppressionCalculator` as
configured for `pose_detection.tflite` (224 x 224 input, 2254 anchors). They
are re-implemented here in NumPy from their documented behaviour:

- Anchors: layers with strides (8, 16, 32, 32, 32); consecutive layers with
  the same stride share one feature map, and each layer contributes one anchor
  per aspect ratio plus one "interpolated" anchor, i.e. 2 per layer per cell:
  28^2 * 2 + 14^2 * 2 + 7^2 * 6 = 2254. Centres are at (x + 0.5) / W. With
  `fixed_anchor_size` every anchor has width = height = 1, so a raw offset
  divided by the input size is a fraction of the input.
- Raw box: (dx, dy, w, h, kx0, ky0, ..., kx3, ky3) in input pixels relative to
  the anchor centre (x before y). Score: sigmoid of the clipped logit.
- Weighted NMS: the best remaining detection absorbs every remaining one whose
  IoU with it exceeds the threshold; the output is their score-weighted mean
  box and keypoints with the best score.

All coordinates here are normalised to the detector input, in [0, 1].
"""

from __future__ import annotations

import dataclasses
from typing import List, Sequence, Tuple

import numpy as np

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry.boxes import box_iou


@dataclasses.dataclass(frozen=True)
class AnchorConfig:
  """SSD anchor options (the subset BlazePose uses)."""
  input_size: int = 224
  strides: Tuple[int, ...] = (8, 16, 32, 32, 32)
  min_scale: float = 0.1484375
  max_scale: float = 0.75
  aspect_ratios: Tuple[float, ...] = (1.0,)
  interpolated_scale_aspect_ratio: float = 1.0
  anchor_offset: float = 0.5
  fixed_anchor_size: bool = True


POSE_DETECTION_ANCHORS = AnchorConfig()


def _scale(config: AnchorConfig, index: int) -> float:
  n = len(config.strides)
  if n == 1:
    return (config.min_scale + config.max_scale) / 2
  return config.min_scale + (config.max_scale - config.min_scale) * index / (
      n - 1)


def generate_anchors(config: AnchorConfig = POSE_DETECTION_ANCHORS
                     ) -> np.ndarray:
  """SSD anchors.

  Args:
    config: anchor options.

  Returns:
    [N, 4] float32 (x_center, y_center, width, height), normalised to the
    input; N = 2254 for the default (pose detection) options.
  """
  if not config.strides:
    raise ArgumentError('anchor config needs at least one stride')
  anchors = []
  layer = 0
  n = len(config.strides)
  while layer < n:
    # Consecutive layers with the same stride share one feature map.
    sizes = []
    last = layer
    while last < n and config.strides[last] == config.strides[layer]:
      scale = _scale(config, last)
      for ratio in config.aspect_ratios:
        sizes.append((scale * np.sqrt(ratio), scale / np.sqrt(ratio)))
      if config.interpolated_scale_aspect_ratio > 0:
        next_scale = 1.0 if last == n - 1 else _scale(config, last + 1)
        s = np.sqrt(scale * next_scale)
        r = config.interpolated_scale_aspect_ratio
        sizes.append((s * np.sqrt(r), s / np.sqrt(r)))
      last += 1
    side = int(np.ceil(config.input_size / config.strides[layer]))
    for y in range(side):
      for x in range(side):
        cx = (x + config.anchor_offset) / side
        cy = (y + config.anchor_offset) / side
        for w, h in sizes:
          if config.fixed_anchor_size:
            w, h = 1.0, 1.0
          anchors.append((cx, cy, w, h))
    layer = last
  return np.asarray(anchors, np.float32)


def decode_boxes(raw: np.ndarray, anchors: np.ndarray,
                 input_size: int = 224) -> Tuple[np.ndarray, np.ndarray]:
  """Raw regressor outputs -> boxes and keypoints, normalised to the input.

  Args:
    raw: [N, 4 + 2K] float (dx, dy, w, h, then K keypoints (x, y)), input
      pixels relative to the anchor centre.
    anchors: [N, 4] (x_center, y_center, width, height), normalised.
    input_size: detector input side in pixels.

  Returns:
    boxes [N, 4] (x_min, y_min, x_max, y_max) and keypoints [N, K, 2] (x, y),
    normalised to the input.
  """
  raw = np.asarray(raw, np.float32)
  anchors = np.asarray(anchors, np.float32)
  if raw.ndim != 2 or raw.shape[1] < 4 or (raw.shape[1] - 4) % 2:
    raise ArgumentError(f'raw boxes must be [N, 4 + 2K], got {raw.shape}')
  if anchors.shape != (raw.shape[0], 4):
    raise ArgumentError(f'anchors must be [{raw.shape[0]}, 4], got '
                        f'{anchors.shape}')
  a_xy, a_wh = anchors[:, None, :2], anchors[:, None, 2:]
  # Shape = [N, 1 + K, 2]: the box centre, then the keypoints.
  points = raw[:, [0, 1] + list(range(4, raw.shape[1]))].reshape(
      raw.shape[0], -1, 2) / input_size * a_wh + a_xy
  size = raw[:, 2:4] / input_size * anchors[:, 2:]
  centre = points[:, 0]
  boxes = np.concatenate([centre - size / 2, centre + size / 2], axis=-1)
  return boxes, points[:, 1:]


def sigmoid_scores(logits: np.ndarray, clip: float = 100.0) -> np.ndarray:
  """[N, ...] logits -> probabilities, clipped first as MediaPipe does."""
  return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(logits, np.float64), -clip,
                                      clip)))


@dataclasses.dataclass
class Detection:
  """One detected person, normalised to the detector input.

  Attributes:
    box: [4] (x_min, y_min, x_max, y_max).
    keypoints: [K, 2] (x, y); for BlazePose K = 4: mid-hip centre, a point
      whose distance from it is the radius of a circle around the whole body,
      mid-shoulder centre, and the same for the upper body.
    score: detection probability.
  """
  box: np.ndarray
  keypoints: np.ndarray
  score: float


def weighted_nms(boxes: np.ndarray, keypoints: np.ndarray,
                 scores: np.ndarray, iou_threshold: float = 0.3,
                 max_detections: int = -1) -> List[Detection]:
  """Weighted non-maximum suppression.

  Args:
    boxes: [N, 4] (x_min, y_min, x_max, y_max).
    keypoints: [N, K, 2].
    scores: [N].
    iou_threshold: candidates overlapping the best one by more than this are
      merged into it.
    max_detections: stop after this many (-1: no limit).

  Returns:
    Detections, best first.
  """
  order = list(np.argsort(-np.asarray(scores), kind='stable'))
  out = []
  while order and (max_detections < 0 or len(out) < max_detections):
    best = order[0]
    iou = box_iou(boxes[best], boxes[order])
    group = [order[i] for i in range(len(order)) if iou[i] > iou_threshold
             or i == 0]
    order = [order[i] for i in range(len(order)) if not (
        iou[i] > iou_threshold or i == 0)]
    w = scores[group] / max(float(np.sum(scores[group])), 1e-12)
    out.append(Detection(
        box=np.tensordot(w, boxes[group], axes=1).astype(np.float32),
        keypoints=np.tensordot(w, keypoints[group], axes=1).astype(
            np.float32),
        score=float(scores[best])))
  return out


def postprocess(raw_boxes: np.ndarray, raw_scores: np.ndarray,
                anchors: np.ndarray, input_size: int = 224,
                score_threshold: float = 0.5, iou_threshold: float = 0.3,
                max_detections: int = -1) -> List[Detection]:
  """Detector outputs [N, 4 + 2K] and [N] or [N, 1] logits -> detections."""
  scores = sigmoid_scores(np.reshape(raw_scores, [-1]))
  boxes, keypoints = decode_boxes(raw_boxes, anchors, input_size)
  keep = scores >= score_threshold
  return weighted_nms(boxes[keep], keypoints[keep], scores[keep],
                      iou_threshold, max_detections)


def anchor_counts(config: AnchorConfig = POSE_DETECTION_ANCHORS
                  ) -> Sequence[int]:
  """Anchors per distinct feature map, e.g. (1568, 392, 294)."""
  counts, layer, n = [], 0, len(config.strides)
  while layer < n:
    last = layer
    while last < n and config.strides[last] == config.strides[layer]:
      last += 1
    per_cell = (last - layer) * (len(config.aspect_ratios) + (
        config.interpolated_scale_aspect_ratio > 0))
    side = int(np.ceil(config.input_size / config.strides[layer]))
    counts.append(side * side * per_cell)
    layer = last
  return tuple(counts)
