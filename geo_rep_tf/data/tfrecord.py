"""TFRecord layout of the prepared protocol: one example per mocap frame.

Each example holds one frame's 3D pose and what the rig's cameras see of it:
exact and noisy 2D for every camera, a visibility flag per camera, the
cameras' parameters and the clip's metadata. Arrays are stored as raw
little-endian float32 bytes (one bytes feature per array), which is several
times faster to write and parse than per-value float lists.
"""

from __future__ import annotations

from typing import Dict, Mapping

import numpy as np
import tensorflow as tf

from geo_rep_tf.geometry.joints import NUM_JOINTS

NUM_CAMERAS = 4
# name -> shape of one frame's array (float32, stored as raw bytes).
FLOAT_FIELDS: Dict[str, tuple] = {
    'pose_3d_world_mm': (NUM_JOINTS, 3),
    'keypoints_2d_px': (NUM_CAMERAS, NUM_JOINTS, 2),
    'keypoints_2d_noisy_px': (NUM_CAMERAS, NUM_JOINTS, 2),
    'R_w2c': (NUM_CAMERAS, 3, 3),
    't_mm': (NUM_CAMERAS, 3),
    'f': (NUM_CAMERAS, 2),
    'c': (NUM_CAMERAS, 2),
    'k': (NUM_CAMERAS, 3),
    'p': (NUM_CAMERAS, 2),
    'resolution': (NUM_CAMERAS, 2),
}
INT_FIELDS: Dict[str, tuple] = {'visible': (NUM_CAMERAS,), 'frame': (1,)}
STRING_FIELDS = ('clip', 'action', 'style', 'subject', 'dataset')
# Strings an older protocol may lack: they parse as '' there. 'body' names
# the body a clip was re-proportioned to ('': its own; geometry/bodies.py).
OPTIONAL_STRING_FIELDS = ('body',)


def _bytes(value: bytes) -> tf.train.Feature:
  return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def serialize_frame(arrays: Mapping[str, np.ndarray],
                    strings: Mapping[str, str]) -> bytes:
  """One frame -> serialized tf.train.Example.

  Args:
    arrays: every FLOAT_FIELDS and INT_FIELDS entry, with its shape.
    strings: every STRING_FIELDS entry (OPTIONAL_STRING_FIELDS default to
      '').
  """
  feature = {}
  for name, shape in FLOAT_FIELDS.items():
    a = np.ascontiguousarray(arrays[name], dtype='<f4')
    if a.shape != shape:
      raise ValueError(f'{name} has shape {a.shape}, expected {shape}')
    feature[name] = _bytes(a.tobytes())
  for name, shape in INT_FIELDS.items():
    a = np.asarray(arrays[name], np.int64).reshape(shape)
    feature[name] = tf.train.Feature(int64_list=tf.train.Int64List(value=a))
  for name in STRING_FIELDS:
    feature[name] = _bytes(strings[name].encode('utf-8'))
  for name in OPTIONAL_STRING_FIELDS:
    feature[name] = _bytes(strings.get(name, '').encode('utf-8'))
  return tf.train.Example(
      features=tf.train.Features(feature=feature)).SerializeToString()


_SPEC = {
    **{n: tf.io.FixedLenFeature([], tf.string) for n in FLOAT_FIELDS},
    **{n: tf.io.FixedLenFeature(s, tf.int64) for n, s in INT_FIELDS.items()},
    **{n: tf.io.FixedLenFeature([], tf.string) for n in STRING_FIELDS},
    **{n: tf.io.FixedLenFeature([], tf.string, default_value='')
       for n in OPTIONAL_STRING_FIELDS},
}


def parse_batch(serialized) -> Dict[str, tf.Tensor]:
  """Parses a [B] batch of serialized examples into a dict of [B, ...] tensors.

  Float arrays come back as float32 with their FLOAT_FIELDS shapes, `visible`
  as bool [B, 4], `frame` as int64 [B], strings as [B] tf.string.
  """
  parsed = tf.io.parse_example(serialized, _SPEC)
  out = {}
  for name, shape in FLOAT_FIELDS.items():
    raw = tf.io.decode_raw(parsed[name], tf.float32, little_endian=True)
    out[name] = tf.reshape(raw, [-1, *shape])
  out['visible'] = tf.cast(parsed['visible'], tf.bool)
  out['frame'] = parsed['frame'][:, 0]
  for name in STRING_FIELDS + OPTIONAL_STRING_FIELDS:
    out[name] = parsed[name]
  return out
