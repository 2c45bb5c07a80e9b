"""The serving graph: a tf.Module whose tf.functions are the signatures.

Signatures (inputs and outputs are named; N is any batch size):

- `keypoints_to_pose3d` (also `serving_default`):
    keypoints_2d_px [N, 16, 2] float32, image pixels (x, y), model joint
    order (`geometry.joints`) -> pose_3d_mm [N, 16, 3] float32,
    root-relative (the graph subtracts the pelvis: exactly 0), mm, in the frame of the camera that saw the
    keypoints (x right, y down, z forward).
- `keypoints_to_pose3d_with_confidence`: the same plus confidence [N, 16]
    float32 -> pose_3d_mm (identical to the one above: the confidence does
    NOT change the pose) and joint_confident [N, 16] bool
    (confidence >= the export's threshold) and pose_confident [N] bool (all
    16 joints confident). The lifter was trained on complete 2D skeletons
    and has no notion of a missing joint: zeroing a keypoint would move it
    to pixel (0, 0), which changes the crop square and every bone drawn
    from it, so low-confidence joints are flagged, never altered. A
    SavedModel signature cannot have optional inputs, hence two signatures.
- `skeleton_map_to_latent` (lifters that use G of the 'map' medium):
    skeleton_maps [N, S, S, 15] float32 (S = 64) -> latent [N, M, 3]
    float32, G = phi(S).
- `keypoints_to_latent` (lifters that use G of the 'coords' medium):
    keypoints_2d_px [N, 16, 2] -> latent [N, M, 3], G = phi(normalised 2D).
- `image_to_pose3d` (when a hourglass is exported with the lifter): image
    [N, S, S, 3] float32 in [0, 1] (S = the hourglass input, 256), a crop
    of one person -> heatmaps [N, S/4, S/4, 16] (last stack),
    keypoints_2d_px [N, 16, 2] (crop pixels, pixel centres at integers),
    confidence [N, 16] (heatmap peak), pose_3d_mm [N, 16, 3] and the
    joint_confident / pose_confident flags above.

Keras 3 variables are not `tf.Variable`s, so the module tracks their
underlying `.value` variables itself: without that, `tf.saved_model.save`
and the TFLite converter see a graph with no weights (NaN outputs).
"""

from __future__ import annotations

from typing import Dict, Optional

import keras
import tensorflow as tf

from geo_rep_tf.geometry.heatmaps import decode_heatmaps
from geo_rep_tf.geometry.joints import NUM_BONES, NUM_JOINTS
from geo_rep_tf.runs.lifter import DEFAULT_CONFIDENCE_THRESHOLD

KEYPOINTS_TO_POSE3D = 'keypoints_to_pose3d'
WITH_CONFIDENCE = 'keypoints_to_pose3d_with_confidence'
MAP_TO_LATENT = 'skeleton_map_to_latent'
KEYPOINTS_TO_LATENT = 'keypoints_to_latent'
IMAGE_TO_POSE3D = 'image_to_pose3d'

KEYPOINTS_SPEC = tf.TensorSpec([None, NUM_JOINTS, 2], tf.float32,
                               name='keypoints_2d_px')
CONFIDENCE_SPEC = tf.TensorSpec([None, NUM_JOINTS], tf.float32,
                                name='confidence')


def _ensure_shape(tensor, spec: tf.TensorSpec):
  # A concrete function (and a signature) runs on any shape its placeholder
  # has room for; EnsureShape fails at run time naming the input instead of
  # computing garbage from [N, 17, 2] keypoints. The TFLite converter drops
  # it (the interpreter checks shapes itself).
  return tf.ensure_shape(tensor, spec.shape, name=spec.name)


def _keras_variables(model: keras.Model):
  return [getattr(v, 'value', v) for v in model.variables]


class ServingModule(tf.Module):
  """Signatures over a trained PoseLifter (and optionally a hourglass).

  Args:
    lifter: a built `PoseLifter` (2D px -> 'pose_3d_mm').
    hourglass: a built `StackedHourglass`, or None (no `image_to_pose3d`).
    confidence_threshold: a joint with confidence below it is flagged.
  """

  def __init__(self, lifter: keras.Model,
               hourglass: Optional[keras.Model] = None,
               confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD):
    super().__init__(name='lifter_serving')
    self.lifter = lifter
    self.hourglass = hourglass
    self.confidence_threshold = float(confidence_threshold)
    self.lifter_variables = _keras_variables(lifter)
    rep = getattr(lifter, 'representation', None)
    self.representation = rep
    self.keypoints_to_pose3d = tf.function(
        self._keypoints_to_pose3d, input_signature=[KEYPOINTS_SPEC],
        autograph=False)
    self.keypoints_to_pose3d_with_confidence = tf.function(
        self._with_confidence, input_signature=[KEYPOINTS_SPEC,
                                                CONFIDENCE_SPEC],
        autograph=False)
    if rep is not None and rep.medium == 'coords':
      self.keypoints_to_latent = tf.function(
          self._keypoints_to_latent, input_signature=[KEYPOINTS_SPEC],
          autograph=False)
    elif rep is not None:
      self.skeleton_map_to_latent = tf.function(
          self._map_to_latent, input_signature=[tf.TensorSpec(
              [None, rep.map_size, rep.map_size, NUM_BONES], tf.float32,
              name='skeleton_maps')], autograph=False)
    if hourglass is not None:
      self.hourglass_variables = _keras_variables(hourglass)
      size = hourglass.input_size
      self.image_to_pose3d = tf.function(
          self._image_to_pose3d, input_signature=[tf.TensorSpec(
              [None, size, size, 3], tf.float32, name='image')],
          autograph=False)

  # The plain methods below are the graph; run eagerly they are the Keras
  # reference that the exports are compared with.

  def _keypoints_to_pose3d(self, keypoints_2d_px):
    keypoints_2d_px = _ensure_shape(keypoints_2d_px, KEYPOINTS_SPEC)
    # A convolution in graph mode fails on an empty batch: run an empty
    # batch as one row of zeros and return none of it (for N >= 1 the
    # padding is an empty tensor).
    n = tf.shape(keypoints_2d_px)[0]
    padding = tf.zeros(tf.stack([tf.maximum(1 - n, 0), NUM_JOINTS, 2]))
    pose = self.lifter(tf.concat([keypoints_2d_px, padding], 0),
                       training=False)['pose_3d_mm'][:n]
    # Regressors predict the pelvis too; the contract is root-relative, so
    # the graph subtracts it (x - x: exactly 0 in every precision).
    pose = pose - pose[:, :1]
    return {'pose_3d_mm': tf.identity(pose, name='pose_3d_mm')}

  def _flags(self, confidence):
    joint = confidence >= self.confidence_threshold
    return {'joint_confident': joint,
            'pose_confident': tf.reduce_all(joint, axis=-1)}

  def _with_confidence(self, keypoints_2d_px, confidence):
    confidence = _ensure_shape(confidence, CONFIDENCE_SPEC)
    tf.debugging.assert_equal(
        tf.shape(confidence)[0], tf.shape(keypoints_2d_px)[0],
        message='confidence must have the N of keypoints_2d_px')
    out = self._keypoints_to_pose3d(keypoints_2d_px)
    out.update(self._flags(confidence))
    return out

  def _map_to_latent(self, skeleton_maps):
    s = self.representation.map_size
    skeleton_maps = _ensure_shape(skeleton_maps, tf.TensorSpec(
        [None, s, s, NUM_BONES], name='skeleton_maps'))
    return {'latent': self.representation.encode(skeleton_maps,
                                                 training=False)}

  def _keypoints_to_latent(self, keypoints_2d_px):
    keypoints_2d_px = _ensure_shape(keypoints_2d_px, KEYPOINTS_SPEC)
    view = self.representation.encoder_input(keypoints_2d_px,
                                             self.lifter.map_margin)
    return {'latent': tf.identity(self.representation.encode(
        view, training=False), name='latent')}

  def _image_to_pose3d(self, image):
    s = self.hourglass.input_size
    image = _ensure_shape(image, tf.TensorSpec([None, s, s, 3], name='image'))
    heatmaps = self.hourglass(image, training=False)['heatmaps'][:, -1]
    keypoints_hm, confidence = decode_heatmaps(heatmaps)
    stride = self.hourglass.input_size / self.hourglass.heatmap_size
    # Heatmap pixel centres -> crop pixel centres (integers are centres).
    keypoints_px = (keypoints_hm + 0.5) * stride - 0.5
    out = {'heatmaps': heatmaps, 'keypoints_2d_px': keypoints_px,
           'confidence': confidence}
    out.update(self._with_confidence(keypoints_px, confidence))
    return out

  def _functions(self):
    sigs = {KEYPOINTS_TO_POSE3D: self.keypoints_to_pose3d,
            'serving_default': self.keypoints_to_pose3d,
            WITH_CONFIDENCE: self.keypoints_to_pose3d_with_confidence}
    if self.representation is not None and self.representation.medium == (
        'coords'):
      sigs[KEYPOINTS_TO_LATENT] = self.keypoints_to_latent
    elif self.representation is not None:
      sigs[MAP_TO_LATENT] = self.skeleton_map_to_latent
    if self.hourglass is not None:
      sigs[IMAGE_TO_POSE3D] = self.image_to_pose3d
    return sigs

  def signature_names(self):
    """Names of the signatures this module exports (serving_default too)."""
    return sorted(self._functions())

  def signatures(self) -> Dict[str, tf.types.experimental.ConcreteFunction]:
    """Signature name -> concrete function, for `tf.saved_model.save`."""
    return {k: f.get_concrete_function() for k, f in self._functions().items()}

  def reference(self, name: str, **inputs) -> Dict[str, tf.Tensor]:
    """Eager (Keras) outputs of a signature, for verification."""
    fn = {KEYPOINTS_TO_POSE3D: self._keypoints_to_pose3d,
          'serving_default': self._keypoints_to_pose3d,
          WITH_CONFIDENCE: self._with_confidence,
          MAP_TO_LATENT: self._map_to_latent,
          KEYPOINTS_TO_LATENT: self._keypoints_to_latent,
          IMAGE_TO_POSE3D: self._image_to_pose3d}[name]
    return fn(**{k: tf.convert_to_tensor(v) for k, v in inputs.items()})
