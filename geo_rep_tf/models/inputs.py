"""Input handling shared by the regressors that may take the latent G."""

from __future__ import annotations

from geo_rep_tf.errors import ArgumentError


def split_latent_inputs(model_name: str, inputs, main_key: str,
                        use_latent: bool):
  """(main input, latent or None) from a tensor or a dict of inputs.

  Raises ArgumentError, naming the model, when `main_key` is missing, when
  `use_latent` is set but no 'latent' is given, or when a 'latent' is given
  to a model built without it (silently ignoring it would hide a wrong
  variant).
  """
  if not isinstance(inputs, dict):
    inputs = {main_key: inputs}
  if main_key not in inputs:
    article = 'an' if main_key[0] in 'aeiou' else 'a'
    raise ArgumentError(f'{model_name}: inputs need {article} {main_key!r} '
                        f'entry, got keys {sorted(inputs)}')
  latent = inputs.get('latent')
  if use_latent and latent is None:
    raise ArgumentError(f'{model_name}: use_latent=True needs a \'latent\' '
                        'input [B, M, 3]')
  if not use_latent and latent is not None:
    raise ArgumentError(f'{model_name}: got a \'latent\' input but the '
                        'model was built with use_latent=False')
  return inputs[main_key], latent
