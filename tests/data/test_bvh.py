"""Tests of the BVH reader and forward kinematics (geo_rep_tf.data.bvh)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo_rep_tf.data import bvh, bvh_kinematics
from geo_rep_tf.errors import ArgumentError, DataError

WALK = 'mocap/bandai_namco/dataset-1/dataset-1_walk_normal_001.bvh'

# A 3-joint chain: Hips (6 channels) -> Chest (3 rotations) -> End Site.
# Line numbers matter for the error tests: line 1 is HIERARCHY.
# The root and its first joint, shared by the test files' hierarchies.
HIPS_CHEST = """HIERARCHY
ROOT Hips
{
  OFFSET 0 0 0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT Chest
  {
    OFFSET 0 10 0
    CHANNELS 3 Zrotation Xrotation Yrotation
"""
CHAIN = HIPS_CHEST + """    End Site
    {
      OFFSET 0 5 0
    }
  }
}
MOTION
Frames: 3
Frame Time: 0.5
1 2 3 0 0 0 0 0 0
1 2 3 90 0 0 90 0 0
1 2 3 90 0 0 0 90 0
"""
CHAIN_MOTION_LINE = 19  # 1-based line of the first motion line.


def _chain(tmp_path, text=CHAIN, name='chain.bvh'):
  path = tmp_path / name
  path.write_text(text)
  return path


def test_chain_structure():
  clip = bvh.parse_bvh(CHAIN)
  assert clip.joint_names == ('Hips', 'Chest', 'Chest_End')
  assert clip.parents == (-1, 0, 1)
  assert clip.is_end_site == (False, False, True)
  assert clip.channels[1] == ('Zrotation', 'Xrotation', 'Yrotation')
  assert clip.channel_starts == (0, 6, 9)
  np.testing.assert_array_equal(clip.offsets[2], [0, 5, 0])
  assert clip.motion.shape == (3, 9) and clip.motion.dtype == np.float64
  assert clip.frame_time == 0.5 and clip.num_frames == 3
  assert clip.name == '<string>'


def test_fk_hand_computed():
  pos = bvh_kinematics.forward_kinematics(bvh.parse_bvh(CHAIN))
  assert pos.shape == (3, 3, 3)
  # Frame 0: no rotation, offsets stack up from the root position.
  np.testing.assert_allclose(pos[0], [[1, 2, 3], [1, 12, 3], [1, 17, 3]],
                             atol=1e-9)
  # Frame 1: Hips Rz(90) takes +y to -x; Chest Rz(90) on top: -y.
  np.testing.assert_allclose(pos[1], [[1, 2, 3], [-9, 2, 3], [-9, -3, 3]],
                             atol=1e-9)
  # Frame 2: Chest Rz(0) Rx(90) takes +y to +z, then Hips Rz(90) keeps z.
  np.testing.assert_allclose(pos[2], [[1, 2, 3], [-9, 2, 3], [-9, 2, 8]],
                             atol=1e-9)


def test_rotation_order_is_the_listed_order():
  # Z then X listed: R = Rz(90) Rx(90) maps +y to +z; Rx Rz would give -x.
  text = CHAIN.replace('1 2 3 0 0 0 0 0 0', '0 0 0 0 0 0 90 90 0')
  pos = bvh_kinematics.forward_kinematics(bvh.parse_bvh(text, max_frames=1))
  np.testing.assert_allclose(pos[0, 2], [0, 10, 5], atol=1e-9)
  swapped = text.replace('CHANNELS 3 Zrotation Xrotation',
                         'CHANNELS 3 Xrotation Zrotation')
  pos = bvh_kinematics.forward_kinematics(bvh.parse_bvh(swapped, max_frames=1))
  np.testing.assert_allclose(pos[0, 2], [-5, 10, 0], atol=1e-9)


def test_position_channels_replace_the_offset():
  text = """HIERARCHY
ROOT Hips
{
  OFFSET 0 100 0
  CHANNELS 3 Xposition Yposition Zposition
  JOINT Chest
  {
    OFFSET 7 10 0
    CHANNELS 4 Yposition Zrotation Xrotation Yrotation
  }
}
MOTION
Frames: 1
Frame Time: 0.1
1 2 3 20 0 0 0
"""
  pos = bvh_kinematics.forward_kinematics(bvh.parse_bvh(text))
  # Hips: the channels replace all of OFFSET; Chest: only its y (10 -> 20).
  np.testing.assert_allclose(pos[0], [[1, 2, 3], [8, 22, 3]], atol=1e-9)


def test_frame_step_and_max_frames():
  lines = CHAIN.split('\n')[:CHAIN_MOTION_LINE - 1]
  lines[-2] = 'Frames: 12'
  rows = [f'{i} 0 0 {i} 0 0 0 0 0' for i in range(12)]
  text = '\n'.join(lines + rows) + '\n'
  full = bvh.parse_bvh(text)
  step = bvh.parse_bvh(text, frame_step=5)
  np.testing.assert_array_equal(step.motion, full.motion[::5])
  assert step.num_frames == 3 and step.kept_frame_time == 2.5
  assert bvh.parse_bvh(text, frame_step=5, max_frames=2).num_frames == 2
  with pytest.raises(ArgumentError):
    bvh.parse_bvh(text, frame_step=0)


def test_path_and_text_and_name(tmp_path):
  path = _chain(tmp_path)
  a = bvh.parse_bvh(path)
  b = bvh.parse_bvh(str(path))
  c = bvh.parse_bvh(CHAIN, name='archive.tar:chain.bvh')
  assert a.name == str(path) and c.name == 'archive.tar:chain.bvh'
  np.testing.assert_array_equal(a.motion, b.motion)


def _replace_line(text, line, new):
  lines = text.split('\n')
  lines[line - 1] = new
  return '\n'.join(lines)


M = CHAIN_MOTION_LINE
MALFORMED = [
    ('truncated', '\n'.join(CHAIN.split('\n')[:M + 1]), M + 2),
    ('value count', _replace_line(CHAIN, M + 1, '1 2 3 90 0 0 90 0'), M + 1),
    ('extra value', _replace_line(CHAIN, M + 2, '1 2 3 9 0 0 0 9 0 7'), M + 2),
    ('non-numeric', _replace_line(CHAIN, M + 2, '1 2 3 9 0 0 abc 9 0'), M + 2),
    ('nan value', _replace_line(CHAIN, M, '1 2 3 nan 0 0 0 0 0'), M),
    ('CHANNELS count', _replace_line(
        CHAIN, 9, 'CHANNELS 4 Zrotation Xrotation Yrotation'), 9),
    ('CHANNELS 7', _replace_line(CHAIN, 9, 'CHANNELS 7 Zrotation'), 9),
    ('CHANNELS word', _replace_line(CHAIN, 9, 'CHANNELS x Zrotation'), 9),
    ('bad channel', _replace_line(CHAIN, 9, 'CHANNELS 1 Wrotation'), 9),
    ('OFFSET value', _replace_line(CHAIN, 8, 'OFFSET 0 1O 0'), 8),
    ('OFFSET count', _replace_line(CHAIN, 8, 'OFFSET 0 10'), 8),
    ('missing close brace', _replace_line(CHAIN, 14, ''), 16),
    ('extra close brace', _replace_line(CHAIN, 14, '  }\n}'), 16),
    ('missing open brace', _replace_line(CHAIN, 7, ''), 8),
    ('bad frame count', _replace_line(CHAIN, 17, 'Frames: three'), 17),
    ('bad frame time', _replace_line(CHAIN, 18, 'Frame Time: -1'), 18),
    ('more lines than Frames', _replace_line(CHAIN, 17, 'Frames: 2'), M + 2),
    ('no HIERARCHY', _replace_line(CHAIN, 1, 'HIERARCH'), 1),
    ('empty', '\n', None),
    ('no MOTION', _replace_line(CHAIN, 16, 'MOTIONS'), None),
]


@pytest.mark.parametrize('text,line', [c[1:] for c in MALFORMED],
                         ids=[c[0] for c in MALFORMED])
def test_malformed_raises_data_error_with_file_and_line(tmp_path, text, line):
  path = _chain(tmp_path, text, name='broken_clip.bvh')
  with pytest.raises(DataError) as info:
    bvh.parse_bvh(path)
  message = str(info.value)
  assert 'broken_clip.bvh' in message
  assert '\n' not in message
  assert info.value.line == line
  if line is not None:
    assert f'broken_clip.bvh:{line}: ' in message


def test_missing_file(tmp_path):
  with pytest.raises(DataError, match='no_such.bvh: no such file'):
    bvh.parse_bvh(tmp_path / 'no_such.bvh')


def test_text_errors_use_the_given_name():
  with pytest.raises(DataError, match=r'^data.tar:walk.bvh:21: '):
    bvh.parse_bvh('\n'.join(CHAIN.split('\n')[:M + 1]),
                  name='data.tar:walk.bvh')


_ALPHABET = '0123456789 .-e+{}\n\tXYZ'
_TOKENS = ['{', '}', 'ROOT', 'JOINT', 'End', 'Site', 'OFFSET', 'CHANNELS',
           'MOTION', 'Frames:', 'Frame Time:', 'Xposition', 'Zrotation', '6',
           '3', '-1', '1e999', 'nan', 'x', '', '\n', '99999999999999999999']


@st.composite
def _mutants(draw):
  text = CHAIN
  for _ in range(draw(st.integers(1, 3))):
    op = draw(st.sampled_from(['delete', 'insert', 'token', 'line']))
    i = draw(st.integers(0, len(text)))
    if op == 'delete':
      text = text[:i] + text[i + draw(st.integers(1, 8)):]
    elif op == 'insert':
      text = text[:i] + draw(st.text(_ALPHABET, min_size=1, max_size=6)) + (
          text[i:])
    elif op == 'token':
      words = text.split(' ')
      k = draw(st.integers(0, len(words) - 1))
      words[k] = draw(st.sampled_from(_TOKENS))
      text = ' '.join(words)
    else:
      lines = text.split('\n')
      k = draw(st.integers(0, len(lines) - 1))
      if draw(st.booleans()):
        del lines[k]
      else:
        lines.insert(k, lines[draw(st.integers(0, len(lines) - 1))])
      text = '\n'.join(lines)
  return text


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_mutants())
def test_mutated_text_parses_or_raises_data_error(text):
  try:
    clip = bvh.parse_bvh(text, name='mutant.bvh')
  except DataError as e:
    assert '\n' not in str(e)
    return
  positions = bvh_kinematics.forward_kinematics(clip)
  assert positions.shape == (clip.num_frames, clip.num_joints, 3)


def test_bandai_clip_structure_and_position_channels(shared_data):
  clip = bvh.parse_bvh(shared_data / WALK)
  assert clip.num_joints == 22 + 5  # 22 joints and 5 end sites.
  assert clip.motion.shape == (clip.num_file_frames, 22 * 6)
  # Every non-root joint's position channels equal its OFFSET (README).
  for j, start in enumerate(clip.channel_starts):
    if clip.joint_names[j] not in ('joint_Root', 'Hips') and (
        clip.channels[j]):
      np.testing.assert_allclose(clip.motion[:, start:start + 3],
                                 np.broadcast_to(clip.offsets[j], (
                                     clip.num_frames, 3)), atol=1e-3)


def test_bandai_frame_step_keeps_every_fifth_frame(shared_data):
  full = bvh.parse_bvh(shared_data / WALK)
  step = bvh.parse_bvh(shared_data / WALK, frame_step=5)
  np.testing.assert_array_equal(step.motion, full.motion[::5])
  np.testing.assert_array_equal(bvh_kinematics.forward_kinematics(step),
                                bvh_kinematics.forward_kinematics(full)[::5])


def test_bandai_every_rig_bone_is_rigid(shared_data):
  """Every BVH bone (joint -> parent) keeps its length within 1 mm.

  Hips hangs off the static joint_Root by its moving position channels: that
  is the root translation, not a bone.
  """
  clip = bvh.parse_bvh(shared_data / WALK)
  pos = bvh_kinematics.forward_kinematics(clip) * 10.0  # cm -> mm
  for j, p in enumerate(clip.parents):
    if p < 0 or clip.joint_names[j] == 'Hips':
      continue
    length = np.linalg.norm(pos[:, j] - pos[:, p], axis=-1)
    assert np.ptp(length) < 1.0, clip.joint_names[j]
