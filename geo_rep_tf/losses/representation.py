"""Per-example losses of the representation stage (paper section 3).

Every loss returns one value per example, [B]; the trainer reduces (and
divides by the number of replicas).

Scale: the map reconstruction term is the *mean* squared error over pixels
and channels, so it lies in [0, 1] and does not depend on the map size. A
skeleton map is mostly empty (0.5% of a 64 x 64 map lit with 2 px bones, 1.1%
of a 32 x 32 one), so an empty drawing already scores about that much; a
useful decoder goes below it. The consistency term compares unit-norm point
sets and lies in [0, 4]. With the paper's lambda = 1 the two are balanced in
practice: in a short 'dg' run (32 x 32 maps) consistency fell from ~2 to
~0.005 within 50 steps and then stayed at the level of each reconstruction
term (~0.009). A sum over pixels instead would make lambda = 1 negligible.
"""

from __future__ import annotations

from typing import Dict, Mapping

import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry.normalization import normalize_points
from geo_rep_tf.variants import check_model_variant



def _check_same_shape(a, b, name_a: str, name_b: str):
  if not a.shape.is_compatible_with(b.shape):
    raise ArgumentError(f'{name_a} {a.shape} and {name_b} {b.shape} must '
                        'have the same shape')


def map_reconstruction_loss(pred_map, target_map, lit_weight: float = 1.0):
  """L2 between a drawn and a true map: mean squared error per example.

  Args:
    pred_map: [B, H, W, C] float, drawn map (in [0, 1] for skeleton maps).
    target_map: [B, H, W, C] float, true map.
    lit_weight: weight of the squared error where the true map is lit
      (1: the paper's plain L2). Skeleton maps are ~0.5% lit, so with plain
      L2 an empty drawing is already close to optimal; a weight of ~20
      makes the decoder draw the bones (a deviation from the paper).

  Returns:
    [B] weighted mean over pixels and channels of (pred - target)^2.
  """
  pred_map = tf.convert_to_tensor(pred_map)
  target_map = tf.cast(target_map, pred_map.dtype)
  _check_same_shape(pred_map, target_map, 'pred_map', 'target_map')
  error = tf.math.squared_difference(pred_map, target_map)
  if lit_weight != 1.0:
    error *= 1.0 + (lit_weight - 1.0) * target_map
  return tf.reduce_mean(error, axis=[1, 2, 3])


def coords_reconstruction_loss(pred_coords, target_coords):
  """L2 between drawn and true 2D of the 'coords' medium, per example.

  Args:
    pred_coords: [B, 16, 2] standardised 2D drawn by a decoder.
    target_coords: [B, 16, 2] the true view, standardised alike.

  Returns:
    [B] mean over coordinates of (pred - target)^2 (about 1 for a decoder
    that draws the mean pose, since each coordinate has unit variance).
  """
  pred_coords = tf.convert_to_tensor(pred_coords)
  target_coords = tf.cast(target_coords, pred_coords.dtype)
  _check_same_shape(pred_coords, target_coords, 'pred_coords',
                    'target_coords')
  return tf.reduce_mean(tf.math.squared_difference(pred_coords, target_coords),
                        axis=[1, 2])


def consistency_loss(latent_rotated, latent_target, centred: bool = False):
  """L_rc = sum_m || n(R_i->j G_i)_m - n(G~_j)_m ||^2.

  Args:
    latent_rotated: [B, M, 3] R_i->j G_i.
    latent_target: [B, M, 3] G~_j = mu(S_j).
    centred: n(.) subtracts each set's centroid before scaling
      (`geometry.normalization.normalize_points`), so the loss compares the
      sets' shapes, not a constant offset; invariant to translating either.

  Returns:
    [B] float in [0, 4].
  """
  latent_rotated = tf.convert_to_tensor(latent_rotated)
  latent_target = tf.cast(latent_target, latent_rotated.dtype)
  _check_same_shape(latent_rotated, latent_target, 'latent_rotated',
                    'latent_target')
  diff = (normalize_points(latent_rotated, centred) -
          normalize_points(latent_target, centred))
  return tf.reduce_sum(tf.square(diff), axis=[-2, -1])


def representation_losses(outputs: Mapping[str, tf.Tensor],
                          batch: Mapping[str, tf.Tensor], variant: str,
                          consistency_weight: float = 1.0,
                          lit_weight: float = 1.0,
                          centred_consistency: bool = False
                          ) -> Dict[str, tf.Tensor]:
  """The per-example loss terms of a `ViewSynthesis` variant.

  total = L2(phi, psi) [+ L2(mu, nu) + lambda * L_rc for 'dg'].

  The 'coords' medium's outputs carry their own targets
  ('reconstruction_target', 'reconstruction_target_reverse': the views
  standardised as the decoders draw them); maps come from the batch.

  Args:
    outputs: `ViewSynthesis` outputs.
    batch: the pair batch ('source_map', 'target_map'; unused by 'coords').
    variant: 'ae', 'sg', 'dg' or 'image_sg'. 'ae' reconstructs the source
      map (so it is right whatever pairs are fed; the AE pipeline feeds
      target = source anyway).
    consistency_weight: lambda (1 in the paper).
    lit_weight: see `map_reconstruction_loss` (1 in the paper).
    centred_consistency: see `consistency_loss` (False: the paper's n(.)).

  Returns:
    dict of [B] tensors: 'reconstruction', 'total', and for 'dg'
    'reconstruction_reverse' and 'consistency' (unweighted).
  """
  check_model_variant(variant)
  if 'reconstruction_target' in outputs:
    reconstruction = coords_reconstruction_loss
    target = outputs['reconstruction_target']
    reverse_target = outputs.get('reconstruction_target_reverse')
  else:
    reconstruction = lambda p, t: map_reconstruction_loss(p, t, lit_weight)
    target = batch['source_map'] if variant == 'ae' else batch['target_map']
    reverse_target = batch['source_map']
  losses = {'reconstruction': reconstruction(outputs['synthesized'], target)}
  total = losses['reconstruction']
  if variant == 'dg':
    losses['reconstruction_reverse'] = reconstruction(
        outputs['synthesized_reverse'], reverse_target)
    losses['consistency'] = consistency_loss(outputs['latent_rotated'],
                                             outputs['latent_target'],
                                             centred_consistency)
    total = (total + losses['reconstruction_reverse'] +
             consistency_weight * losses['consistency'])
  losses['total'] = total
  return losses
