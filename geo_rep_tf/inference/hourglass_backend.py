"""Our own stacked hourglass (F_2D of the paper) as a 2D backend.

It has no person detector: it sees one square crop, by default the whole
image letterboxed (one person, roughly centred and filling the frame), or the
boxes a caller gives (e.g. from BlazePose's detector). The weights come from a
`tools/train_hourglass.py` run directory (config.json + checkpoint). The
hourglass in this repository is not trained on a large 2D dataset, so
BlazePose is the default backend.
"""

from __future__ import annotations

import os
from typing import List, Optional, Sequence

import cv2
import numpy as np

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.inference.blazepose import PosePerson, Roi, warp_crop


class HourglassBackend:
  """Stacked hourglass on square crops.

  Args:
    model_dir: a hourglass run directory.
    margin: crop side = (1 + margin) x the longer side of a given box.
  """

  def __init__(self, model_dir: str, margin: float = 0.25):
    import tensorflow as tf
    from geo_rep_tf.runs.files import latest_checkpoint
    from geo_rep_tf.runs.loading import load_hourglass_run
    self.model = load_hourglass_run(model_dir)
    self.input_size = self.model.input_size
    self.margin = margin
    self.version = ('stacked hourglass '
                    f'({os.path.basename(latest_checkpoint(model_dir))})')

    @tf.function(input_signature=[tf.TensorSpec(
        [None, self.input_size, self.input_size, 3], tf.float32)])
    def predict(images):
      from geo_rep_tf.geometry.heatmaps import decode_heatmaps
      heatmaps = self.model(images, training=False)['heatmaps'][:, -1]
      kp_hm, peak = decode_heatmaps(heatmaps)
      return kp_hm, peak, tf.shape(heatmaps)[1]

    self._predict = predict

  def _rois(self, image: np.ndarray, boxes: Optional[Sequence]) -> List[Roi]:
    h, w = image.shape[:2]
    if boxes is None:
      return [Roi(np.array([w / 2, h / 2]), float(max(h, w)), 0.0)]
    rois = []
    for box in boxes:
      x0, y0, x1, y1 = [float(v) for v in box]
      side = max(x1 - x0, y1 - y0) * (1 + self.margin)
      if side <= 0:
        raise ArgumentError(f'empty person box {box}')
      rois.append(Roi(np.array([(x0 + x1) / 2, (y0 + y1) / 2]), side, 0.0))
    return rois

  def __call__(self, image: np.ndarray, boxes: Optional[Sequence] = None
               ) -> List[PosePerson]:
    """One person per box (default: one for the whole image)."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
      raise ArgumentError(f'image must be uint8 [H, W, 3] RGB, got '
                          f'{image.dtype} {image.shape}')
    rois = self._rois(image, boxes)
    crops = np.stack([warp_crop(image, r, self.input_size,
                                cv2.BORDER_CONSTANT) for r in rois])
    kp_hm, peak, size = self._predict(crops.astype(np.float32) / 255.0)
    kp_hm, peak, size = kp_hm.numpy(), peak.numpy(), int(size.numpy())
    people = []
    for roi, kp, conf in zip(rois, kp_hm, peak):
      # Heatmap pixel centres -> continuous crop px -> image px (centres).
      pts = roi.crop_to_image((kp + 0.5) * self.input_size / size,
                              self.input_size) - 0.5
      conf = np.clip(conf, 0.0, 1.0).astype(np.float32)
      people.append(PosePerson(
          keypoints_px=pts.astype(np.float32), confidence=conf,
          score=float(conf.mean()),
          box_px=np.concatenate([pts.min(0), pts.max(0)]).astype(
              np.float32)))
    return people
