"""The one lifter: input checks, the root-relative output contract, path
handling, regressor runs (XLA with its fallback) and a .tflite without
TensorFlow. A real export's SavedModel and TFLite: tests/export/test_export.py.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from geo_rep_tf.errors import ArgumentError, DataError, GeoRepError
from geo_rep_tf.runs import committed
from geo_rep_tf.runs import lifter as lifter_lib
from tests.export.conftest import one_line


def _stub_lifter():
  # A "model" that returns the keypoints padded with z = 1, to see plumbing.
  return lifter_lib.Lifter('stub', 'stub', lambda kp: np.concatenate(
      [kp, np.ones(kp.shape[:-1] + (1,), np.float32)], -1), 0.5)


def test_lifter_batch_single_and_empty():
  lifter = _stub_lifter()
  kp = np.random.RandomState(0).rand(3, 16, 2).astype(np.float32)
  assert lifter(kp).shape == (3, 16, 3)
  assert lifter(kp[0]).shape == (16, 3)
  assert lifter(np.zeros([0, 16, 2], np.float32)).shape == (0, 16, 3)
  # Integers and float64 are numbers: cast to float32.
  assert lifter(kp.astype(np.float64)).dtype == np.float32
  assert lifter(np.ones([2, 16, 2], np.int64)).shape == (2, 16, 3)


def test_output_is_root_relative_for_every_backend():
  # The wrapper, not the model, makes the pose root-relative: whatever the
  # backend returns, the pelvis (joint 0) comes out exactly 0.
  lifter = _stub_lifter()
  kp = np.random.RandomState(1).uniform(100, 400, [4, 16, 2]).astype(
      np.float32)
  pose = lifter(kp)
  np.testing.assert_array_equal(pose[:, 0], 0.0)
  want = np.concatenate([kp, np.ones([4, 16, 1], np.float32)], -1)
  np.testing.assert_allclose(pose, want - want[:, :1], atol=1e-5)
  np.testing.assert_array_equal(lifter(kp[2])[0], 0.0)


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
  assert lifter_lib.check_confidence(np.ones(16), 1).shape == (1, 16)
  with pytest.raises(ArgumentError, match=r'confidence must have shape '
                     r'\[2, 16\]'):
    lifter_lib.check_confidence(np.ones([3, 16]), 2)


def test_load_errors_are_data_errors(tmp_path):
  with pytest.raises(DataError, match='no such file'):
    lifter_lib.load_lifter(str(tmp_path / 'missing'))
  with pytest.raises(DataError, match='not an export directory'):
    lifter_lib.load_lifter(str(tmp_path))
  (tmp_path / 'export.json').write_text(json.dumps({}))
  with pytest.raises(DataError, match='no lifter_fp32.tflite'):
    lifter_lib.load_lifter(str(tmp_path))
  bad = tmp_path / 'lifter_fp32.tflite'
  bad.write_bytes(b'not a flatbuffer')
  with pytest.raises(DataError, match='not a readable TFLite model'):
    lifter_lib.load_lifter(str(bad))
  with pytest.raises(ArgumentError, match='backend must be one of'):
    lifter_lib.load_lifter(str(tmp_path), backend='onnx')


def test_missing_lifter_messages(tmp_path, monkeypatch):
  with pytest.raises(DataError, match='lifter not found'):
    lifter_lib.load_lifter(str(tmp_path / 'nope'))
  monkeypatch.setattr(committed, 'DEFAULT_LIFTER_DIR', str(tmp_path / 'pre'))
  with pytest.raises(DataError, match='committed lifters are neither in '
                     'models/ of a source checkout nor installed'):
    lifter_lib.load_lifter(None)
  (tmp_path / 'empty').mkdir()
  # Neither a run (config.json) nor an export: the message names both.
  with pytest.raises(GeoRepError, match='regressor run'):
    lifter_lib.load_lifter(str(tmp_path / 'empty'))


def test_export_names_are_the_same_objects():
  from geo_rep_tf import export
  assert export.load_lifter is lifter_lib.load_lifter
  assert export.Lifter is lifter_lib.Lifter
  assert export.check_keypoints is lifter_lib.check_keypoints


def test_regressor_run_lifts_to_root_relative_mm(tiny_lifter_dir):
  lifter = lifter_lib.load_lifter(tiny_lifter_dir)
  assert lifter.backend == 'keras'
  kp = np.random.default_rng(0).uniform(100, 400, [3, 16, 2])
  pose = lifter(kp)
  assert pose.shape == (3, 16, 3) and np.all(np.isfinite(pose))
  np.testing.assert_array_equal(pose[:, 0], 0.0)
  assert 'baseline1' in lifter.version
  assert lifter(np.zeros([0, 16, 2])).shape == (0, 16, 3)
  # One pose [16, 2] gives one pose [16, 3]; another shape is refused.
  np.testing.assert_allclose(lifter(kp[1]), pose[1], atol=0.01)
  with pytest.raises(ArgumentError, match=r'\[N, 16, 2\]'):
    lifter(np.zeros([3, 17, 2]))


def test_lift_falls_back_to_the_plain_graph_where_xla_cannot_compile():
  import tensorflow as tf

  def model(inputs, training=False):  # numpy_function: XLA cannot compile.
    kp = inputs['keypoints_2d_px']
    out = tf.numpy_function(lambda x: np.concatenate([x, x[..., :1]], -1),
                            [kp], tf.float32)
    return {'pose_3d_mm': tf.reshape(out, tf.concat(
        [tf.shape(kp)[:1], [16, 3]], 0))}

  call = lifter_lib.compiled_lift(model)
  kp = np.random.default_rng(0).uniform(0, 1, [3, 16, 2]).astype(np.float32)
  for _ in range(2):  # The second call goes straight to the plain graph.
    out = call(kp)
    assert out.shape == (3, 16, 3)
    np.testing.assert_allclose(out[..., :2], kp)


_NO_TENSORFLOW = '''
import sys
import numpy as np
from geo_rep_tf.runs.lifter import load_lifter
lifter = load_lifter(sys.argv[1])
pose = lifter(np.full([2, 16, 2], 3.0, np.float32))
assert lifter.backend == 'tflite', lifter.backend
assert pose.shape == (2, 16, 3) and np.all(pose[:, 0] == 0), pose
tf = [m for m in sys.modules if m.split('.')[0] == 'tensorflow']
assert not tf, tf[:5]
print('ok')
'''


def test_tflite_lifts_without_importing_tensorflow(tmp_path):
  import tensorflow as tf
  module = tf.Module()

  @tf.function(input_signature=[tf.TensorSpec([None, 16, 2], tf.float32,
                                              name='keypoints_2d_px')])
  def lift(kp):  # Not root-relative: z = x + 1 at every joint.
    return {'pose_3d_mm': tf.concat([kp, kp[..., :1] + 1.0], -1)}

  module.lift = lift
  converter = tf.lite.TFLiteConverter.from_concrete_functions(
      [lift.get_concrete_function()], module)
  path = str(tmp_path / 'lifter_fp32.tflite')
  with open(path, 'wb') as fh:
    fh.write(converter.convert())
  proc = subprocess.run([sys.executable, '-c', _NO_TENSORFLOW, path],
                        capture_output=True, text=True, timeout=300,
                        cwd=os.getcwd())
  assert proc.returncode == 0 and 'ok' in proc.stdout, proc.stderr[-2000:]
