"""The Bandai-H36M protocol builder and the tf.data pipelines on real clips."""

import glob
import os
import shutil

import numpy as np
import pytest

from geo_rep_tf.data import pipeline, protocol
from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.geometry import bodies, rotations

SAMPLE = os.path.join(os.path.dirname(__file__), '..', '..', 'data', 'samples',
                      'bandai_namco', 'dataset-1')
CLIPS = ['dataset-1_walk_normal_001', 'dataset-1_run_normal_001',
         'dataset-1_walk_old_001']


@pytest.fixture(scope='module')
def clip_dir(tmp_path_factory):
  d = tmp_path_factory.mktemp('clips')
  for c in CLIPS:
    shutil.copy(os.path.join(SAMPLE, c + '.bvh'), d)
  return d


@pytest.fixture(scope='module')
def prepared(clip_dir, tmp_path_factory):
  out = tmp_path_factory.mktemp('prep') / 'protocol'
  manifest = protocol.build_protocol(
      str(clip_dir), str(out), protocol.ProtocolConfig(num_workers=1))
  return out, manifest


def test_manifest_counts_and_split_by_style(prepared):
  out, manifest = prepared
  c = manifest['counts']
  assert c['train']['clips'] == 2 and c['test']['clips'] == 1
  assert os.path.isfile(out / 'manifest.json')
  assert sorted(os.listdir(out)) == ['manifest.json', 'test-00000.tfrecord',
                                     'train-00000.tfrecord']
  styles = {f['style'] for f in pipeline.frame_dataset(
      str(out), 'test').as_numpy_iterator()}
  assert styles == {b'old'}
  subjects = {f['subject'] for f in pipeline.frame_dataset(
      str(out), 'train').as_numpy_iterator()}
  assert subjects <= {b'S1', b'S5', b'S6', b'S7', b'S8'}


def test_frames_every_fifth_and_noise_level(prepared):
  out, _ = prepared
  frames = list(pipeline.frame_dataset(str(out), 'test').as_numpy_iterator())
  assert [f['frame'] for f in frames[:4]] == [0, 5, 10, 15]
  vis = np.stack([f['visible'] for f in frames])
  kp = np.stack([f['keypoints_2d_px'] for f in frames])[vis]
  noisy = np.stack([f['keypoints_2d_noisy_px'] for f in frames])[vis]
  assert abs(np.std(noisy - kp) - 5.0) < 0.3
  assert ((kp >= 0) & (kp < 1000)).all()


def test_build_is_deterministic(clip_dir, tmp_path, prepared):
  out, _ = prepared
  protocol.build_protocol(str(clip_dir), str(tmp_path / 'again'),
                          protocol.ProtocolConfig(num_workers=2))
  for name in ('train-00000.tfrecord', 'test-00000.tfrecord'):
    assert (tmp_path / 'again' / name).read_bytes() == (out / name).read_bytes()


def test_pair_dataset_real_pairs(prepared):
  out, _ = prepared
  cfg = pipeline.PairConfig(batch_size=16, shuffle_buffer=100)
  a = next(iter(pipeline.pair_dataset(str(out), 'train', cfg, seed=3)))
  b = next(iter(pipeline.pair_dataset(str(out), 'train', cfg, seed=3)))
  assert a['source_map'].shape == (16, 64, 64, 15)
  assert a['R_rel'].shape == (16, 3, 3)
  for k in a:
    np.testing.assert_array_equal(a[k], b[k])
  assert rotations.is_rotation(a['R_rel'].numpy(), 1e-4).all()
  # R_i->j maps the root-relative pose seen by camera i to camera j's view.
  np.testing.assert_allclose(
      np.einsum('bij,bnj->bni', a['R_rel'], a['pose_3d_mm']),
      a['target_pose_3d_mm'], atol=0.5)
  assert not a['is_virtual'].numpy().any()
  m = a['source_map'].numpy()
  assert set(np.unique(m)) <= {0.0, 1.0} and (m.sum((1, 2)) > 0).all()


def test_pair_dataset_virtual_and_autoencode(prepared):
  out, _ = prepared
  cfg = pipeline.PairConfig(batch_size=64, virtual_fraction=0.5,
                            shuffle_buffer=100)
  a = next(iter(pipeline.pair_dataset(str(out), 'train', cfg, seed=1)))
  frac = a['is_virtual'].numpy().mean()
  assert 0.25 < frac < 0.75
  np.testing.assert_allclose(
      np.einsum('bij,bnj->bni', a['R_rel'], a['pose_3d_mm']),
      a['target_pose_3d_mm'], atol=0.5)
  ae = pipeline.PairConfig(batch_size=8, autoencode=True, shuffle_buffer=10)
  b = next(iter(pipeline.pair_dataset(str(out), 'train', ae, seed=1)))
  np.testing.assert_array_equal(b['source_map'], b['target_map'])
  np.testing.assert_allclose(b['R_rel'], np.tile(np.eye(3), (8, 1, 1)))


def test_sample_dataset_counts(prepared):
  out, manifest = prepared
  samples = list(pipeline.sample_dataset(str(out), 'test').as_numpy_iterator())
  assert len(samples) == manifest['counts']['test']['samples_visible']
  s = samples[0]
  assert s['keypoints_2d_px'].shape == (16, 2)
  np.testing.assert_allclose(s['pose_3d_mm'][0], 0.0)
  three = list(pipeline.sample_dataset(str(out), 'test', camera_indices=(3,))
               .as_numpy_iterator())
  assert {x['camera'] for x in three} == {3}


def test_bad_inputs(tmp_path, clip_dir):
  with pytest.raises(DataError, match='no such file'):
    protocol.build_protocol(str(tmp_path / 'missing'), str(tmp_path / 'o'))
  bad = tmp_path / 'bad'
  bad.mkdir()
  text = open(os.path.join(SAMPLE, CLIPS[0] + '.bvh')).read().splitlines()
  text[139] = text[139].replace(' ', ' abc ', 1)
  (bad / 'dataset-1_walk_normal_009.bvh').write_text('\n'.join(text))
  out = tmp_path / 'out'
  out.mkdir()
  (out / 'keep.txt').write_text('previous output')
  with pytest.raises(DataError, match=r'walk_normal_009.*140'):
    protocol.build_protocol(str(bad), str(out),
                            protocol.ProtocolConfig(num_workers=1))
  # The previous output is untouched and no partial directory is left.
  assert (out / 'keep.txt').read_text() == 'previous output'
  assert not glob.glob(str(tmp_path / 'out.partial-*'))
  with pytest.raises(ArgumentError, match='frame_step'):
    protocol.ProtocolConfig(frame_step=0)
  with pytest.raises(ArgumentError, match='virtual_fraction'):
    pipeline.PairConfig(virtual_fraction=2.0)
  with pytest.raises(DataError, match='manifest.json missing'):
    pipeline.frame_dataset(str(tmp_path), 'train')


def test_validation_protocol_excludes_styles(clip_dir, tmp_path):
  """Some training styles as the test split, the real test styles left out
  of both splits (flags/bandai_h36m_validation.cfg)."""
  src = tmp_path / 'clips'
  shutil.copytree(clip_dir, src)
  shutil.copy(src / 'dataset-1_walk_normal_001.bvh',
              src / 'dataset-1_walk_sad_001.bvh')
  m = protocol.build_protocol(
      str(src), str(tmp_path / 'val'), protocol.ProtocolConfig(
          num_workers=1, test_styles=('sad',), exclude_styles=('old',)))
  assert m['counts']['train']['clips'] == 2
  assert m['counts']['test']['clips'] == 1
  styles = {s: {f['style'] for f in pipeline.frame_dataset(
      str(tmp_path / 'val'), s).as_numpy_iterator()} for s in ('train', 'test')}
  assert styles == {'train': {b'normal'}, 'test': {b'sad'}}
  assert list(m['config']['exclude_styles']) == ['old']
  with pytest.raises(ArgumentError, match='both a test style and excluded: old'):
    protocol.ProtocolConfig(exclude_styles=('old', 'sad'))


def test_bvh_protocol_puts_every_clip_in_test(clip_dir, tmp_path):
  manifest = protocol.bvh_protocol(str(clip_dir), str(tmp_path / 'p'))
  assert manifest['counts']['test']['clips'] == 3
  assert manifest['counts']['train']['clips'] == 0
  assert tuple(manifest['config']['test_subjects']) == ('S9', 'S11')
  assert {'normal', 'old'} <= set(manifest['config']['test_styles'])


@pytest.mark.full_data
def test_h36m_cameras_see_the_bandai_clips(shared_data, tmp_path):
  """Real clips through the real rig land inside the 1000x1000 images.

  >= 95% of frames are inside the images of at least two cameras (a real view
  pair), and >= 90% of all (frame, camera) samples are (some clips walk out
  of the 4.7 m wide field of view; docs/design.md expects about 8% to drop out).
  """
  m = protocol.build_protocol(
      str(shared_data / 'mocap' / 'bandai_namco' / 'dataset-1'),
      str(tmp_path / 'd1'))
  total = sum(c['samples'] for c in m['counts'].values())
  seen = sum(c['samples_visible'] for c in m['counts'].values())
  assert m['counts']['train']['clips'] + m['counts']['test']['clips'] == 174
  # docs/design.md: about 8% drop out by the 45-deg cone.
  assert seen / total >= 0.90
  frames = list(pipeline.frame_dataset(str(tmp_path / 'd1'), 'test')
                .as_numpy_iterator())
  kp = np.stack([f['keypoints_2d_px'] for f in frames])  # [F, 4, 16, 2]
  inside = ((kp >= 0) & (kp < 1000)).all(axis=(-1, -2))
  assert inside.mean() >= 0.90
  assert (inside.sum(axis=1) >= 2).mean() >= 0.95


def _frames(path, split):
  return list(pipeline.frame_dataset(str(path), split).as_numpy_iterator())


def test_body_copies_augment_training_clips(clip_dir, tmp_path, prepared):
  out, plain = prepared
  m = protocol.build_protocol(
      str(clip_dir), str(tmp_path / 'aug'),
      protocol.ProtocolConfig(num_workers=1, body_copies=2))
  # Test split unchanged, byte for byte; training clips thrice.
  assert (tmp_path / 'aug' / 'test-00000.tfrecord').read_bytes() == (
      out / 'test-00000.tfrecord').read_bytes()
  assert m['counts']['train']['clips'] == 2
  assert m['counts']['train']['frames'] == 3 * plain['counts']['train'][
      'frames']
  frames = _frames(tmp_path / 'aug', 'train')
  by_body = {}
  for f in frames:
    by_body.setdefault(f['body'], []).append(f)
  assert set(by_body) == {b'', b'drawn1', b'drawn2'}
  # Each copy keeps its bone lengths over frames and differs from the
  # original body; the 2D is the projection of the retargeted 3D.
  thigh = lambda fs, clip: np.array([
      np.linalg.norm(f['pose_3d_world_mm'][2] - f['pose_3d_world_mm'][1])
      for f in fs if f['clip'] == clip])
  clip = CLIPS[0].encode()
  base = thigh(by_body[b''], clip)
  for body in (b'drawn1', b'drawn2'):
    t = thigh(by_body[body], clip)
    assert t.std() < 0.05 and abs(t.mean() - base.mean()) > 1.0
  assert np.median(thigh(by_body[b'drawn1'], clip)) != np.median(
      thigh(by_body[b'drawn2'], clip))
  # Originals are the plain protocol's frames.
  plain_frames = _frames(out, 'train')
  np.testing.assert_array_equal(
      np.stack([f['pose_3d_world_mm'] for f in by_body[b'']]),
      np.stack([f['pose_3d_world_mm'] for f in plain_frames]))
  with pytest.raises(ArgumentError, match='body_copies'):
    protocol.ProtocolConfig(body_copies=-1)


def test_cross_body_protocol_same_cameras_and_noise(clip_dir, tmp_path):
  m = protocol.cross_body_protocol(str(clip_dir), str(tmp_path / 'cb'),
                                   protocol.ProtocolConfig(num_workers=1))
  assert m['counts']['train']['clips'] == 0
  assert m['counts']['test']['clips'] == 1
  assert sorted(os.listdir(tmp_path / 'cb')) == ['manifest.json',
                                                 'test-00000.tfrecord']
  frames = _frames(tmp_path / 'cb', 'test')
  bodies_seen = {f['body'].decode() for f in frames}
  assert bodies_seen == {'own'} | {b.name for b in bodies.HELD_OUT_BODIES}
  own = [f for f in frames if f['body'] == b'own']
  assert [f['frame'] for f in own[:3]] == [0, 20, 40]
  tall = [f for f in frames if f['body'] == b'tall-wide-longlegs']
  assert len({f['subject'] for f in own + tall}) == 1
  a, b = own[0], tall[0]
  # Same noise draw: the noisy-minus-exact 2D is the same on every body.
  np.testing.assert_allclose(
      a['keypoints_2d_noisy_px'] - a['keypoints_2d_px'],
      b['keypoints_2d_noisy_px'] - b['keypoints_2d_px'], atol=1e-3)
  assert not np.allclose(a['pose_3d_world_mm'], b['pose_3d_world_mm'])
  with pytest.raises(ArgumentError, match='unknown held-out body'):
    protocol.ProtocolConfig(test_bodies=('giant',))
