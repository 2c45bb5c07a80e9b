"""Body sanity where a BVH is read: a wrong unit, up axis or joint mapping
is refused in one line that names the rig field and a setting that fits;
real rigs (Bandai, CMU in both units, Mixamo) are accepted."""

import dataclasses

import numpy as np
import pytest

from geo_rep_tf.data import body_sanity, rigs
from geo_rep_tf.errors import DataError
from geo_rep_tf.geometry.joints import MODEL16
from tests.conftest import SAMPLES
from tests.data.test_rigs import cmu_hip_tree, cmu_tree, make_bvh

WALK = str(SAMPLES / 'bandai_namco' / 'dataset-1' /
           'dataset-1_walk_normal_001.bvh')
INCH_PER_CMU = 1 / 0.45


def _bandai(**changes):
  return dataclasses.replace(rigs.BANDAI, source='my_rig.json', **changes)


def _remap(rig, **joints):
  specs = list(rig.joints)
  for model, bvh_joint in joints.items():
    specs[MODEL16.names.index(model)] = rigs.JointSpec((bvh_joint,))
  return dataclasses.replace(rig, joints=tuple(specs))


def _scaled(tree, k):
  return [(n, p, tuple(k * v for v in o)) for n, p, o in tree]


def test_bandai_is_human():
  poses, _ = rigs.load_bvh_poses(WALK)
  assert 1.3 < body_sanity.stature_mm(poses) / 1000 < 1.6
  assert body_sanity.head_up_fraction(poses) > 0.95


@pytest.mark.parametrize('tree,root_y,scale', [
    (cmu_tree, 20, 1.0), (cmu_tree, 20, INCH_PER_CMU),
    (cmu_hip_tree, 40, 1.0), (cmu_hip_tree, 40, 1 / INCH_PER_CMU)])
def test_cmu_namings_take_the_unit_their_bones_say(tree, root_y, scale):
  """The same body written in CMU units or in inches lands at one size."""
  reference, _ = rigs.load_bvh_poses(make_bvh(tree(), (0, root_y, 0, 0, 0, 0)))
  text = make_bvh(_scaled(tree(), scale), (0, root_y * scale, 0, 0, 0, 0))
  poses, _ = rigs.load_bvh_poses(text)
  np.testing.assert_allclose(body_sanity.stature_mm(poses),
                             body_sanity.stature_mm(reference), rtol=1e-3)
  assert 1.2 < body_sanity.stature_mm(poses) / 1000 < 1.6


@pytest.mark.parametrize('rig,match', [
    (_bandai(unit='mm'), r"my_rig.json: unit 'mm' gives a 0.30 m body.*"
                         r"unit 'cm' gives 1.4\d m"),
    (_bandai(unit='m'), r"unit 'm' gives a 12\d.\d+ m body.*unit 'cm' gives "
                        r"1.4\d m"),
    (_bandai(up_axis='z'), r"up_axis 'z' puts the head above the pelvis in "
                           r"\d% of frames; up_axis 'y' in 100%"),
    (_remap(_bandai(), L_knee='Hips'),
     r"joints.L_knee: maps to 'Hips' as joints.pelvis does"),
    (_remap(_bandai(), L_ankle='joint_Root'),
     r"joints.L_ankle: 'joint_Root' is 'LowerLeg_L' \(joints.L_knee\) or "
     r"above it"),
    (_remap(_bandai(), L_knee='UpperLeg_L'),
     r"joints.L_knee: maps to 'UpperLeg_L' as joints.L_hip does"),
    (_remap(_bandai(), L_knee='Foot_L', L_ankle='Toes_L'),
     r"the left thigh is \d+ mm and the right \d+ mm; check joints.L_hip"),
])
def test_a_crafted_bad_rig_is_refused(rig, match):
  with pytest.raises(DataError, match=match):
    rigs.load_bvh_poses(WALK, rig)


def test_the_check_can_be_turned_off_but_not_the_hierarchy():
  poses, _ = rigs.load_bvh_poses(WALK, _bandai(unit='mm'), check_body=False)
  assert body_sanity.stature_mm(poses) < 400
  with pytest.raises(DataError, match='joints.L_ankle'):
    rigs.load_bvh_poses(WALK, _remap(_bandai(), L_ankle='joint_Root'),
                        check_body=False)
