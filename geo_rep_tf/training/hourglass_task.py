"""The 2D stage: stacked hourglass on MPII / COCO crops."""

from __future__ import annotations

import dataclasses
from typing import Dict, Optional

import keras
import tensorflow as tf

from geo_rep_tf.data import annotations_2d, pose2d_dataset as p2d
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.eval.pck import pck_correct
from geo_rep_tf.geometry.heatmaps import decode_heatmaps
from geo_rep_tf.losses import pose as pose_losses
from geo_rep_tf.models.stacked_hourglass import StackedHourglass
from geo_rep_tf.training.task import Task


@dataclasses.dataclass
class HourglassConfig:
  """Hourglass size and its 2D data.

  Attributes:
    annotations: MPII json (list layout) or COCO keypoints json.
    image_dir: images (default: beside the json).
    eval_annotations: held-out json (default: the training one).
    num_stacks, num_features, depth, input_size: model size.
    augment: random scale / rotation / flip.
    global_batch_size: crops per step.
    seed: augmentation and order seed.
  """
  annotations: str
  image_dir: Optional[str] = None
  eval_annotations: Optional[str] = None
  num_stacks: int = 2
  num_features: int = 256
  depth: int = 4
  input_size: int = 256
  augment: bool = True
  global_batch_size: int = 16
  seed: int = 0


def load_people(path: str, image_dir: Optional[str] = None):
  """MPII or COCO people from a json (the layout is detected)."""
  import json
  try:
    with open(path) as fh:
      head = json.load(fh)
  except OSError as e:
    raise ArgumentError(f'{path}: cannot read annotations ({e.strerror})') from None
  except json.JSONDecodeError as e:
    raise ArgumentError(f'{path}:{e.lineno}: invalid JSON: {e.msg}') from None
  if isinstance(head, dict) and 'annotations' in head:
    return annotations_2d.load_coco_keypoints(path, image_dir)
  return annotations_2d.load_mpii_json(path, image_dir)


class HourglassTask(Task):
  """Trains a StackedHourglass with intermediate supervision."""

  name = 'hourglass'

  def __init__(self, config: HourglassConfig):
    self.config = config
    self.people = load_people(config.annotations, config.image_dir)
    self.eval_people = (load_people(config.eval_annotations, config.image_dir)
                        if config.eval_annotations else self.people)
    if not self.people:
      raise ArgumentError(f'{config.annotations}: no annotated person')

  def build_model(self) -> keras.Model:
    c = self.config
    return StackedHourglass(num_stacks=c.num_stacks,
                            num_features=c.num_features, depth=c.depth,
                            input_size=c.input_size, name='hourglass')

  def dataset(self, context, split='train'):
    c = self.config
    batch = context.get_per_replica_batch_size(c.global_batch_size)
    if split == 'train':
      ds = p2d.pose2d_dataset(self.people, input_size=c.input_size,
                              augment=c.augment, seed=c.seed, shuffle=True,
                              repeat=True)
      return ds.batch(batch, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
    ds = p2d.pose2d_dataset(self.eval_people, input_size=c.input_size)
    return ds.batch(batch)

  def compute_losses(self, model, batch, training):
    heatmaps = model(batch['image'], training=training)['heatmaps']
    # The same target and visibility for every stack.
    shape = tf.shape(heatmaps)
    target = tf.broadcast_to(batch['heatmaps'][:, None], shape)
    vis = tf.broadcast_to(batch['visibility'][:, None],
                          tf.stack([shape[0], shape[1], shape[4]]))
    per_stack = pose_losses.heatmap_mse(heatmaps, target, vis)
    return {'total': tf.reduce_sum(per_stack, axis=1),
            'last_stack': per_stack[:, -1]}

  def eval_metrics(self, model, batch) -> Dict[str, tf.Tensor]:
    heatmaps = model(batch['image'], training=False)['heatmaps'][:, -1]
    kp_hm, _ = decode_heatmaps(heatmaps)
    pred = p2d.heatmap_to_image_px(kp_hm, batch['heatmap_to_image'])
    correct = pck_correct(pred, batch['keypoints_px'],
                          batch['head_size_px'])
    vis = tf.cast(batch['annotated'], tf.float32)
    per_example = tf.reduce_sum(tf.cast(correct, tf.float32) * vis, -1) / (
        tf.maximum(tf.reduce_sum(vis, -1), 1.0))
    return {'pckh@0.5': per_example}
