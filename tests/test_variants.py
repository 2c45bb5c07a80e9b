"""Tests of geo_rep_tf.variants, the one table of representation variants."""

import ast
import inspect

import numpy as np
import pytest

from geo_rep_tf import variants
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.losses import representation as rl


def test_paper_names_map_to_model_variants_and_virtual_shares():
  expected = {'BL+AE': ('ae', 0.0), 'BL+SG': ('sg', 0.0),
              'BL+SG+AUG': ('sg', 0.5), 'BL+DG+AUG': ('dg', 0.5),
              'BL+DG': ('dg', 0.0)}
  assert {name: (v.model_variant, v.virtual_fraction)
          for name, v in variants.VARIANTS.items()} == expected
  for name, v in variants.VARIANTS.items():
    assert v.name == name and v.description
    assert v.model_variant in variants.MODEL_VARIANTS
    assert variants.get(name) is v
  assert variants.MODEL_VARIANTS == ('ae', 'sg', 'dg', 'image_sg')
  # Fig. 6 order; every name but 'BL' (no G) has a representation.
  assert variants.ABLATION == ('BL', 'BL+AE', 'BL+SG', 'BL+SG+AUG',
                               'BL+DG+AUG')
  assert set(variants.ABLATION[1:]) <= set(variants.VARIANTS)
  assert 'BL' not in variants.VARIANTS


def test_variant_is_frozen():
  with pytest.raises(AttributeError):
    variants.get('BL+SG').virtual_fraction = 0.5


def test_unknown_names_raise_argument_error_naming_the_known_ones():
  for bad in ('BL', 'dg', 'BL+I_SG', '', None):
    with pytest.raises(ArgumentError, match='BL\\+DG\\+AUG'):
      variants.get(bad)
  for good in variants.MODEL_VARIANTS:
    assert variants.check_model_variant(good) == good
  for bad in ('BL+DG+AUG', 'sg+aug', 'DG', None):
    with pytest.raises(ArgumentError, match='image_sg'):
      variants.check_model_variant(bad)


def test_loss_terms_are_those_the_losses_compute():
  maps = np.zeros((1, 4, 4, 15), np.float32)
  points = np.ones((1, 2, 3), np.float32)
  outputs = {'synthesized': maps, 'synthesized_reverse': maps,
             'latent_rotated': points, 'latent_target': points}
  batch = {'source_map': maps, 'target_map': maps}
  for v in variants.VARIANTS.values():
    terms = rl.representation_losses(outputs, batch, v.model_variant)
    assert set(terms) == set(v.losses) | {'total'}, v.name


def test_imports_nothing_of_the_package_but_errors():
  tree = ast.parse(inspect.getsource(variants))
  imported = {node.module for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom)}
  imported |= {alias.name for node in ast.walk(tree)
               if isinstance(node, ast.Import) for alias in node.names}
  assert {m for m in imported if m.startswith('geo_rep_tf')} == {
      'geo_rep_tf.errors'}
