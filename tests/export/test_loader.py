"""load_lifter's input checks and path handling (no export written here)."""

import json

import numpy as np
import pytest

from geo_rep_tf.errors import ArgumentError, DataError
from geo_rep_tf.export import loader
from tests.export.conftest import one_line


def _stub_lifter():
  # A "model" that returns the keypoints padded with z = 0, to see plumbing.
  return loader.Lifter('stub', 'stub', lambda kp: np.concatenate(
      [kp, np.zeros(kp.shape[:-1] + (1,), np.float32)], -1), 0.5)


def test_lifter_batch_single_and_empty():
  lifter = _stub_lifter()
  kp = np.random.RandomState(0).rand(3, 16, 2).astype(np.float32)
  assert lifter(kp).shape == (3, 16, 3)
  assert lifter(kp[0]).shape == (16, 3)
  assert lifter(np.zeros([0, 16, 2], np.float32)).shape == (0, 16, 3)
  # Integers and float64 are numbers: cast to float32.
  assert lifter(kp.astype(np.float64)).dtype == np.float32
  assert lifter(np.ones([2, 16, 2], np.int64)).shape == (2, 16, 3)


@pytest.mark.parametrize('bad, got', [
    (np.zeros([3, 17, 2]), '[3, 17, 2]'),
    (np.zeros([3, 16, 3]), '[3, 16, 3]'),
    (np.zeros([2, 3, 16, 2]), '[2, 3, 16, 2]'),
    (np.zeros([32]), '[32]'),
])
def test_wrong_shape_is_one_line_naming_input_and_shape(bad, got):
  with pytest.raises(ArgumentError) as e:
    _stub_lifter()(bad)
  message = str(e.value)
  assert one_line(message)
  assert message == (f'keypoints_2d_px must have shape [N, 16, 2], got {got}')


@pytest.mark.parametrize('bad', [np.full([1, 16, 2], 'a'),
                                 np.zeros([1, 16, 2], complex),
                                 np.zeros([1, 16, 2], bool)])
def test_wrong_dtype_is_one_line(bad):
  with pytest.raises(ArgumentError, match=r'^keypoints_2d_px must be real '
                     r'numbers \(float32\) of shape \[N, 16, 2\], got dtype'
                     ) as e:
    _stub_lifter()(bad)
  assert one_line(e.value)


def test_non_finite_keypoints_are_rejected():
  kp = np.zeros([2, 16, 2], np.float32)
  kp[1, 4, 0] = np.nan
  with pytest.raises(ArgumentError, match='1 NaN or inf'):
    _stub_lifter()(kp)


def test_flags():
  conf = np.full([2, 16], 0.9, np.float32)
  conf[0, 5] = 0.2
  joint, pose = _stub_lifter().flags(conf)
  np.testing.assert_array_equal(joint, conf >= 0.5)
  np.testing.assert_array_equal(pose, [False, True])


def test_check_confidence():
  assert loader.check_confidence(np.ones(16), 1).shape == (1, 16)
  with pytest.raises(ArgumentError, match=r'confidence must have shape '
                     r'\[2, 16\]'):
    loader.check_confidence(np.ones([3, 16]), 2)


def test_load_errors_are_data_errors(tmp_path):
  with pytest.raises(DataError, match='no such file'):
    loader.load_lifter(str(tmp_path / 'missing'))
  with pytest.raises(DataError, match='not an export directory'):
    loader.load_lifter(str(tmp_path))
  (tmp_path / 'export.json').write_text(json.dumps({}))
  with pytest.raises(DataError, match='no lifter_fp32.tflite'):
    loader.load_lifter(str(tmp_path))
  bad = tmp_path / 'lifter_fp32.tflite'
  bad.write_bytes(b'not a flatbuffer')
  with pytest.raises(DataError, match='not a readable TFLite model'):
    loader.load_lifter(str(bad))
  with pytest.raises(ArgumentError, match='backend must be one of'):
    loader.load_lifter(str(tmp_path), backend='onnx')
