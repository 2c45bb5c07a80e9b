"""MPII and COCO 2D annotation readers, on the real files and on broken ones."""

import copy
import json

import cv2
import numpy as np
import pytest

from geo_rep_tf.data import annotations_2d
from geo_rep_tf.errors import DataError
from geo_rep_tf.geometry import joints

M = joints.MODEL16


def _image_size_wh(path):
  image = cv2.imread(str(path))
  assert image is not None, path
  return image.shape[1], image.shape[0]


def _assert_inside(person, size_wh):
  kps = person.keypoints_px[person.visibility]
  assert np.all(kps >= 0), person.image_path
  assert np.all(kps < np.asarray(size_wh)), person.image_path
  model = person.model_keypoints_px[person.model_visibility]
  assert np.all(model >= 0) and np.all(model < np.asarray(size_wh))


# ----------------------------------------------------------------- real MPII


def test_real_mpii(shared_data):
  people = annotations_2d.load_mpii_json(
      shared_data / 'images' / 'mpii' / 'annotations.json')
  assert len(people) == 5
  for p in people:
    assert p.image_path.is_file()
    assert p.joint_set is joints.MPII16
    assert p.keypoints_px.shape == (16, 2) and p.visibility.shape == (16,)
    assert p.model_keypoints_px.shape == (16, 2)
    assert p.model_keypoints_px.dtype == np.float32
    assert p.visibility.sum() >= 14
    _assert_inside(p, _image_size_wh(p.image_path))
    head, thorax = M.index('head'), M.index('thorax')
    assert p.model_visibility[head] and p.model_visibility[thorax]
    # Image y grows downwards: the head top is above the thorax.
    assert p.model_keypoints_px[head, 1] < p.model_keypoints_px[thorax, 1]
    # Hidden source joints hide their model joints and are zeroed.
    for j, sources in enumerate(joints.MPII16.to_model):
      assert p.model_visibility[j] == all(p.visibility[s] for s in sources)
    np.testing.assert_array_equal(p.keypoints_px[~p.visibility], 0.0)
    # The square box of side 200 * scale is centred on the centre.
    x, y, w, h = p.bbox_xywh
    assert w == h == pytest.approx(200.0 * p.scale, rel=1e-5)
    np.testing.assert_allclose([x + w / 2, y + h / 2], p.center_px, rtol=1e-5)
  first = people[0]
  assert first.image_path.name == '005808361.jpg'
  # Matlab 1-based (804, 711) -> 0-based.
  np.testing.assert_allclose(first.keypoints_px[0], [803.0, 710.0])
  np.testing.assert_allclose(first.center_px, [965.0, 339.0])


def test_mpii_spine_is_mid_pelvis_thorax(shared_data):
  p = annotations_2d.load_mpii_json(
      shared_data / 'images' / 'mpii' / 'annotations.json')[0]
  np.testing.assert_allclose(p.model_keypoints_px[M.index('spine')],
                             p.keypoints_px[[6, 7]].mean(0), rtol=1e-6)


# ----------------------------------------------------------------- real COCO


def test_real_coco(shared_data):
  path = shared_data / 'images' / 'coco' / 'annotations.json'
  everyone = annotations_2d.load_coco_keypoints(path, min_keypoints=0)
  assert len(everyone) == 14
  assert len({p.image_path for p in everyone}) == 4
  people = annotations_2d.load_coco_keypoints(path)
  assert len(people) == 12  # Two annotations have no labelled keypoint.
  assert all(p.visibility.sum() >= 1 for p in people)
  assert len(annotations_2d.load_coco_keypoints(path, min_keypoints=16)) == 5
  # Only two of the four photographs are in the shared data; the others are
  # checked against the sizes stored in the json.
  present = {p.image_path.name for p in everyone if p.image_path.is_file()}
  assert {'000000000785.jpg', '000000040083.jpg'} <= present
  for p in people:
    assert p.image_path.parent.resolve() == path.parent.resolve()
    assert p.keypoints_px.shape == (17, 2) and p.joint_set is joints.COCO17
    if p.image_path.is_file():
      assert _image_size_wh(p.image_path) == p.image_size_wh
    _assert_inside(p, p.image_size_wh)
    # The box lies in the image. (It need not hold every keypoint: COCO
    # boxes come from the visible segmentation; occluded joints can be
    # labelled outside it, by 6 px in annotation 467657.)
    x, y, w, h = p.bbox_xywh
    assert x >= 0 and y >= 0 and w > 0 and h > 0
    assert x + w <= p.image_size_wh[0] and y + h <= p.image_size_wh[1]


def test_coco_sides_follow_the_file_and_the_mapping(shared_data):
  path = shared_data / 'images' / 'coco' / 'annotations.json'
  with open(path) as f:
    names = json.load(f)['categories'][0]['keypoints']
  # The joint set's order is the file's order (left_x <-> L_x).
  assert [n.replace('left_', 'L_').replace('right_', 'R_') for n in names] == (
      list(joints.COCO17.names))
  people = annotations_2d.load_coco_keypoints(path)
  for p in people:
    for side in ('L', 'R'):
      for part in ('shoulder', 'elbow', 'wrist', 'hip', 'knee', 'ankle'):
        m, c = M.index(f'{side}_{part}'), joints.COCO17.index(f'{side}_{part}')
        assert p.model_visibility[m] == p.visibility[c]
        if p.visibility[c]:
          np.testing.assert_array_equal(p.model_keypoints_px[m],
                                        p.keypoints_px[c])
  first = people[0]  # 000000000785.jpg, all 17 keypoints labelled.
  np.testing.assert_array_equal(first.keypoints_px[5], [399, 108])
  np.testing.assert_array_equal(
      first.model_keypoints_px[M.index('thorax')], [(399 + 358) / 2,
                                                    (108 + 129) / 2])


# ------------------------------------------------------------- broken files


def _mpii_record():
  return {'image': 'a.jpg', 'center': [50.0, 60.0], 'scale': 1.0,
          'joints': [[float(i), float(i)] for i in range(16)],
          'joints_vis': [1] * 16}


def _write_json(tmp_path, data, name='ann.json'):
  path = tmp_path / name
  path.write_text(json.dumps(data))
  return path


def test_mpii_invisible_joints(tmp_path):
  record = _mpii_record()
  # MPII thorax (7) feeds the model thorax and spine (mid pelvis-thorax).
  record['joints_vis'][7] = 0
  record['joints'][7] = [-1.0, -1.0]
  p = annotations_2d.load_mpii_json(_write_json(tmp_path, [record]))[0]
  assert p.image_path == tmp_path / 'a.jpg'
  hidden = np.flatnonzero(~p.model_visibility)
  assert list(hidden) == [M.index('spine'), M.index('thorax')]
  np.testing.assert_array_equal(p.model_keypoints_px[hidden], 0.0)
  np.testing.assert_array_equal(p.keypoints_px[7], 0.0)


@pytest.mark.parametrize('change, match', [
    (lambda r: r.pop('joints'), r"record 0: missing field 'joints'"),
    (lambda r: r.pop('scale'), r"record 0: missing field 'scale'"),
    (lambda r: r['joints'].pop(), r'record 0.joints: shape \[15, 2\]'),
    (lambda r: r.update(joints_vis=[1] * 17), r'joints_vis: shape \[17\]'),
    (lambda r: r.update(joints='x'), r'record 0.joints: expected numbers'),
    (lambda r: r.update(scale=-1), r'record 0.scale: expected a positive'),
    (lambda r: r.update(image='../../etc/passwd'), r"leaves the image"),
    (lambda r: r.update(image='/etc/passwd'), r'absolute image path'),
    (lambda r: r.update(image='C:\\x.jpg'), r'absolute image path'),
    (lambda r: r.update(image='sub\\..\\..\\x.jpg'), r'leaves the image'),
])
def test_mpii_rejects(tmp_path, change, match):
  record = _mpii_record()
  change(record)
  path = _write_json(tmp_path, [record])
  with pytest.raises(DataError, match=match) as info:
    annotations_2d.load_mpii_json(path)
  assert info.value.path == str(path)


def test_malformed_json_names_file_and_line(tmp_path):
  path = tmp_path / 'bad.json'
  path.write_text('[\n{"image": "a.jpg",\n]')
  with pytest.raises(DataError, match='malformed json') as info:
    annotations_2d.load_mpii_json(path)
  assert info.value.path == str(path) and info.value.line == 3
  with pytest.raises(DataError, match='malformed json'):
    annotations_2d.load_coco_keypoints(path)
  with pytest.raises(DataError, match='file not found'):
    annotations_2d.load_coco_keypoints(tmp_path / 'absent.json')
  with pytest.raises(DataError, match='expected a json list'):
    annotations_2d.load_mpii_json(_write_json(tmp_path, {'a': 1}, 'o.json'))


def _coco():
  keypoints = []
  for i in range(17):
    keypoints += [10.0 + i, 20.0 + i, 2]
  return {
      'images': [{'id': 7, 'file_name': 'img7.jpg', 'width': 100,
                  'height': 80}],
      'annotations': [
          {'id': 1, 'image_id': 7, 'category_id': 1, 'iscrowd': 0,
           'keypoints': keypoints, 'num_keypoints': 17,
           'bbox': [5, 5, 50, 60]},
          {'id': 2, 'image_id': 7, 'category_id': 1, 'iscrowd': 1,
           'keypoints': [0] * 51, 'num_keypoints': 0, 'bbox': [0, 0, 9, 9]},
      ],
      'categories': [{'id': 1, 'name': 'person',
                      'keypoints': list(joints.COCO17.names)}],
  }


def test_coco_image_dir_and_crowd(tmp_path):
  path = _write_json(tmp_path, _coco())
  people = annotations_2d.load_coco_keypoints(path, image_dir=tmp_path / 'v')
  assert len(people) == 1
  assert people[0].image_path == tmp_path / 'v' / 'img7.jpg'
  assert people[0].annotation_id == 1 and people[0].image_size_wh == (100, 80)
  assert len(annotations_2d.load_coco_keypoints(
      path, min_keypoints=0, include_crowd=True)) == 2


def _set(*keys_and_value):
  *keys, value = keys_and_value

  def change(data):
    target = data
    for k in keys[:-1]:
      target = target[k]
    if value is KeyError:
      del target[keys[-1]]
    else:
      target[keys[-1]] = value
  return change


@pytest.mark.parametrize('change, match', [
    (_set('annotations', 0, 'keypoints', [1.0] * 48),
     r'annotations\[0\].keypoints: shape \[48\], expected \[51\]'),
    (_set('annotations', 0, 'bbox', KeyError),
     r"annotations\[0\]: missing field 'bbox'"),
    (_set('annotations', 0, 'image_id', 8),
     r'annotations\[0\].image_id: 8 is not in images'),
    (_set('annotations', 0, 'keypoints', [float('nan')] * 51),
     r'annotations\[0\].keypoints: non-finite'),
    (_set('images', 0, 'file_name', '../x.jpg'),
     r"images\[0\].file_name: .* leaves the image"),
    (_set('images', 0, 'id', KeyError), r"images\[0\]: missing field 'id'"),
    (_set('categories', KeyError), r"top level: missing field 'categories'"),
    (_set('categories', 0, 'name', 'dog'), r"no category named 'person'"),
    (_set('categories', 0, 'keypoints', ['nose']),
     r'categories\[0\].keypoints: expected 17 names'),
])
def test_coco_rejects(tmp_path, change, match):
  data = copy.deepcopy(_coco())
  change(data)
  path = _write_json(tmp_path, data)
  with pytest.raises(DataError, match=match) as info:
    annotations_2d.load_coco_keypoints(path)
  assert info.value.path == str(path)
