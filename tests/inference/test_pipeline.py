"""Inputs, the JSON schema and the image/video job with stand-in models."""

import copy
import json
import os

import cv2
import numpy as np
import pytest

from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.inference import infer_lib
from geo_rep_tf.inference import pipeline as pl
from tests.inference.conftest import SAMPLE_PHOTO, fake_person


def fake_backend(image):
  return [fake_person(score=0.4), fake_person(offset=150.0, score=0.9)]


def fake_lifter(kp):
  pose = np.zeros([len(kp), 16, 3], np.float32)
  pose[:, :, 1] = -np.arange(16) * 50.0  # head up: y decreases
  return pose


def test_list_inputs(tmp_path):
  (tmp_path / 'b.png').write_bytes(b'')
  (tmp_path / 'a.MP4').write_bytes(b'')
  (tmp_path / 'notes.txt').write_text('x')
  assert pl.list_inputs([str(tmp_path)]) == [
      (str(tmp_path / 'a.MP4'), 'video'), (str(tmp_path / 'b.png'), 'image')]
  with pytest.raises(DataError, match='unknown file type'):
    pl.list_inputs([str(tmp_path / 'notes.txt')])
  with pytest.raises(DataError, match='input not found'):
    pl.list_inputs([str(tmp_path / 'nope.jpg')])
  (tmp_path / 'empty').mkdir()
  with pytest.raises(DataError, match='no image or video'):
    pl.list_inputs([str(tmp_path / 'empty')])


def test_pipeline_orders_filters_and_lifts():
  people = pl.Pipeline(lambda im: [fake_person(score=0.3),
                                   fake_person(score=0.8)], fake_lifter,
                       min_score=0.5)(np.zeros([10, 10, 3], np.uint8))
  assert len(people) == 1 and people[0].pose_3d_mm.shape == (16, 3)
  assert pl.Pipeline(fake_backend)(None)[0].pose_3d_mm is None


def _doc():
  people = pl.Pipeline(fake_backend, fake_lifter)(None)
  return pl.result_json('x.jpg', 'image', (640, 480),
                        [pl.frame_json(0, None, people)],
                        {'backend': 'fake', 'lifter': 'fake'})


def test_result_json_is_valid_and_serialisable():
  doc = _doc()
  pl.validate_result(doc)
  again = json.loads(json.dumps(doc))
  pl.validate_result(again)
  assert again['joint_names'][0] == 'pelvis'
  assert again['units']['pose_3d_mm'] == 'mm'
  person = again['frames'][0]['people'][0]
  assert len(person['keypoints_2d_px']) == 16
  assert len(person['pose_3d_mm'][0]) == 3


@pytest.mark.parametrize('path, value, message', [
    (('schema',), 'other/2', 'schema'),
    (('frames', 0, 'people', 0, 'keypoints_2d_px'), [[0, 0]] * 15,
     'keypoints_2d_px'),
    (('frames', 0, 'people', 0, 'confidence', 3), 1.5, 'confidence'),
    (('frames', 0, 'people', 0, 'pose_3d_mm', 0), [5.0, 0, 0],
     'root-relative'),
    (('frames', 0, 'people', 0, 'pose_3d_mm', 2), [float('nan'), 0, 0],
     'finite'),
    (('frames', 0, 'people', 1, 'id'), 7, 'id'),
    (('joint_names', 0), 'hips', 'joint_names'),
])
def test_validate_rejects(path, value, message):
  doc = copy.deepcopy(_doc())
  target = doc
  for key in path[:-1]:
    target = target[key]
  target[path[-1]] = value
  with pytest.raises(DataError, match=message):
    pl.validate_result(doc)


def test_config_checks():
  with pytest.raises(ArgumentError, match='backend'):
    infer_lib.InferConfig(['x.jpg'], 'out', backend='openpose')
  with pytest.raises(ArgumentError, match='hourglass_dir'):
    infer_lib.InferConfig(['x.jpg'], 'out', backend='hourglass')
  with pytest.raises(ArgumentError, match='no input'):
    infer_lib.InferConfig([], 'out')


def test_image_and_video_job(tmp_path):
  video = str(tmp_path / 'clip.avi')
  writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'MJPG'), 10,
                           (160, 120))
  for i in range(6):
    writer.write(np.full([120, 160, 3], 20 * i, np.uint8))
  writer.release()
  out = tmp_path / 'out'
  cfg = infer_lib.InferConfig([str(SAMPLE_PHOTO), video], str(out),
                              video_every=2)
  summary = infer_lib.run(cfg, log=lambda s: None, backend=fake_backend,
                          lifter=fake_lifter)
  # min_score 0.5 drops the 0.4 person.
  assert [s['people'] for s in summary] == [[1], [1, 1, 1]]
  image_doc = json.loads((out / '000000000785.json').read_text())
  pl.validate_result(image_doc)
  assert image_doc['input']['width'] == 640
  video_doc = json.loads((out / 'clip.json').read_text())
  pl.validate_result(video_doc)
  assert [f['index'] for f in video_doc['frames']] == [0, 2, 4]
  assert video_doc['frames'][1]['time_s'] == pytest.approx(0.2)
  for name in ('000000000785.png', 'clip.mp4', 'clip.png'):
    assert (out / name).stat().st_size > 1000, name
  cap = cv2.VideoCapture(str(out / 'clip.mp4'))
  assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 3
  cap.release()
  # Nothing temporary is left behind.
  assert sorted(os.listdir(out)) == sorted(
      ['000000000785.json', '000000000785.png', 'clip.json', 'clip.mp4',
       'clip.png'])


def test_two_inputs_with_one_name_get_two_outputs(tmp_path):
  (tmp_path / 'a').mkdir()
  (tmp_path / 'b').mkdir()
  for d in 'ab':
    cv2.imwrite(str(tmp_path / d / 'x.png'), np.zeros([40, 40, 3], np.uint8))
  cfg = infer_lib.InferConfig([str(tmp_path / 'a'), str(tmp_path / 'b')],
                              str(tmp_path / 'out'), draw=False)
  summary = infer_lib.run(cfg, log=lambda s: None, backend=lambda im: [],
                          lifter=None)
  assert [os.path.basename(s['json']) for s in summary] == ['x.json',
                                                           'x_1.json']
