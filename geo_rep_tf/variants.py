"""The representation variants the paper compares: one table, pure data.

Two names are in use. A *paper name* ('BL+DG+AUG') is what flags, run
configs and reports speak of; it selects a *model variant* ('dg') of
`ViewSynthesis` and a default share of virtual-camera pairs (AUG).

  paper name   model variant  virtual  what G is learnt by
  BL+AE        ae             0        plain auto-encoding (source = target)
  BL+SG        sg             0        one-direction view synthesis, real pairs
  BL+SG+AUG    sg             0.5      plus virtual-camera pairs
  BL+DG+AUG    dg             0.5      plus the reverse direction and the
                                       consistency loss (the full method)
  BL+DG        dg             0        the full method on real pairs only

'BL' (a 3D regressor without G) has no representation, so it is only in
`ABLATION`, the order of the paper's ablation (Fig. 6). The model variant
'image_sg' (BL+I_SG: view synthesis on raw images) exists in the model but
needs multi-view images the prepared data lacks, so no paper name trains it.

This module sits at the bottom of the package: it imports nothing from
geo_rep_tf but `errors`.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Tuple

from geo_rep_tf.errors import ArgumentError

MODEL_VARIANTS = ('ae', 'sg', 'dg', 'image_sg')

# The per-example loss terms each model variant trains on (besides 'total');
# see `geo_rep_tf.losses.representation.representation_losses`.
_ONE_DIRECTION = ('reconstruction',)
_BOTH_DIRECTIONS = ('reconstruction', 'reconstruction_reverse', 'consistency')


@dataclasses.dataclass(frozen=True)
class Variant:
  """One representation variant of the paper.

  Attributes:
    name: paper name, e.g. 'BL+DG+AUG'.
    model_variant: one of `MODEL_VARIANTS`.
    virtual_fraction: default share of virtual-camera pairs.
    losses: loss terms, e.g. ('reconstruction',) or ('reconstruction',
      'reconstruction_reverse', 'consistency').
    description: what G is learnt by, in words.
  """
  name: str
  model_variant: str
  virtual_fraction: float
  losses: Tuple[str, ...]
  description: str


VARIANTS: Dict[str, Variant] = {v.name: v for v in (
    Variant('BL+AE', 'ae', 0.0, _ONE_DIRECTION,
            'G learnt by plain auto-encoding (source = target view)'),
    Variant('BL+SG', 'sg', 0.0, _ONE_DIRECTION,
            'G from one-direction view synthesis, real camera pairs only'),
    Variant('BL+SG+AUG', 'sg', 0.5, _ONE_DIRECTION,
            'one-direction view synthesis plus virtual-camera pairs'),
    Variant('BL+DG+AUG', 'dg', 0.5, _BOTH_DIRECTIONS,
            'both directions, the consistency loss and virtual-camera pairs '
            '(the full method)'),
    Variant('BL+DG', 'dg', 0.0, _BOTH_DIRECTIONS,
            'both directions and the consistency loss, real camera pairs '
            'only'),
)}

# The paper's ablation (Fig. 6) in its order; 'BL' is the regressor without G.
ABLATION = ('BL', 'BL+AE', 'BL+SG', 'BL+SG+AUG', 'BL+DG+AUG')


def get(name: str) -> Variant:
  """The variant of a paper name.

  Raises:
    ArgumentError: `name` is not one of `VARIANTS`.
  """
  try:
    return VARIANTS[name]
  except (KeyError, TypeError):
    raise ArgumentError(f'unknown representation variant {name!r}; known: '
                        f'{", ".join(VARIANTS)}') from None


def check_model_variant(variant: str) -> str:
  """Returns `variant` if it is one of `MODEL_VARIANTS`.

  Raises:
    ArgumentError: it is not.
  """
  if variant not in MODEL_VARIANTS:
    raise ArgumentError(f'variant must be one of {MODEL_VARIANTS}, got '
                        f'{variant!r}')
  return variant
