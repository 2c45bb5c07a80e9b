r"""Pictures of what the model sees: one pose from two real and two virtual cameras.

  python tools/visualize_pairs.py --protocol_dir=work_dirs/bandai_h36m \
      --out=work_dirs/pictures/view_pairs.png

For a few frames of a prepared protocol, draws the pose from above with the
cameras, each camera's 2D skeleton, the two 15-channel skeleton maps and the
relative rotation R_i->j, for a real Human3.6M camera pair and for a
virtual-camera pair.
"""

import os

from absl import flags
import numpy as np

from geo_rep_tf.data import pipeline
from geo_rep_tf.data.manifest import load_manifest
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import cameras, rotations, skeleton_maps
from geo_rep_tf.geometry import virtual_cameras as vc
from geo_rep_tf import cli
from geo_rep_tf.utils.files import check_output_file
from geo_rep_tf.viz import figures

_PROTOCOL_DIR = flags.DEFINE_string('protocol_dir', 'work_dirs/bandai_h36m',
                                'Prepared protocol (tools/prepare_data.py).')
_SPLIT = flags.DEFINE_enum('split', 'train', ['train', 'test'], 'Split.')
_OUT = flags.DEFINE_string('out', 'work_dirs/pictures/view_pairs.png',
                           'Output PNG; with --num_frames > 1, _<k> is added.')
_NUM = flags.DEFINE_integer('num_frames', 2, 'How many frames to draw.',
                            lower_bound=1, upper_bound=50)
_SEED = flags.DEFINE_integer('seed', 0, 'Frame and camera choice.')


def _rows_for_frame(f, seed):
  rng = np.random.default_rng(seed)
  visible = np.flatnonzero(f['visible'])
  if len(visible) < 2:
    return None
  i, j = rng.choice(visible, 2, replace=False)
  kp = f['keypoints_2d_px'][[i, j]]
  R = f['R_w2c'][[i, j]]
  centers = -np.einsum('kji,kj->ki', R, f['t_mm'][[i, j]])
  maps = skeleton_maps.skeleton_maps(kp).numpy()
  real = dict(label=f'real H36M {f["subject"].decode()} cams {i + 1}->{j + 1}',
              centers_mm=centers, keypoints_px=kp, maps=maps,
              image_size=tuple(f['resolution'][i]),
              R_rel=rotations.relative_rotation(R[0], R[1]).numpy())
  pose = f['pose_3d_world_mm']
  cams = vc.sample_camera_pairs([seed, 1], pose[None, 0].astype(np.float32))
  X = cameras.world_to_camera(pose[None, None], cams['R_w2c'], cams['t_mm'])
  kp_v = cameras.project(X, cams['f'], cams['c']).numpy()[0]
  virtual = dict(label='virtual pair', centers_mm=cams['center_mm'][0].numpy(),
                 keypoints_px=kp_v, maps=skeleton_maps.skeleton_maps(kp_v).numpy(),
                 image_size=(1024, 1016), R_rel=cams['R_rel'][0].numpy())
  return [real, virtual]


def main(argv):
  del argv
  check_output_file(_OUT.value, '--out')
  frames = pipeline.frame_dataset(_PROTOCOL_DIR.value, _SPLIT.value)
  manifest = load_manifest(_PROTOCOL_DIR.value)
  n_frames = manifest['counts'][_SPLIT.value]['frames_kept']
  rng = np.random.default_rng(_SEED.value)
  picks = set(rng.choice(n_frames, min(_NUM.value, n_frames), replace=False))
  written = []
  stem, ext = os.path.splitext(_OUT.value)
  for idx, f in enumerate(frames.as_numpy_iterator()):
    if idx not in picks:
      continue
    rows = _rows_for_frame(f, _SEED.value + idx)
    if rows is None:
      continue
    title = (f'{f["clip"].decode()} frame {f["frame"]} '
             f'(action {f["action"].decode()}, style {f["style"].decode()})')
    path = _OUT.value if _NUM.value == 1 else f'{stem}_{len(written)}{ext}'
    figures.save_figure(figures.plot_view_pairs(f['pose_3d_world_mm'], rows,
                                                title), path)
    written.append(path)
    if len(written) == _NUM.value:
      break
  if not written:
    raise ArgumentError(f'no frame with two visible cameras in {_PROTOCOL_DIR.value}')
  for p in written:
    print(f'wrote {p}')


def run():
  cli.run(main)


if __name__ == '__main__':
  run()
