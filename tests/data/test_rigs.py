"""Tests of rig mappings to the 16 model joints (geo_rep_tf.data.rigs)."""

import json

import numpy as np
import pytest

from geo_rep_tf.data import bvh, rigs
from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.geometry.joints import BONES, MODEL16
from tests.conftest import REPO

WALK = 'mocap/bandai_namco/dataset-1/dataset-1_walk_normal_001.bvh'
MIXAMO_JSON = REPO / 'examples' / 'rigs' / 'mixamo_example.json'
J = {n: i for i, n in enumerate(MODEL16.names)}


def make_bvh(tree, root_motion=(0, 20, 0, 0, 0, 0), frames=1):
  """BVH text: tree = [(name, parent, offset)], the first is the root.

  The root has 6 channels (position, then Z Y X rotations), every other
  joint 3 rotation channels (CMU style), all rotations zero except the
  root's, whose values are `root_motion`.
  """
  children = {}
  for name, parent, _ in tree[1:]:
    children.setdefault(parent, []).append(name)
  offsets = {name: offset for name, _, offset in tree}
  out = ['HIERARCHY']

  def write(name, depth):
    pad = '  ' * depth
    out.append(pad + ('ROOT ' if depth == 0 else 'JOINT ') + name)
    out.append(pad + '{')
    out.append(pad + '  OFFSET ' + ' '.join(map(str, offsets[name])))
    out.append(pad + '  CHANNELS ' + (
        '6 Xposition Yposition Zposition Zrotation Yrotation Xrotation'
        if depth == 0 else '3 Zrotation Yrotation Xrotation'))
    for child in children.get(name, []):
      write(child, depth + 1)
    out.append(pad + '}')

  write(tree[0][0], 0)
  row = ' '.join(map(str, list(root_motion) + [0] * 3 * (len(tree) - 1)))
  out += ['MOTION', f'Frames: {frames}', 'Frame Time: 0.0333333']
  out += [row] * frames
  return '\n'.join(out) + '\n'


def cmu_tree(prefix=''):
  """A cgspeed-CMU-like skeleton (file units, Y up, facing +z)."""
  p = prefix
  tree = [(p + 'Hips', None, (0, 0, 0)),
          (p + 'Spine', p + 'Hips', (0, 2, 0)),
          (p + 'Spine1', p + 'Spine', (0, 2, 0)),
          (p + 'Neck', p + 'Spine1', (0, 0, 0)),
          (p + 'Neck1', p + 'Neck', (0, 1.5, 0)),
          (p + 'Head', p + 'Neck1', (0, 1.5, 0))]
  for side, sx in (('Left', 1), ('Right', -1)):
    tree += [(p + side + 'UpLeg', p + 'Hips', (sx * 1.5, -1.5, 1)),
             (p + side + 'Leg', p + side + 'UpLeg', (sx * 2, -7, 0)),
             (p + side + 'Foot', p + side + 'Leg', (sx * 2.5, -7, 0)),
             (p + side + 'Shoulder', p + 'Spine1', (0, 0, 0)),
             (p + side + 'Arm', p + side + 'Shoulder', (sx * 3.5, 0.5, 0)),
             (p + side + 'ForeArm', p + side + 'Arm', (sx * 5.5, 0, 0)),
             (p + side + 'Hand', p + side + 'ForeArm', (sx * 2.5, 0, 0))]
  return tree


def cmu_hip_tree():
  tree = [('Hips', None, (0, 0, 0)), ('Chest', 'Hips', (0, 5, 0)),
          ('Neck', 'Chest', (0, 10, 0)), ('Head', 'Neck', (0, 4, 0))]
  for side, sx in (('Left', 1), ('Right', -1)):
    tree += [(side + 'Hip', 'Hips', (sx * 4, 0, 0)),
             (side + 'Knee', side + 'Hip', (0, -17, 0)),
             (side + 'Ankle', side + 'Knee', (0, -16, 0)),
             (side + 'Collar', 'Chest', (sx * 1, 9, 0)),
             (side + 'Shoulder', side + 'Collar', (sx * 5, 0, 0)),
             (side + 'Elbow', side + 'Shoulder', (sx * 11, 0, 0)),
             (side + 'Wrist', side + 'Elbow', (sx * 9, 0, 0))]
  return tree


def y_up_to_z_up(p):
  return np.stack([p[..., 0], -p[..., 2], p[..., 1]], axis=-1)


def test_cmu_rig_detection_units_and_axes():
  text = make_bvh(cmu_tree())
  clip = bvh.parse_bvh(text)
  assert rigs.detect_rig(clip.joint_names).name == 'cmu'
  poses, dt = rigs.load_bvh_poses(text)
  assert poses.shape == (1, 16, 3) and poses.dtype == np.float32
  assert dt == pytest.approx(0.0333333)
  s = 25.4 / 0.45  # mm per CMU unit.
  file_units = {'pelvis': (0, 20, 0), 'L_hip': (1.5, 18.5, 1),
                'L_knee': (3.5, 11.5, 1), 'R_ankle': (-6, 4.5, 1),
                'spine': (0, 22, 0), 'thorax': (0, 24, 0),
                'L_shoulder': (3.5, 24.5, 0), 'R_wrist': (-11.5, 24.5, 0)}
  for joint, p in file_units.items():
    np.testing.assert_allclose(poses[0, J[joint]],
                               y_up_to_z_up(np.array(p) * s), atol=1e-2)
  # Head top: Head + 100 mm along Neck1 -> Head (file +y = world +z).
  np.testing.assert_allclose(poses[0, J['head']], [0, 0, 27 * s + 100],
                             atol=1e-2)


def test_cmu_root_rotation_turns_the_body():
  # Hips Yrotation 90 (channels Z Y X): file +x -> -z, so L_hip's offset
  # (1.5, -1.5, 1) becomes (1, -1.5, -1.5).
  poses, _ = rigs.load_bvh_poses(make_bvh(cmu_tree(), (0, 20, 0, 0, 90, 0)),
                                 'cmu')
  s = 25.4 / 0.45
  np.testing.assert_allclose(poses[0, J['L_hip']],
                             y_up_to_z_up(np.array([1, 18.5, -1.5]) * s),
                             atol=1e-2)


def test_cmu_hip_rig_detection_and_inches():
  text = make_bvh(cmu_hip_tree(), (0, 40, 0, 0, 0, 0))
  clip = bvh.parse_bvh(text)
  assert rigs.detect_rig(clip.joint_names).name == 'cmu_hip'
  poses, _ = rigs.load_bvh_poses(text)
  np.testing.assert_allclose(poses[0, J['L_knee']], [101.6, 0, 23 * 25.4],
                             atol=1e-3)
  np.testing.assert_allclose(poses[0, J['R_elbow']],
                             [-17 * 25.4, 0, 54 * 25.4], atol=1e-3)
  np.testing.assert_allclose(poses[0, J['head']], [0, 0, 59 * 25.4 + 100],
                             atol=1e-3)


def test_unknown_skeleton_and_unknown_rig():
  names = [n for n, _, _ in cmu_tree() if n != 'LeftLeg']
  with pytest.raises(DataError, match="'cmu' lacks 1 joints.*LeftLeg"):
    rigs.detect_rig(names, path='x.bvh')
  with pytest.raises(ArgumentError):
    rigs.get_rig('no_such_rig')
  assert rigs.get_rig('bandai') is rigs.BANDAI


def _scaled(tree, k):
  return [(n, p, tuple(k * v for v in o)) for n, p, o in tree]


def test_mixamo_json_rig():
  # The CMU-like tree at 5x its size: a Mixamo body in cm (1.2 m).
  tree = _scaled(cmu_tree('mixamorig:') + [
      ('mixamorig:LeftHandThumb1', 'mixamorig:LeftHand', (1, 0, 1))], 5)
  text = make_bvh(tree, (0, 100, 0, 0, 0, 0))
  rig = rigs.load_rig_json(MIXAMO_JSON)
  assert (rig.name, rig.unit, rig.up_axis) == ('mixamo', 'cm', 'y')
  poses, _ = rigs.load_bvh_poses(text, str(MIXAMO_JSON))
  # Same geometry as the CMU test with spine = Spine1 and cm units.
  expected = {'pelvis': (0, 20, 0), 'R_hip': (-1.5, 18.5, 1),
              'L_ankle': (6, 4.5, 1), 'spine': (0, 24, 0),
              'thorax': (0, 24, 0), 'L_elbow': (9, 24.5, 0)}
  for joint, p in expected.items():
    np.testing.assert_allclose(poses[0, J[joint]],
                               y_up_to_z_up(np.array(p) * 50.0), atol=1e-3)
  np.testing.assert_allclose(poses[0, J['head']], [0, 0, 1350 + 100],
                             atol=1e-3)
  with pytest.raises(DataError, match='no built-in rig'):
    rigs.load_bvh_poses(text)


def _example():
  return json.loads(MIXAMO_JSON.read_text())


def _with(**changes):
  data = _example()
  for key, value in changes.items():
    target, field = data, key
    if key.startswith('joints_'):
      target, field = data['joints'], key[len('joints_'):]
    if value is None:
      del target[field]
    else:
      target[field] = value
  return data


BAD_RIGS = [
    ('unknown model joint', dict(joints_foo='mixamorig:Hips'),
     "joints: unknown model joint 'foo'"),
    ('missing model joint', dict(joints_head=None), 'joints.head: missing'),
    ('unit', dict(unit='furlong'), "unit: unknown unit 'furlong'"),
    ('negative unit', dict(unit=-1), 'unit: must be'),
    ('up axis', dict(up_axis='x'), 'up_axis: must be'),
    ('extrapolate pair', dict(joints_head={'extrapolate': ['a'], 'mm': 1}),
     'joints.head.extrapolate: must be'),
    ('extrapolate mm', dict(joints_head={'extrapolate': ['a', 'b'],
                                         'mm': 'ten'}), 'joints.head.mm'),
    ('spec type', dict(joints_L_knee=12), 'joints.L_knee: must be'),
    ('empty list', dict(joints_L_knee=[]), 'joints.L_knee: a list'),
    ('unknown field', {'up-axis': 'y'}, "unknown field 'up-axis'"),
    ('joints type', dict(joints=['a']), 'joints: missing or not an object'),
]


@pytest.mark.parametrize('changes,field', [c[1:] for c in BAD_RIGS],
                         ids=[c[0] for c in BAD_RIGS])
def test_bad_rig_json_names_file_and_field(tmp_path, changes, field):
  path = tmp_path / 'rig.json'
  path.write_text(json.dumps(_with(**changes)))
  with pytest.raises(DataError) as info:
    rigs.load_rig_json(path)
  assert str(info.value).startswith(f'{path}: ')
  assert field in str(info.value)
  assert '\n' not in str(info.value)


def test_bad_rig_json_syntax_and_missing_file(tmp_path):
  path = tmp_path / 'rig.json'
  path.write_text('{\n  "name": "x",\n  "unit": cm\n}')
  with pytest.raises(DataError, match=r'rig.json:3: invalid JSON'):
    rigs.load_rig_json(path)
  with pytest.raises(DataError, match='no such file'):
    rigs.get_rig(tmp_path / 'absent.json')


def test_rig_joint_missing_from_bvh_names_rig_field_and_joint(tmp_path):
  path = tmp_path / 'rig.json'
  path.write_text(json.dumps(_with(joints_L_knee='mixamorig:LeftLegg')))
  text = make_bvh(cmu_tree('mixamorig:'))
  with pytest.raises(DataError) as info:
    rigs.load_bvh_poses(text, str(path), name='walk.bvh')
  assert str(info.value) == (
      f"{path}: joints.L_knee: joint 'mixamorig:LeftLegg' not in the BVH "
      "'walk.bvh'")


def test_extrapolation_from_coincident_joints_is_a_data_error():
  # Neck and Spine1 coincide in cmu_tree (zero OFFSET).
  data = _example()
  data['joints']['head'] = {'extrapolate': ['mixamorig:Spine1',
                                            'mixamorig:Neck'], 'mm': 100}
  rig = rigs.rig_from_dict(data, path='rig.json')
  with pytest.raises(DataError, match='rig.json: joints.head: .*coincide'):
    rigs.load_bvh_poses(make_bvh(cmu_tree('mixamorig:')), rig)


@pytest.fixture(scope='module')
def bandai_walk(shared_data):
  return rigs.load_bvh_poses(shared_data / WALK)


def test_bandai_bone_lengths(bandai_walk):
  poses, dt = bandai_walk
  assert poses.shape[1:] == (16, 3) and poses.dtype == np.float32
  assert dt == pytest.approx(1 / 30, rel=1e-3)
  length = {}
  for a, b in BONES:
    bone = np.linalg.norm(poses[:, a] - poses[:, b], axis=-1)
    # pelvis->spine (Hips->Chest across Spine) and thorax->shoulders (Neck
    # and UpperArm hang from Chest by different chains) are not rigid in
    # this rig: they vary by a few mm in this clip (up to 35 mm elsewhere).
    rigid = (MODEL16.names[b] != 'spine'
             and not MODEL16.names[b].endswith('shoulder'))
    assert np.ptp(bone) < (1.0 if rigid else 5.0), (a, b)
    length[MODEL16.names[b]] = bone.mean()
  for side in 'LR':
    assert length[f'{side}_knee'] == pytest.approx(391, abs=10)
    assert length[f'{side}_ankle'] == pytest.approx(410, abs=10)
    assert length[f'{side}_elbow'] == pytest.approx(243, abs=10)
    assert length[f'{side}_wrist'] == pytest.approx(223, abs=10)


def test_bandai_left_right_up_and_floor(bandai_walk):
  poses, _ = bandai_walk
  pelvis = poses[:, J['pelvis']]
  forward = pelvis[-1] - pelvis[0]
  forward[2] = 0
  assert np.linalg.norm(forward) > 1000  # The clip walks several metres.
  right = np.cross(forward / np.linalg.norm(forward), [0, 0, 1])
  side = (poses[:, J['R_hip']] - poses[:, J['L_hip']]) @ right
  assert np.mean(side > 0) > 0.9
  assert np.all(poses[:, J['head'], 2] > pelvis[:, 2] + 300)
  assert poses[:, [J['L_ankle'], J['R_ankle']], 2].mean() < 200
  assert poses[:, :, 2].min() > -20  # Nothing below the floor.


def test_bandai_frame_step(shared_data, bandai_walk):
  poses, dt = bandai_walk
  step, step_dt = rigs.load_bvh_poses(
      (shared_data / WALK).read_text(), 'bandai', name='walk',
      frame_step=5)
  np.testing.assert_array_equal(step, poses[::5])
  assert step_dt == pytest.approx(5 * dt)
