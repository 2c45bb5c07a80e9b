"""Bad-input cases of every binary: what the user did and what they must see.

Each case runs a tool as a subprocess (tests/reliability/test_bad_inputs_cli.py)
and must exit with code 2, print exactly one `error:` line that contains
`expect` (the file, flag or field at fault), and no traceback. The table in
docs/bad_inputs.md is rendered from these cases and the messages observed.

Placeholders in args: {bad} is a directory of broken files made by
`make_bad_files`, {protocol} a valid tiny prepared protocol, {sample} the
committed sample clips, {rigs} examples/rigs, {photo} the committed sample
photo.
"""

import copy
import dataclasses
import json
import os
import shutil
from typing import Tuple

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SAMPLE = os.path.join(REPO, 'data', 'samples', 'bandai_namco', 'dataset-1')
CLIP = 'dataset-1_walk_normal_001.bvh'
RIG = os.path.join(REPO, 'geo_rep_tf', 'geometry', 'h36m_cameras.json')
PHOTO = os.path.join(REPO, 'data', 'samples', '000000000785.jpg')


@dataclasses.dataclass(frozen=True)
class Case:
  tool: str  # file in tools/
  what: str  # what the user got wrong
  args: Tuple[str, ...]
  expect: Tuple[str, ...]  # fragments of the error line
  # Also run in the default test run (tests/tools covers prepare_data and
  # visualize_pairs there already; each case costs a TensorFlow import).
  fast: bool = False


C = Case
CASES = [
    # ------------------------------------------------------------ prepare_data
    C('prepare_data', 'BVH file does not exist',
      ('--source={bad}/nope.bvh', '--out_dir={bad}/o'),
      ('nope.bvh', 'no such file')),
    C('prepare_data', 'truncated BVH (half a file)',
      ('--source={bad}/truncated/' + CLIP, '--out_dir={bad}/o'),
      (CLIP, 'truncated')),
    C('prepare_data', 'NaN in a BVH motion line',
      ('--source={bad}/nan/' + CLIP, '--out_dir={bad}/o'),
      (CLIP + ':', "'nan'")),
    C('prepare_data', 'binary garbage named .bvh',
      ('--source={bad}/garbage/garbage.bvh', '--out_dir={bad}/o'),
      ('garbage.bvh', 'missing MOTION')),
    C('prepare_data', 'source directory without BVH files',
      ('--source={bad}/empty', '--out_dir={bad}/o'),
      ('empty', 'no .bvh files')),
    C('prepare_data', 'source of the wrong format',
      ('--source={bad}/cameras_malformed.json', '--out_dir={bad}/o'),
      ('cameras_malformed.json', 'not a .bvh file')),
    C('prepare_data', '--data_dir does not exist',
      ('--data_dir={bad}/absent', '--out_dir={bad}/o'), ('absent',)),
    C('prepare_data', 'unknown --rig name',
      ('--source={sample}/' + CLIP, '--rig=no_such_rig', '--out_dir={bad}/o'),
      ('no_such_rig',)),
    C('prepare_data', 'rig JSON naming joints the BVH lacks',
      ('--source={sample}/' + CLIP, '--rig={rigs}/mixamo_example.json',
       '--out_dir={bad}/o'), ('mixamo_example.json', 'joints.')),
    C('prepare_data', "rig JSON unit 'mm' for a cm file (a 30 cm body)",
      ('--source={sample}/' + CLIP, '--rig={bad}/rig_unit_mm.json',
       '--out_dir={bad}/o'), ('rig_unit_mm.json', "unit 'mm'",
                              "unit 'cm' gives 1.4")),
    C('prepare_data', "rig JSON up_axis 'z' for a Y-up file",
      ('--source={sample}/' + CLIP, '--rig={bad}/rig_up_z.json',
       '--out_dir={bad}/o'), ('rig_up_z.json', "up_axis 'y' in 100%")),
    C('prepare_data', 'rig JSON mapping L_knee to Hips',
      ('--source={sample}/' + CLIP, '--rig={bad}/rig_knee_on_hips.json',
       '--out_dir={bad}/o'), ('rig_knee_on_hips.json', 'joints.L_knee')),
    C('prepare_data', 'only test-style clips (the train split would be empty)',
      ('--source={sample}/dataset-1_bow_old_001.bvh', '--out_dir={bad}/o'),
      ('dataset-1_bow_old_001.bvh', 'train split would be empty')),
    C('prepare_data', 'camera JSON missing',
      ('--source={sample}/' + CLIP, '--cameras={bad}/no_cameras.json',
       '--out_dir={bad}/o'), ('no_cameras.json',)),
    C('prepare_data', 'camera JSON malformed',
      ('--source={sample}/' + CLIP, '--cameras={bad}/cameras_malformed.json',
       '--out_dir={bad}/o'), ('cameras_malformed.json', 'invalid JSON')),
    C('prepare_data', 'camera R_w2c not orthonormal (R R^T != I)',
      ('--source={sample}/' + CLIP, '--cameras={bad}/cameras_scaled_R.json',
       '--out_dir={bad}/o'), ('cameras_scaled_R.json', 'R_w2c',
                              'not a rotation')),
    C('prepare_data', 'camera R_w2c a reflection (det = -1)',
      ('--source={sample}/' + CLIP, '--cameras={bad}/cameras_reflection.json',
       '--out_dir={bad}/o'), ('cameras_reflection.json', 'R_w2c',
                              'not a rotation')),
    C('prepare_data', 'camera translation NaN',
      ('--source={sample}/' + CLIP, '--cameras={bad}/cameras_nan_t.json',
       '--out_dir={bad}/o'), ('cameras_nan_t.json', 't_mm', 'not finite')),
    C('prepare_data', 'camera with 2 focal values missing',
      ('--source={sample}/' + CLIP, '--cameras={bad}/cameras_short_f.json',
       '--out_dir={bad}/o'), ('cameras_short_f.json', '.f', 'shape')),
    C('prepare_data', '--frame_step=0', ('--frame_step=0',), ('--frame_step',)),
    C('prepare_data', '--noise_sigma_px negative', ('--noise_sigma_px=-1',),
      ('--noise_sigma_px',)),
    C('prepare_data', '--num_workers=0', ('--num_workers=0',),
      ('--num_workers',)),
    C('prepare_data', 'unknown flag', ('--frame_stpe=2',), ('frame_stpe',)),
    C('prepare_data', 'stray positional argument', ('clips/',),
      ('unexpected positional arguments', 'clips/')),
    # --------------------------------------------------------- visualize_pairs
    C('visualize_pairs', 'not a prepared protocol', ('--protocol_dir={bad}',),
      ('manifest.json', 'prepare_data')),
    C('visualize_pairs', 'manifest.json malformed',
      ('--protocol_dir={bad}/protocol_bad_manifest',),
      ('manifest.json', 'invalid JSON')),
    C('visualize_pairs', 'manifest shard path escaping the directory',
      ('--protocol_dir={bad}/protocol_escape', '--out={bad}/v.png'),
      ('manifest.json', 'shards.train', '../')),
    C('visualize_pairs', 'truncated TFRecord shard',
      ('--protocol_dir={bad}/protocol_truncated', '--out={bad}/v.png'),
      ('train-00000.tfrecord', 'truncated')),
    C('visualize_pairs', 'missing TFRecord shard',
      ('--protocol_dir={bad}/protocol_missing_shard', '--out={bad}/v.png'),
      ('train-00000.tfrecord', 'missing')),
    C('visualize_pairs', '--num_frames out of range',
      ('--protocol_dir={protocol}', '--num_frames=0'), ('--num_frames',)),
    C('visualize_pairs', '--split not train/test', ('--split=val',),
      ('--split',)),
    # --------------------------------------------------------- train_regressor
    C('train_regressor', 'protocol directory missing',
      ('--protocol_dir={bad}/absent', '--model_dir={bad}/m', '--regressor='
       'baseline1'), ('absent', 'manifest.json')),
    C('train_regressor', 'camera index out of range',
      ('--protocol_dir={protocol}', '--model_dir={bad}/m', '--cameras=0,4'),
      ('--cameras=0,4', '0..3'), fast=True),
    C('train_regressor', 'camera list not numbers',
      ('--protocol_dir={protocol}', '--model_dir={bad}/m', '--cameras=a,b'),
      ('--cameras=a,b',)),
    C('train_regressor', 'regression1 without --representation_dir',
      ('--protocol_dir={protocol}', '--model_dir={bad}/m',
       '--regressor=regression1'), ('representation_dir',)),
    C('train_regressor', '--representation_dir is not a run',
      ('--protocol_dir={protocol}', '--model_dir={bad}/m',
       '--regressor=regression1', '--representation_dir={bad}/empty'),
      ('empty', 'config.json')),
    C('train_regressor', 'unknown --regressor', ('--model_dir={bad}/m',
                                                 '--regressor=regression9'),
      ('--regressor',)),
    C('train_regressor', '--num_labels negative',
      ('--model_dir={bad}/m', '--num_labels=-5'), ('--num_labels',)),
    C('train_regressor', '--batch_size=0', ('--model_dir={bad}/m',
                                            '--batch_size=0'),
      ('--batch_size',)),
    C('train_regressor', '--learning_rate=0',
      ('--protocol_dir={protocol}', '--model_dir={bad}/m',
       '--regressor=baseline1', '--learning_rate=0'), ('learning_rate',)),
    C('train_regressor', '--dropout above 0.99',
      ('--model_dir={bad}/m', '--dropout=1.5'), ('--dropout',)),
    C('train_regressor', '--model_dir is a file',
      ('--protocol_dir={protocol}', '--model_dir={bad}/cameras_malformed.json',
       '--regressor=baseline1'), ('--model_dir', 'is a file')),
    C('train_regressor', '--model_dir not given', ('--regressor=baseline1',),
      ('--model_dir',)),
    C('train_regressor', '--model_dir holds a representation run',
      ('--protocol_dir={protocol}', '--model_dir={bad}/rep_run',
       '--regressor=baseline1'), ('rep_run', 'holds a representation run')),
    C('train_regressor', '--model_dir holds checkpoints without config.json',
      ('--protocol_dir={protocol}', '--model_dir={bad}/ckpt_only',
       '--regressor=baseline1'), ('ckpt_only', 'no readable config.json')),
    C('train_regressor', '--representation_dir is a regressor run',
      ('--protocol_dir={protocol}', '--model_dir={bad}/new_run',
       '--regressor=regression1', '--representation_dir={bad}/reg_run'),
      ('reg_run',)),
    # -------------------------------------------------------- train_hourglass
    C('train_hourglass', 'annotation file missing',
      ('--annotations={bad}/none.json', '--model_dir={bad}/h'), ('none.json',)),
    C('train_hourglass', 'annotation json malformed',
      ('--annotations={bad}/mpii_malformed.json', '--model_dir={bad}/h'),
      ('mpii_malformed.json', 'invalid JSON')),
    C('train_hourglass', 'NaN keypoint coordinate',
      ('--annotations={bad}/mpii_nan.json', '--model_dir={bad}/h'),
      ('mpii_nan.json', 'record 0.joints', 'non-finite')),
    C('train_hourglass', '15 joints instead of 16',
      ('--annotations={bad}/mpii_15_joints.json', '--model_dir={bad}/h'),
      ('mpii_15_joints.json', 'record 0.joints', 'shape [15, 2]')),
    C('train_hourglass', 'image path escaping the dataset root',
      ('--annotations={bad}/mpii_escape.json', '--model_dir={bad}/h'),
      ('mpii_escape.json', 'record 0.image', "'..'")),
    C('train_hourglass', 'COCO keypoints of the wrong length',
      ('--annotations={bad}/coco_short.json', '--model_dir={bad}/h'),
      ('coco_short.json', 'annotations[0].keypoints', 'shape')),
    C('train_hourglass', '--input_size not divisible by 4 * 2^depth',
      ('--annotations={bad}/none.json', '--model_dir={bad}/h',
       '--input_size=100'), ('--input_size',)),
    # -------------------------------------------- train_representation, evaluate
    C('train_representation', 'unknown --variant',
      ('--model_dir={bad}/r', '--variant=BL+XX'), ('--variant',)),
    C('train_representation', '--virtual_fraction above 1',
      ('--model_dir={bad}/r', '--virtual_fraction=1.5'),
      ('--virtual_fraction',)),
    C('train_representation', '--virtual_elevation_deg not two numbers',
      ('--model_dir={bad}/r', '--virtual_elevation_deg=low,high'),
      ('--virtual_elevation_deg', 'LOW,HIGH')),
    C('train_representation', '--virtual_elevation_deg band reversed',
      ('--model_dir={bad}/r', '--virtual_elevation_deg=60,-10'),
      ('--virtual_elevation_deg', 'LOW <= HIGH')),
    C('train_representation', '--model_dir holds a regressor run',
      ('--model_dir={bad}/reg_run', '--protocol_dir={protocol}'),
      ('reg_run', 'holds a regressor run')),
    C('train_representation', 'protocol directory missing',
      ('--model_dir={bad}/r', '--protocol_dir={bad}/absent'),
      ('absent', 'manifest.json')),
    # ------------------------------------------------------------------ export
    C('export', '--overwrite onto a plain file',
      ('--model_dir={bad}/reg_run', '--out_dir={bad}/cameras_malformed.json',
       '--overwrite'), ('cameras_malformed.json', 'not an earlier export')),
    C('export', '--overwrite onto a folder of other files',
      ('--model_dir={bad}/reg_run', '--out_dir={bad}/not_export',
       '--overwrite'), ('not_export', 'notes.txt')),
    C('export', '--out_dir exists, no --overwrite',
      ('--model_dir={bad}/reg_run', '--out_dir={bad}/not_export'),
      ('not_export', 'already exists')),
    C('evaluate', 'run directory missing', ('--model_dirs={bad}/absent',),
      ('absent',), fast=True),
    C('evaluate', 'a directory that is not a regressor run',
      ('--model_dirs={protocol}',), ('config.json',)),
    C('evaluate', '--out is a folder (checked before the work)',
      ('--model_dirs={bad}/reg_run', '--out={bad}/empty'),
      ('--out', 'is a directory')),
    C('evaluate', 'exported lifter, no --protocol_dir or --bvh_dir',
      ('--model_dirs={bad}/not_export',), ('not_export', '--protocol_dir')),
    C('evaluate', '--split not train/test', ('--model_dirs=x', '--split=val'),
      ('--split',)),
    # ------------------------------------------ infer, fetch_models, experiments
    C('infer', '--output_dir is a file',
      ('--inputs={photo}', '--output_dir={bad}/cameras_malformed.json'),
      ('--output_dir', 'is a file'), fast=True),
    C('infer', '--output_dir under /proc',
      ('--inputs={photo}', '--output_dir=/proc/x'),
      ('--output_dir=/proc/x', 'cannot create it')),
    C('infer', '--output_dir under /sys',
      ('--inputs={photo}', '--output_dir=/sys/kernel/x'),
      ('--output_dir=/sys/kernel/x', 'cannot create it')),
    C('fetch_models', '--models_dir is a file',
      ('--models_dir={bad}/cameras_malformed.json',),
      ('--models_dir', 'is a file')),
    C('run_experiment', '--out_dir is a file',
      ('--experiment=data_efficiency', '--representation_dir={bad}/rep_run',
       '--out_dir={bad}/cameras_malformed.json'), ('--out_dir', 'is a file')),
    # ------------------------------------------------------- more user paths
    C('infer', 'input file missing', ('--inputs={bad}/none.jpg',
                                      '--output_dir={bad}/io'),
      ('none.jpg', 'input not found')),
    C('infer', 'a text file as input', ('--inputs={bad}/not_export/notes.txt',
                                        '--output_dir={bad}/io'),
      ('notes.txt', 'unknown file type')),
    C('infer', 'a JPEG cut to a third', ('--inputs={bad}/cut.jpg',
                                         '--output_dir={bad}/io'),
      ('cut.jpg', 'truncated JPEG')),
    C('infer', 'an empty (0-byte) image', ('--inputs={bad}/zero.jpg',
                                           '--output_dir={bad}/io'),
      ('zero.jpg', 'empty file')),
    C('infer', 'a folder with no image or video', ('--inputs={bad}/empty',
                                                   '--output_dir={bad}/io'),
      ('empty', 'no image or video')),
    C('infer', '--min_score above 1', ('--inputs={photo}', '--min_score=2'),
      ('--min_score',)),
    C('infer', '--tiles above 4', ('--inputs={photo}', '--tiles=9'),
      ('--tiles',)),
    C('infer', '--video_every=0', ('--inputs={photo}', '--video_every=0'),
      ('--video_every',)),
    C('infer', '--smooth_min_cutoff=0', ('--inputs={photo}',
                                         '--smooth_min_cutoff=0'),
      ('--smooth_min_cutoff',)),
    C('infer', '--smooth_beta negative', ('--inputs={photo}',
                                          '--smooth_beta=-1'),
      ('--smooth_beta',)),
    C('infer', 'unknown --backend', ('--inputs={photo}', '--backend=openpose'),
      ('--backend',)),
    C('infer', 'hourglass backend without --hourglass_dir',
      ('--inputs={photo}', '--backend=hourglass', '--output_dir={bad}/io'),
      ('--hourglass_dir',)),
    C('infer', '--lifter_dir missing', ('--inputs={photo}',
                                        '--lifter_dir={bad}/absent',
                                        '--output_dir={bad}/io'),
      ('absent',)),
    C('infer', '--inputs not given', ('--output_dir={bad}/io',),
      ('--inputs',)),
    C('export', '--precisions not a subset', ('--model_dir={bad}/reg_run',
                                              '--out_dir={bad}/e',
                                              '--precisions=fp8'),
      ('--precisions',)),
    C('export', '--model_dir missing', ('--model_dir={bad}/absent',
                                        '--out_dir={bad}/e'),
      ('--model_dir', 'absent')),
    C('export', '--hourglass_dir not a run',
      ('--model_dir={bad}/reg_run', '--out_dir={bad}/e',
       '--hourglass_dir={bad}/empty'), ('--hourglass_dir', 'config.json')),
    C('compare_lifters', 'input photo missing',
      ('--lifters=ours=full', '--inputs={bad}/none.jpg', '--out={bad}/c.json',
       '--protocol_dir={protocol}'),
      ('none.jpg',)),
    C('compare_lifters', '--min_score above 1', ('--lifters=ours=full',
                                                 '--inputs={photo}',
                                                 '--min_score=3'),
      ('--min_score',)),
    C('probe_representation', '--representation_dir not a run',
      ('--representation_dir={bad}/empty', '--protocol_dir={protocol}'),
      ('empty', 'config.json')),
    C('probe_representation', '--train_samples=0',
      ('--representation_dir={bad}/rep_run', '--train_samples=0'),
      ('--train_samples',)),
    C('report_representation', '--model_dir not a run',
      ('--model_dir={bad}/empty', '--protocol_dir={protocol}',
       '--out_dir={bad}/rr'), ('empty', 'config.json')),
    C('collect_data_efficiency', '--source not MEDIUM:INPUT:DIR',
      ('--source=map', '--out={bad}/de.json'), ('--source',)),
    C('collect_data_efficiency', '--out exists, no --overwrite',
      ('--source=coords:noisy:{bad}/empty',
       '--out={bad}/cameras_malformed.json'), ('--out', 'exists')),
    C('run_experiment', 'unknown --experiment', ('--experiment=fig9',
                                                 '--out_dir={bad}/x'),
      ('--experiment',)),
    C('run_experiment', '--holdout_camera out of range',
      ('--experiment=table1', '--holdout_camera=7',
       '--representation_dir={bad}/rep_run', '--out_dir={bad}/x',
       '--protocol_dir={protocol}'), ('holdout_camera',)),
    C('run_experiment', 'ablation --representation_dirs not VARIANT=DIR',
      ('--experiment=ablation', '--representation_dirs=BL+AE',
       '--out_dir={bad}/x', '--protocol_dir={protocol}'),
      ('representation_dirs',)),
    C('interpolate', '--representation_dirs missing',
      ('--representation_dirs={bad}/absent', '--protocol_dir={protocol}',
       '--out={bad}/i.png'), ('absent',)),
    C('visualize_pairs', '--out inside a file',
      ('--protocol_dir={protocol}', '--out={bad}/cameras_malformed.json/v.png'),
      ('--out', 'is a file')),
    C('collect_cross_body', '--evaluation not STAGE:PATH',
      ('--evaluation=before', '--out={bad}/cb.json'), ('STAGE:PATH',)),
    C('collect_cross_body', '--evaluation file missing',
      ('--evaluation=before:{bad}/none.json', '--out={bad}/cb.json'),
      ('none.json', 'no such file')),
    C('collect_cross_body', '--out exists, no --overwrite',
      ('--evaluation=before:{bad}/none.json',
       '--out={bad}/cameras_malformed.json'), ('--out', 'exists')),
    C('collect_cross_body', '--default_stage not one of the stages',
      ('--evaluation=before:{bad}/none.json', '--default_stage=after',
       '--out={bad}/cb.json'), ('--default_stage', 'after')),
    C('run_experiment', '--regressor_type_flag not TYPE:--FLAG',
      ('--experiment=table1', '--regressor_type_flag=regression2_g',
       '--out_dir={bad}/x'), ('--regressor_type_flag', 'TYPE:--FLAG')),
    C('prepare_data', 'a style both a test style and excluded',
      ('--source=data/samples/bandai_namco/dataset-1',
       '--test_styles=old', '--exclude_styles=old', '--out_dir={bad}/o'),
      ('test style', 'excluded: old')),
]


def _write(path, text):
  os.makedirs(os.path.dirname(path), exist_ok=True)
  mode = 'wb' if isinstance(text, bytes) else 'w'
  with open(path, mode) as f:
    f.write(text)


def _rig_variant(bad, name, change):
  rig = json.load(open(RIG))
  change(rig)
  _write(os.path.join(bad, name), json.dumps(rig))


def _first_cam(rig):
  subject = sorted(rig['extrinsics'])[0]
  cam = sorted(rig['extrinsics'][subject])[0]
  return rig['extrinsics'][subject][cam]


def make_bad_files(bad, protocol):
  """Writes every broken input the cases name into directory `bad`."""
  text = open(os.path.join(SAMPLE, CLIP)).read()
  _write(os.path.join(bad, 'truncated', CLIP), text[:len(text) // 2])
  lines = text.split('\n')
  motion = lines.index('MOTION')
  first = motion + 3  # MOTION, Frames:, Frame Time:, then frame 0
  values = lines[first].split()
  values[4] = 'nan'
  lines[first] = ' '.join(values)
  _write(os.path.join(bad, 'nan', CLIP), '\n'.join(lines))
  _write(os.path.join(bad, 'garbage', 'garbage.bvh'),
         bytes(range(256)) * 4)
  os.makedirs(os.path.join(bad, 'empty'), exist_ok=True)
  _write(os.path.join(bad, 'cameras_malformed.json'), '{"intrinsics": {')

  def scale_r(rig):
    _first_cam(rig)['R_w2c'][0] = [2 * v for v in _first_cam(rig)['R_w2c'][0]]

  def reflect_r(rig):
    _first_cam(rig)['R_w2c'][2] = [-v for v in _first_cam(rig)['R_w2c'][2]]

  def nan_t(rig):
    _first_cam(rig)['t_mm'][1] = float('nan')

  def short_f(rig):
    cam = sorted(rig['intrinsics'])[0]
    rig['intrinsics'][cam]['f'] = rig['intrinsics'][cam]['f'][:1]
  _rig_variant(bad, 'cameras_scaled_R.json', scale_r)
  _rig_variant(bad, 'cameras_reflection.json', reflect_r)
  _rig_variant(bad, 'cameras_nan_t.json', nan_t)
  _rig_variant(bad, 'cameras_short_f.json', short_f)

  record = {'image': 'a.jpg', 'center': [100.0, 100.0], 'scale': 1.0,
            'joints': [[10.0 + j, 20.0] for j in range(16)],
            'joints_vis': [1] * 16}
  _write(os.path.join(bad, 'mpii_malformed.json'), json.dumps([record])[:50])
  nan = copy.deepcopy(record)
  nan['joints'][3][1] = float('nan')
  _write(os.path.join(bad, 'mpii_nan.json'), json.dumps([nan]))
  short = copy.deepcopy(record)
  short['joints'] = short['joints'][:15]
  _write(os.path.join(bad, 'mpii_15_joints.json'), json.dumps([short]))
  escape = dict(record, image='../../../etc/passwd')
  _write(os.path.join(bad, 'mpii_escape.json'), json.dumps([escape]))
  coco = {'images': [{'id': 1, 'file_name': 'a.jpg'}],
          'annotations': [{'id': 1, 'image_id': 1, 'category_id': 1,
                           'bbox': [0, 0, 9, 9], 'keypoints': [1, 2, 2] * 16}],
          'categories': [{'id': 1, 'name': 'person',
                          'keypoints': [str(k) for k in range(17)]}]}
  _write(os.path.join(bad, 'coco_short.json'), json.dumps(coco))

  # Runs of the wrong stage and folders that are not exports: the tools
  # must refuse them and leave every file as it was (test_data_safety.py).
  for name, task in (('rep_run', 'representation'), ('reg_run', 'regressor')):
    _write(os.path.join(bad, name, 'config.json'),
           json.dumps({'task': task, task: {}}))
    _write(os.path.join(bad, name, 'flags.txt'), '--original\n')
  _write(os.path.join(bad, 'ckpt_only', 'ckpt-5.index'), b'')
  _write(os.path.join(bad, 'not_export', 'notes.txt'), 'my notes\n')
  photo = open(PHOTO, 'rb').read()
  _write(os.path.join(bad, 'cut.jpg'), photo[:len(photo) // 3])
  _write(os.path.join(bad, 'zero.jpg'), b'')

  # The Bandai rig as JSON with one field wrong each.
  from geo_rep_tf.data import rigs  # pylint: disable=g-import-not-at-top
  from geo_rep_tf.geometry.joints import MODEL16  # pylint: disable=g-import-not-at-top

  def spec(j):
    if j.extrapolate_mm is not None:
      return {'extrapolate': list(j.joints), 'mm': j.extrapolate_mm}
    return j.joints[0] if len(j.joints) == 1 else list(j.joints)
  bandai = dict(name='my_bandai', unit='cm', up_axis='y',
                joints={m: spec(j) for m, j in zip(MODEL16.names,
                                                   rigs.BANDAI.joints)})
  for name, change in (('rig_unit_mm.json', dict(unit='mm')),
                       ('rig_up_z.json', dict(up_axis='z')),
                       ('rig_knee_on_hips.json',
                        dict(joints=dict(bandai['joints'], L_knee='Hips')))):
    _write(os.path.join(bad, name), json.dumps(dict(bandai, **change)))

  def protocol_copy(name):
    out = os.path.join(bad, name)
    shutil.copytree(protocol, out)
    return out
  _write(os.path.join(protocol_copy('protocol_bad_manifest'),
                      'manifest.json'), '{"shards": ')
  out = protocol_copy('protocol_escape')
  manifest = json.load(open(os.path.join(out, 'manifest.json')))
  manifest['shards']['train'] = ['../../outside.tfrecord']
  _write(os.path.join(out, 'manifest.json'), json.dumps(manifest))
  out = protocol_copy('protocol_truncated')
  shard = os.path.join(out, 'train-00000.tfrecord')
  with open(shard, 'r+b') as f:
    f.truncate(os.path.getsize(shard) // 2)
  os.remove(os.path.join(protocol_copy('protocol_missing_shard'),
                         'train-00000.tfrecord'))
