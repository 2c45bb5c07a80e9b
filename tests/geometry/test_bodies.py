"""Body-proportion retargeting on real Bandai motion."""

import numpy as np
import pytest

from geo_rep_tf.data import body_sanity, rigs
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import bodies
from geo_rep_tf.geometry.joints import BONES

CLIP = 'bandai_namco/dataset-1/dataset-1_bow_normal_001.bvh'


@pytest.fixture(scope='module')
def poses(samples_dir):
  poses, _ = rigs.load_bvh_poses(str(samples_dir / CLIP))
  return poses.astype(np.float64)


def _lengths(poses):
  return np.stack([np.linalg.norm(poses[:, c] - poses[:, p], axis=-1)
                   for p, c in BONES], axis=1)  # [F, 15]


def test_identity_body_changes_nothing(poses):
  np.testing.assert_allclose(bodies.retarget(poses, bodies.Body()), poses,
                             atol=1e-9)


@pytest.mark.parametrize('body', bodies.HELD_OUT_BODIES[::3] +
                         (bodies.sample_body(0, 'clip', 1),),
                         ids=lambda b: b.name)
def test_bone_lengths_constant_over_frames(poses, body):
  out = bodies.retarget(poses, body)
  ratio = _lengths(out) / _lengths(poses)
  # Each bone is the clip's bone times one factor, in every frame.
  np.testing.assert_allclose(ratio, ratio[:1].repeat(len(ratio), 0),
                             rtol=1e-9)
  assert not np.allclose(ratio, 1.0)
  # The Bandai bones themselves are rigid but for the spine's chord.
  spread = _lengths(out).std(axis=0)
  assert spread.max() < 3.0, spread


@pytest.mark.parametrize('body', bodies.HELD_OUT_BODIES,
                         ids=lambda b: b.name)
def test_feet_keep_the_floor(poses, body):
  out = bodies.retarget(poses, body)
  ankles = [3, 6]
  np.testing.assert_allclose(out[:, ankles, 2].min(1),
                             poses[:, ankles, 2].min(1), atol=1e-6)
  # The pelvis keeps its horizontal path; its height follows the legs.
  np.testing.assert_allclose(out[:, 0, :2], poses[:, 0, :2], atol=1e-9)
  leg = body.stature * body.legs
  rise = np.median(out[:, 0, 2] - out[:, ankles, 2].min(1))
  base = np.median(poses[:, 0, 2] - poses[:, ankles, 2].min(1))
  assert rise / base == pytest.approx(leg, rel=0.05)


def test_stature_and_widths_as_asked(poses):
  body = bodies.Body('x', stature=1.1, legs=1.05, hip_width=1.7,
                     shoulder_width=1.2)
  out = bodies.retarget(poses, body)
  # Ankle-to-head height scales with stature alone: the torso takes up the
  # legs' change.
  assert (body_sanity.stature_mm(out) - body_sanity.ANKLE_HEIGHT_MM) / (
      body_sanity.stature_mm(poses) - body_sanity.ANKLE_HEIGHT_MM) == (
          pytest.approx(1.1, rel=1e-3))
  hips = lambda p: np.linalg.norm(p[:, 1] - p[:, 4], axis=-1).mean()
  shoulders = lambda p: np.linalg.norm(p[:, 10] - p[:, 13], axis=-1).mean()
  assert hips(out) / hips(poses) == pytest.approx(1.1 * 1.7, rel=1e-6)
  assert shoulders(out) / shoulders(poses) == pytest.approx(1.1 * 1.2,
                                                            rel=0.02)


def test_sampled_bodies_reproducible_and_in_range():
  a = [bodies.sample_body(3, 'dataset-1_walk_normal_001', k) for k in range(50)]
  b = [bodies.sample_body(3, 'dataset-1_walk_normal_001', k) for k in range(50)]
  assert a == b
  assert bodies.sample_body(4, 'dataset-1_walk_normal_001', 0) != a[0]
  assert bodies.sample_body(3, 'dataset-1_run_normal_001', 0) != a[0]
  for f, (lo, hi) in bodies.BODY_RANGES.items():
    values = np.array([getattr(x, f) for x in a])
    assert values.min() >= lo and values.max() <= hi
    assert values.max() - values.min() > 0.5 * (hi - lo)  # spread, not stuck
  held = {x.as_dict().__repr__() for x in bodies.HELD_OUT_BODIES}
  assert not held & {x.as_dict().__repr__() for x in a}


def test_held_out_bodies_span_short_tall_narrow_wide():
  held = bodies.HELD_OUT_BODIES
  assert len(held) >= 8 and len({b.name for b in held}) == len(held)
  assert {b.stature for b in held} >= {0.9, 1.12}
  assert min(b.hip_width for b in held) < 1 < max(b.hip_width for b in held)
  for b in held:
    for f, (lo, hi) in bodies.BODY_RANGES.items():
      assert lo <= getattr(b, f) <= hi
  assert bodies.held_out_body(held[0].name) is held[0]
  with pytest.raises(ArgumentError, match='known: short-narrow'):
    bodies.held_out_body('giant')


def test_bad_arguments(poses):
  with pytest.raises(ArgumentError, match='stature must be a positive'):
    bodies.Body('x', stature=0.0)
  with pytest.raises(ArgumentError, match='shape'):
    bodies.retarget(poses[:, :10], bodies.Body())
  with pytest.raises(ArgumentError, match='up_axis'):
    bodies.retarget(poses, bodies.Body(), up_axis=3)


def test_sanity_accepts_every_held_out_body(poses):
  for body in bodies.HELD_OUT_BODIES:
    assert body_sanity.check_body(
        bodies.retarget(poses, body), unit_name='cm', up_axis='y',
        stature_other_units_m={}, up_fraction_other=0.0) is None, body.name
