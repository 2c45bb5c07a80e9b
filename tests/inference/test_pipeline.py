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
from tests.inference.conftest import (SAMPLE_PHOTO, fake_person,
                                      write_noise_video)


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
      ['000000000785.json', '000000000785.png', 'clip.json', 'clip.jsonl',
       'clip.mp4', 'clip.png'])
  # The per-frame stream holds the frames of the JSON, one per line.
  lines = (out / 'clip.jsonl').read_text().splitlines()
  assert [json.loads(l) for l in lines] == video_doc['frames']
  assert all(p['track_id'] == 0 for f in video_doc['frames']
             for p in f['people'])


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


def test_a_cut_jpeg_and_an_empty_file_are_refused(tmp_path):
  data = SAMPLE_PHOTO.read_bytes()
  cut = tmp_path / 'cut.jpg'
  cut.write_bytes(data[:len(data) // 3])
  with pytest.raises(DataError, match='cut.jpg: truncated JPEG'):
    pl.read_image(str(cut))
  (tmp_path / 'empty.jpg').write_bytes(b'')
  with pytest.raises(DataError, match='empty file'):
    pl.read_image(str(tmp_path / 'empty.jpg'))
  assert pl.read_image(str(SAMPLE_PHOTO)).shape == (425, 640, 3)


def test_a_folder_with_bad_files_processes_the_good_ones(tmp_path):
  photos = tmp_path / 'photos'
  photos.mkdir()
  (photos / '._hidden.jpg').write_bytes(b'')  # skipped: hidden
  (photos / 'good.jpg').write_bytes(SAMPLE_PHOTO.read_bytes())
  (photos / 'bad.jpg').write_bytes(SAMPLE_PHOTO.read_bytes()[:5000])
  assert [os.path.basename(p) for p, _ in pl.list_inputs([str(photos)])] == [
      'bad.jpg', 'good.jpg']
  out = tmp_path / 'out'
  cfg = infer_lib.InferConfig([str(photos)], str(out), draw=False)
  lines = []
  with pytest.raises(DataError, match=r'1 of 2 inputs could not be read.*'
                     r'bad.jpg: truncated JPEG'):
    infer_lib.run(cfg, log=lines.append, backend=fake_backend,
                  lifter=fake_lifter)
  assert sorted(os.listdir(out)) == ['good.json']
  assert any(l.startswith('skipped:') and 'bad.jpg' in l for l in lines)


def test_a_cut_video_reports_the_frames_it_really_has(tmp_path):
  video = write_noise_video(tmp_path / 'clip.avi', 30)
  data = open(video, 'rb').read()
  open(video, 'wb').write(data[:len(data) * 6 // 10])
  lines = []
  cfg = infer_lib.InferConfig([video], str(tmp_path / 'out'), draw=False)
  infer_lib.run(cfg, log=lines.append, backend=fake_backend,
                lifter=fake_lifter)
  doc = json.loads((tmp_path / 'out' / 'clip.json').read_text())
  assert doc['input']['num_frames_in_header'] == 30
  assert doc['input']['num_frames'] == len(doc['frames']) < 30
  assert any('decoded' in l and 'of the 30 frames' in l for l in lines)


def test_3d_panels_have_three_readable_ticks_and_titles_count_right():
  from geo_rep_tf.inference import infer_figures
  assert infer_figures.axis_ticks(830.0) == [-500.0, 0.0, 500.0]
  assert infer_figures.axis_ticks(1000.0) == [-500.0, 0.0, 500.0]
  assert infer_figures.axis_ticks(2200.0) == [-2000.0, 0.0, 2000.0]
  assert infer_figures.people_text(1) == '1 person'
  assert infer_figures.people_text(3) == '3 people'
  person = pl.Person(fake_person(), fake_lifter(np.zeros([1, 16, 2]))[0])
  image = np.zeros([120, 160, 3], np.uint8)
  fig = infer_figures.plot_inference(image, [person])
  axes3d = [a for a in fig.axes if a.name == '3d']
  assert len(axes3d) == 2
  for ax in axes3d:
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
      assert len(axis.get_ticklocs()) == 3
  assert fig.axes[0].get_title() == '2D (1 person)'
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  plt.close(fig)
