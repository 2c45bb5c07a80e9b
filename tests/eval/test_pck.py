"""PCK: the per-joint rule by hand; matching and PCK of hand-made people."""

import pathlib

import numpy as np
import pytest

from geo_rep_tf.data.annotations_2d import Person2D
from geo_rep_tf.geometry import joints
from geo_rep_tf.eval import pck
from tests.inference.conftest import fake_person


def annotated(offset=0.0, hide=()):
  kp = fake_person(offset).keypoints_px.copy()
  vis = np.ones(16, bool)
  vis[list(hide)] = False
  box = np.concatenate([kp.min(0), kp.max(0) - kp.min(0)])
  return Person2D(image_path=pathlib.Path('img.jpg'),
                  joint_set=joints.MODEL16, keypoints_px=kp, visibility=vis,
                  model_keypoints_px=kp, model_visibility=vis, bbox_xywh=box)


def test_match_by_box_iou_one_to_one():
  ann = [annotated(0.0), annotated(400.0)]
  preds = [fake_person(405.0), fake_person(3.0), fake_person(2.0)]
  assert pck.match_people(ann, preds) == [2, 0]
  assert pck.match_people(ann, []) == [None, None]


def test_pck_counts_misses_and_hidden_joints():
  ann = [annotated(0.0, hide=(3,)), annotated(400.0)]
  pred = fake_person(0.0)
  # Torso |thorax - pelvis| of the fake person.
  torso = np.linalg.norm(pred.keypoints_px[8] - pred.keypoints_px[0])
  pred.keypoints_px[5] += [0.3 * torso, 0]  # wrong at 0.2, right at 0.5
  pred.keypoints_px[3] += [5 * torso, 0]    # hidden joint: not counted
  result = pck.evaluate({'img.jpg': ann}, lambda path: [pred], 'torso',
                        (0.5, 0.2))
  assert result['people'] == 2 and result['matched'] == 1
  assert result['joints'] == 15 + 16
  assert result['pck@0.5'] == pytest.approx(15 / 31, abs=1e-4)
  assert result['pck@0.2'] == pytest.approx(14 / 31, abs=1e-4)
  assert result['per_person'][1]['matched'] is False


def test_pckh_by_hand():
  gt = np.zeros((2, 16, 2), np.float32)
  pred = gt.copy()
  pred[0, 0] = [3.0, 4.0]  # 5 px off.
  pred[1, 1] = [0.0, 11.0]  # 11 px off.
  head = np.array([10.0, 20.0], np.float32)  # Thresholds 5 and 10 px.
  vis = np.ones((2, 16), np.float32)
  correct = pck.pck_correct(pred, gt, head).numpy()
  assert correct[0, 0] and not correct[1, 1] and correct.sum() == 31
  assert float(pck.pck(pred, gt, vis, head)) == pytest.approx(31 / 32)
  vis[1, 1] = 0.0  # Unlabelled joints do not count.
  assert float(pck.pck(pred, gt, vis, head)) == pytest.approx(1.0)
  assert float(pck.pck(pred, gt, np.zeros_like(vis), head)) == 0.0
