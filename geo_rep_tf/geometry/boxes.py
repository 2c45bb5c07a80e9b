"""Axis-aligned boxes (x_min, y_min, x_max, y_max): overlap.

NumPy, eager: used by the detector's non-maximum suppression and by matching
annotated people to predicted ones.
"""

from __future__ import annotations

import numpy as np


def box_iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
  """Intersection over union of one box with each of a set of boxes.

  Args:
    box: [4] (x_min, y_min, x_max, y_max).
    boxes: [N, 4] boxes in the same units.

  Returns:
    [N] IoU in [0, 1]; 0 where the union is empty (degenerate boxes).
  """
  lo = np.maximum(box[:2], boxes[:, :2])
  hi = np.minimum(box[2:], boxes[:, 2:])
  inter = np.prod(np.clip(hi - lo, 0, None), axis=-1)
  area = lambda b: np.prod(np.clip(b[..., 2:] - b[..., :2], 0, None), -1)
  union = area(box) + area(boxes) - inter
  return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)
