"""Tests of geo_rep_tf.data.pose2d_dataset on the real MPII and COCO samples."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.data import annotations_2d
from geo_rep_tf.data import pose2d_dataset as p2d
from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.eval import pck
from geo_rep_tf.geometry import joints
from geo_rep_tf.geometry.heatmaps import decode_heatmaps


@pytest.fixture(scope='module')
def mpii(shared_data):
  return annotations_2d.load_mpii_json(
      shared_data / 'images' / 'mpii' / 'annotations.json')


@pytest.fixture(scope='module')
def coco(shared_data):
  # The json annotates 4 images; only 2 are in the sample.
  people = annotations_2d.load_coco_keypoints(
      shared_data / 'images' / 'coco' / 'annotations.json', min_keypoints=8)
  return [p for p in people if p.image_path.is_file()]


def _examples(people, **kwargs):
  return list(p2d.pose2d_dataset(people, **kwargs).as_numpy_iterator())


def _check_example(example, size):
  heatmap_size = size // 4
  assert example['image'].shape == (size, size, 3)
  assert example['image'].dtype == np.float32
  assert 0.0 <= example['image'].min() and example['image'].max() <= 1.0
  assert example['heatmaps'].shape == (heatmap_size, heatmap_size, 16)
  assert example['visibility'].shape == (16,)
  assert example['keypoints_hm'].shape == (16, 2)
  assert example['heatmap_to_image'].shape == (2, 3)


def _round_trip_error(example):
  """Max image px error of decode(target) mapped back, over visible joints."""
  decoded, _ = decode_heatmaps(example['heatmaps'])
  back = p2d.heatmap_to_image_px(decoded, example['heatmap_to_image'])
  visible = example['visibility'] > 0
  return np.abs(back.numpy() - example['keypoints_px'])[visible].max()


@pytest.mark.parametrize('size', [256, 128])
def test_mpii_crops_contain_the_person(mpii, size):
  for person, example in zip(mpii, _examples(mpii, input_size=size)):
    _check_example(example, size)
    # Every labelled joint is inside the crop, hence a training target.
    np.testing.assert_array_equal(example['visibility'],
                                  person.model_visibility)
    inside = example['keypoints_hm'][person.model_visibility]
    assert inside.min() >= 0.0 and inside.max() <= size // 4 - 1
    assert example['head_size_px'] > 0
    assert not example['flipped']


def test_coco_crops_contain_the_person(coco):
  assert len(coco) >= 3
  for person, example in zip(coco, _examples(coco)):
    _check_example(example, 256)
    np.testing.assert_array_equal(example['visibility'],
                                  person.model_visibility)
    assert example['head_size_px'] == 0.0


def test_targets_map_back_to_the_annotations(mpii, coco):
  # The Taylor decoding is exact for a rendered Gaussian, so the only error
  # left is float32 rounding (the task allows ~2 px of quantisation).
  for example in _examples(mpii) + _examples(coco):
    assert _round_trip_error(example) < 0.05


def test_augmented_targets_map_back_to_the_annotations(mpii):
  examples = list(p2d.pose2d_dataset(
      mpii, augment=True, seed=5, repeat=True).take(10).as_numpy_iterator())
  assert {bool(e['flipped']) for e in examples} == {False, True}
  for example in examples:
    assert example['visibility'].sum() >= 10
    assert _round_trip_error(example) < 0.05


def _bilinear(image, x, y):
  x0, y0 = int(np.floor(x)), int(np.floor(y))
  fx, fy = x - x0, y - y0
  top = (1 - fx) * image[y0, x0] + fx * image[y0, x0 + 1]
  bottom = (1 - fx) * image[y0 + 1, x0] + fx * image[y0 + 1, x0 + 1]
  return (1 - fy) * top + fy * bottom


def test_image_is_the_warped_source(mpii):
  example = _examples(mpii[:1], input_size=256)[0]
  image = tf.io.decode_jpeg(tf.io.read_file(str(mpii[0].image_path)))
  image = image.numpy().astype(np.float64) / 255.0
  to_image = example['heatmap_to_image'].astype(np.float64)

  def input_to_image(x_in, y_in):
    hm = (np.array([x_in, y_in]) + 0.5) / 4 - 0.5
    return to_image[:, :2] @ hm + to_image[:, 2]

  # The crop centre lands on the centre of the input, (S - 1) / 2.
  center, _ = p2d.crop_box(mpii[0])
  np.testing.assert_allclose(input_to_image(127.5, 127.5), center, atol=1e-2)
  # Each input pixel is the bilinear sample at its image position.
  for x_in, y_in in ((127, 127), (100, 60), (150, 170)):
    x, y = input_to_image(x_in, y_in)
    np.testing.assert_allclose(example['image'][y_in, x_in],
                               _bilinear(image, x, y), atol=2e-3)


def test_flip_swaps_left_and_right(mpii):
  plain = _examples(mpii)
  flips = list(p2d.pose2d_dataset(
      mpii, augment=True, scale_range=0.0, rotation_deg=0.0, seed=0,
      repeat=True).take(15).as_numpy_iterator())
  checked = 0
  for i, example in enumerate(flips):
    reference = plain[i % len(mpii)]
    if not example['flipped']:
      np.testing.assert_allclose(example['keypoints_hm'],
                                 reference['keypoints_hm'], atol=1e-3)
      continue
    checked += 1
    width = example['heatmaps'].shape[1]
    np.testing.assert_allclose(example['image'],
                               reference['image'][:, ::-1], atol=1e-3)
    for left, right in joints.LEFT_RIGHT_PAIRS:
      for a, b in ((left, right), (right, left)):
        # Flipped joint a sits where the mirror image of joint b was.
        expected = reference['keypoints_hm'][b] * [-1, 1] + [width - 1, 0]
        np.testing.assert_allclose(example['keypoints_hm'][a], expected,
                                   atol=1e-3)
        np.testing.assert_allclose(example['keypoints_px'][a],
                                   reference['keypoints_px'][b])
        np.testing.assert_allclose(example['heatmaps'][..., a],
                                   reference['heatmaps'][:, ::-1, b],
                                   atol=1e-4)
  assert checked > 0


def test_seed_fixes_the_augmentation(mpii):
  def run(seed):
    ds = p2d.pose2d_dataset(mpii, augment=True, seed=seed, shuffle=True,
                            repeat=True)
    return list(ds.take(7).as_numpy_iterator())
  first, again, other = run(1), run(1), run(2)
  for a, b in zip(first, again):
    for key in a:
      np.testing.assert_array_equal(a[key], b[key])
  assert any(not np.allclose(a['keypoints_hm'], b['keypoints_hm'])
             for a, b in zip(first, other))
  # Epochs differ: example i and i + 5 show the same people differently.
  assert not np.allclose(first[0]['keypoints_hm'], first[5]['keypoints_hm'])


def test_batches_and_mapping_back_in_a_batch(mpii):
  batch = next(iter(p2d.pose2d_dataset(mpii, input_size=128).batch(5)))
  assert batch['image'].shape == (5, 128, 128, 3)
  decoded, _ = decode_heatmaps(batch['heatmaps'])
  back = p2d.heatmap_to_image_px(decoded, batch['heatmap_to_image'])
  assert back.shape == (5, 16, 2)
  score = pck.pck(back, batch['keypoints_px'], batch['annotated'],
                  batch['head_size_px'])
  assert float(score) == pytest.approx(1.0)


def test_crop_box(mpii, coco):
  person = mpii[0]
  center, side = p2d.crop_box(person)
  np.testing.assert_allclose(
      center, person.center_px + [0, 15 * person.scale], rtol=1e-6)
  assert side == pytest.approx(200 * person.scale * 1.25)
  x, y, w, h = coco[0].bbox_xywh
  center, side = p2d.crop_box(coco[0])
  np.testing.assert_allclose(center, [x + w / 2, y + h / 2], rtol=1e-6)
  assert side == pytest.approx(max(w, h) * 1.25)


def test_mpii_head_size(mpii):
  # Record 0: upper_neck (982.7591, 235.9694), head_top (962.2409, 80.0306)
  # in 1-based MATLAB px; the difference does not depend on the offset.
  expected = np.hypot(982.7591 - 962.2409, 235.9694 - 80.0306)
  assert p2d.mpii_head_size_px(mpii[0]) == pytest.approx(expected, rel=1e-5)
  hidden = dataclasses.replace(mpii[0], visibility=np.zeros(16, bool))
  assert p2d.mpii_head_size_px(hidden) == 0.0


def test_missing_images(mpii, tmp_path):
  missing = dataclasses.replace(mpii[0], image_path=tmp_path / 'absent.jpg')
  with pytest.raises(DataError, match='absent.jpg'):
    p2d.pose2d_dataset([missing] + mpii[1:2])
  ds = p2d.pose2d_dataset([missing] + mpii[1:2], skip_missing_images=True)
  assert len(list(ds)) == 1
  with pytest.raises(DataError):
    p2d.pose2d_dataset([missing], skip_missing_images=True)


@pytest.mark.parametrize('kwargs', [dict(input_size=250),
                                    dict(input_size=0),
                                    dict(scale_range=1.0),
                                    dict(rotation_deg=-1.0)])
def test_rejects_bad_arguments(mpii, kwargs):
  with pytest.raises(ArgumentError):
    p2d.pose2d_dataset(mpii, **kwargs)
