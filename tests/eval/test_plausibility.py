"""Plausibility numbers of lifted poses against hand-computed values."""

import numpy as np
import pytest

from geo_rep_tf.eval import plausibility
from geo_rep_tf.geometry import joints


def _skeleton():
  """A T-pose-like skeleton with known bone lengths (mm)."""
  x = np.zeros([16, 3])
  x[1], x[4] = [-100, 0, 0], [100, 0, 0]            # hips
  x[2], x[5] = [-100, 400, 0], [100, 400, 0]        # knees
  x[3], x[6] = [-100, 800, 0], [100, 800, 0]        # ankles
  x[7], x[8], x[9] = [0, -250, 0], [0, -500, 0], [0, -600, 0]
  x[13], x[10] = [-150, -500, 0], [150, -500, 0]    # shoulders
  x[14], x[11] = [-400, -500, 0], [400, -500, 0]    # elbows
  x[15], x[12] = [-600, -500, 0], [600, -500, 0]    # wrists
  return x


def test_bone_lengths_follow_the_joint_set():
  lengths = plausibility.bone_lengths(_skeleton()[None])[0]
  expected = [100, 400, 400, 100, 400, 400, 250, 250, 100, 150, 250, 200,
              150, 250, 200]
  np.testing.assert_allclose(lengths, expected)
  assert len(lengths) == joints.NUM_BONES
  with pytest.raises(ValueError, match='poses must be'):
    plausibility.bone_lengths(np.zeros([2, 17, 3]))


def test_reference_skeleton_scores_zero_whatever_its_articulation():
  pose = _skeleton()
  reference = plausibility.bone_lengths(pose[None])[0]
  # Rotate the whole pose and bend the right elbow: lengths are unchanged.
  c, s = np.cos(0.7), np.sin(0.7)
  turned = pose @ np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]).T
  turned[15] = turned[14] + np.array([0, 200, 0])
  poses = np.stack([pose, turned])
  np.testing.assert_allclose(
      plausibility.bone_length_error(poses, reference), 0, atol=1e-12)
  np.testing.assert_allclose(plausibility.left_right_asymmetry(poses), 0,
                             atol=1e-12)


def test_errors_measure_scaling_and_one_sided_limbs():
  pose = _skeleton()
  reference = plausibility.bone_lengths(pose[None])[0]
  np.testing.assert_allclose(
      plausibility.bone_length_error(1.2 * pose[None], reference), [0.2])
  # The left forearm twice as long: one bone of 15 off by 100%, and one of
  # the 6 left/right pairs differing by 200 / 300.
  long_arm = pose.copy()
  long_arm[12] = long_arm[11] + 2 * (pose[12] - pose[11])
  np.testing.assert_allclose(
      plausibility.bone_length_error(long_arm[None], reference), [1 / 15])
  np.testing.assert_allclose(
      plausibility.left_right_asymmetry(long_arm[None]), [(200 / 300) / 6])
  summary = plausibility.summarize(np.stack([pose, long_arm]), reference)
  assert summary['count'] == 2
  assert summary['bone_length_error'] == pytest.approx(1 / 30)
  assert summary['per_pose']['bone_length_error'] == [0.0, round(1 / 15, 4)]
  with pytest.raises(ValueError, match='reference'):
    plausibility.bone_length_error(pose[None], reference[:3])
