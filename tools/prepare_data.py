r"""Builds the Bandai-H36M protocol: BVH motion capture -> TFRecord shards.

  python tools/prepare_data.py --data_dir=../shared/data \
      --out_dir=work_dirs/bandai_h36m [--body_copies=2] [--cross_body]

Reads a BVH file, a directory of BVH files and/or .tar(.xz/.gz) archives of
them (dataset-2 ships as data.tar.xz and is read without unpacking), and
writes train/test TFRecord shards and manifest.json (see
geo_rep_tf/data/protocol.py). Exit code 2 with a one-line message on bad
input; the output directory is replaced only when the build succeeds.
"""

import os

from absl import flags, logging

from geo_rep_tf.data import protocol
from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf import cli
from geo_rep_tf.utils.progress import Progress

_DATA_DIR = flags.DEFINE_string(
    'data_dir', None, 'Data root laid out like ../shared/data (its '
    'mocap/bandai_namco is read). Default: $GEO_REP_TF_DATA, else the '
    'committed sample data/samples/bandai_namco.')
_SOURCE = flags.DEFINE_string(
    'source', None, 'A BVH file, directory or .tar(.xz) archive to read '
    'instead of the data root (any rig; see --rig).')
_OUT_DIR = flags.DEFINE_string('out_dir', 'work_dirs/bandai_h36m',
                               'Output directory.')
_RIG = flags.DEFINE_string(
    'rig', 'auto', "BVH rig: 'auto', 'bandai', 'cmu', 'cmu_hip' or a JSON "
    'rig file (see docs/data.md).')
_CAMERAS = flags.DEFINE_string(
    'cameras', None, 'Camera rig JSON (default: the shipped Human3.6M one).')
_FRAME_STEP = flags.DEFINE_integer('frame_step', 5, 'Keep every k-th frame.',
                                   lower_bound=1)
_NOISE = flags.DEFINE_float('noise_sigma_px', 5.0,
                            'Std of the noisy-2D Gaussian, px.', lower_bound=0)
_SEED = flags.DEFINE_integer('seed', 0, 'Seed of camera choice and noise.')
_TEST_STYLES = flags.DEFINE_list(
    'test_styles', list(protocol.ProtocolConfig.test_styles),
    'Styles of the test split.')
_EXCLUDE_STYLES = flags.DEFINE_list(
    'exclude_styles', [], 'Styles left out of both splits: with --test_styles '
    'set to some training styles and this to the real test styles, a '
    'validation protocol (flags/bandai_h36m_validation.cfg).')
_WORKERS = flags.DEFINE_integer('num_workers', 2, 'Parsing processes.',
                                lower_bound=1)
_LIMIT = flags.DEFINE_integer('limit_clips', 0,
                              'Use only the first N clips (0: all).',
                              lower_bound=0)
_BODY_COPIES = flags.DEFINE_integer(
    'body_copies', 0, 'Body-proportion augmentation: write every training '
    'clip this many more times, each on a body drawn from '
    'geometry/bodies.py BODY_RANGES (0: off).', lower_bound=0)
_CROSS_BODY = flags.DEFINE_boolean(
    'cross_body', False, 'Build the cross-body benchmark instead: the test '
    'clips, every 20th frame, on their own body and on each of the 8 '
    'held-out bodies (--frame_step and --body_copies are ignored).')


def resolve_source(source, data_dir) -> str:
  """--source, else <data root>/mocap/bandai_namco, else the sample."""
  if source:
    return source
  data_dir = data_dir or os.environ.get('GEO_REP_TF_DATA')
  if data_dir:
    if not os.path.isdir(data_dir):
      raise DataError('data directory not found (--data_dir or '
                      'GEO_REP_TF_DATA)', data_dir)
    mocap = os.path.join(data_dir, 'mocap', 'bandai_namco')
    return mocap if os.path.isdir(mocap) else data_dir
  here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  return os.path.join(here, 'data', 'samples', 'bandai_namco')


def main(argv):
  del argv
  source = resolve_source(_SOURCE.value, _DATA_DIR.value)
  config = protocol.ProtocolConfig(
      frame_step=_FRAME_STEP.value, noise_sigma_px=_NOISE.value,
      seed=_SEED.value, rig=_RIG.value, num_workers=_WORKERS.value,
      test_styles=tuple(_TEST_STYLES.value),
      exclude_styles=tuple(_EXCLUDE_STYLES.value), limit_clips=_LIMIT.value,
      body_copies=_BODY_COPIES.value)
  logging.info('preparing %s -> %s', source, _OUT_DIR.value)
  bar = None

  def progress(done, total, clips):
    nonlocal bar
    if bar is None:
      bar = Progress(total, 'prepare_data', ' MB', scale=1e-6)
    bar.update(done, f'{clips} clips')

  if _CROSS_BODY.value:
    if _CAMERAS.value:
      raise ArgumentError('--cross_body uses the shipped Human3.6M cameras; '
                          'leave --cameras unset')
    manifest = protocol.cross_body_protocol(source, _OUT_DIR.value, config,
                                            progress=progress)
  else:
    manifest = protocol.build_protocol(source, _OUT_DIR.value, config,
                                       rig_path=_CAMERAS.value,
                                       progress=progress)
  if bar is not None:
    bar.close(bar.total)
  for split, c in manifest['counts'].items():
    if not c['clips']:
      continue
    pct = 100.0 * (1 - c['samples_visible'] / max(c['samples'], 1))
    print(f'{split}: {c["clips"]} clips, {c["frames"]} frames, '
          f'{c["samples_visible"]}/{c["samples"]} (frame, camera) samples '
          f'visible ({pct:.1f}% dropped), {len(manifest["shards"][split])} '
          'shards')
  print(f'wrote {os.path.abspath(_OUT_DIR.value)} in {manifest["wall_s"]} s')


def run():
  cli.run(main)


if __name__ == '__main__':
  run()
