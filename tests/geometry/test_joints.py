"""Joint sets as data and their mappings to the 16-joint model set."""

import json

import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import joints


def test_model_set_and_bones():
  assert joints.NUM_JOINTS == 16 and joints.NUM_BONES == 15
  assert joints.MODEL16.parents == (-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 8, 10, 11,
                                    8, 13, 14)
  assert joints.BONES[0] == (0, 1) and joints.BONES[-1] == (14, 15)
  for left, right in joints.LEFT_RIGHT_PAIRS:
    assert joints.MODEL16.names[left].startswith('L_')
    assert joints.MODEL16.names[right] == 'R_' + joints.MODEL16.names[left][2:]


@pytest.mark.parametrize('name', sorted(joints.JOINT_SETS))
def test_mapping_rows_are_averages(name):
  js = joints.get_joint_set(name)
  w = joints.mapping_matrix(js)
  assert w.shape == (16, js.num_joints)
  np.testing.assert_allclose(w.sum(axis=1), 1.0)
  # Every mapped model joint keeps its side: L_* come from left sources.
  if js.to_model is not None:
    for j, sources in enumerate(js.to_model):
      side = joints.MODEL16.names[j][:2]
      if side in ('L_', 'R_'):
        for s in sources:
          assert js.names[s].startswith(side), (name, j, js.names[s])


def test_h36m17_drops_the_neck_and_names_match():
  kp = tf.reshape(tf.range(17 * 3, dtype=tf.float32), [17, 3])
  out = joints.to_model_joints(kp, joints.H36M17).numpy()
  np.testing.assert_array_equal(out, np.delete(kp.numpy(), 9, axis=0))
  assert [n for n in joints.H36M17.names if n != 'neck_nose'] == list(
      joints.MODEL16.names)


def test_coco_midpoints_and_batching():
  kp = np.random.default_rng(0).normal(size=(2, 3, 17, 2)).astype(np.float32)
  out = joints.to_model_joints(kp, joints.COCO17).numpy()
  assert out.shape == (2, 3, 16, 2)
  np.testing.assert_allclose(out[..., 0, :], kp[..., [11, 12], :].mean(-2),
                             atol=1e-6)
  np.testing.assert_allclose(out[..., 8, :], kp[..., [5, 6], :].mean(-2),
                             atol=1e-6)


def test_shared_facts_agree(shared_data):
  facts = json.load(open(shared_data / 'skeletons' / 'skeleton_facts.json'))
  assert tuple(facts['h36m17']['parents']) == joints.H36M17.parents
  assert len(facts['mpii16']['names']) == joints.MPII16.num_joints
  # MPII -> H36M-17 of the facts file, without the neck, is our mapping.
  to_h36m = facts['mpii16']['to_h36m17']
  ours = joints.MPII16.to_model
  for model_j, h36m_j in enumerate([i for i in range(17) if i != 9]):
    src = to_h36m[h36m_j]
    expected = (6, 7) if src == 'mean(6,7)' else (src,)
    assert ours[model_j] == expected


def test_errors():
  with pytest.raises(ArgumentError, match='unknown joint set'):
    joints.get_joint_set('nope')
  with pytest.raises(ArgumentError, match='17 joints'):
    joints.to_model_joints(np.zeros((17, 2)), joints.MPII16)
