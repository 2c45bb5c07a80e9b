"""Counts the FLOPs of a traced TensorFlow graph from its ops' static shapes.

Only the ops that carry the arithmetic of a conv net are counted, at 2 FLOPs
per multiply-add (the convention of `tf.profiler` and of peak-FLOP/s figures):

  MatMul                 2 * M * N * K
  BatchMatMul(V2/V3)     2 * prod(output [..., M, N]) * K
  Einsum                 2 * prod(size of every distinct index)
  Conv2D                 2 * prod(output [N, H_out, W_out, C_out])
                           * K_h * K_w * C_in_per_group
  Conv2DBackpropInput    2 * prod(out_backprop [N, H_out, W_out, C_out])
                           * K_h * K_w * C_in_per_group   (same sum as the
                           forward conv it differentiates; it is also the
                           forward op of Conv2DTranspose)
  Conv2DBackpropFilter   as Conv2DBackpropInput, K and C_in from its output

Convolutions count every tap, the zero padding of 'same' included. Element-
wise ops (bias, batch norm, ReLU, the Adam update) are O(activations) and
left out. `tf.compat.v1.profiler`'s float_operation() is no substitute here:
it has no FLOP statistics for Conv2DBackpropInput / Conv2DBackpropFilter, so
it misses most of a training step and every transposed convolution.

Functions called from the graph (PartitionedCall, If, While bodies) are
entered once each time they are called; a While body counts once, not once
per iteration, so trace a step without `tf.range` loops.
"""

from __future__ import annotations

import collections
from typing import Callable, Dict, Optional

import numpy as np
import tensorflow as tf

COUNTED_OPS = ('MatMul', 'BatchMatMul', 'BatchMatMulV2', 'BatchMatMulV3',
               'Einsum', 'Conv2D', 'Conv2DBackpropInput',
               'Conv2DBackpropFilter')


def _shape(tensor, op) -> list:
  shape = tensor.shape
  if not shape.is_fully_defined():
    raise ValueError(f'{op.type} {op.name!r}: shape {shape} is not static; '
                     'trace with fully defined input shapes')
  return shape.as_list()


def _attr(op, name, default=None):
  try:
    return op.get_attr(name)
  except ValueError:
    return default


def _einsum_flops(op) -> int:
  equation = _attr(op, 'equation').decode()
  inputs, _ = equation.split('->')
  if '.' in inputs:
    raise ValueError(f'Einsum {op.name!r}: ellipsis not supported '
                     f'({equation})')
  sizes = {}
  for term, tensor in zip(inputs.split(','), op.inputs):
    for letter, size in zip(term, _shape(tensor, op)):
      sizes[letter] = size
  return 2 * int(np.prod(list(sizes.values()), dtype=np.int64))


def op_flops(op) -> Optional[int]:
  """FLOPs of one graph op, or None when its type is not counted.

  Args:
    op: a `tf.Operation` with static input and output shapes.

  Returns:
    FLOPs for the whole op (all examples of its batch), or None.

  Raises:
    ValueError: a counted op has a shape that is not fully defined.
  """
  t = op.type
  if t == 'MatMul':
    a, b = _shape(op.inputs[0], op), _shape(op.inputs[1], op)
    m, k = (a[1], a[0]) if _attr(op, 'transpose_a') else (a[0], a[1])
    n = b[0] if _attr(op, 'transpose_b') else b[1]
    return 2 * m * n * k
  if t.startswith('BatchMatMul'):
    a = _shape(op.inputs[0], op)
    k = a[-2] if _attr(op, 'adj_x') else a[-1]
    return 2 * int(np.prod(_shape(op.outputs[0], op), dtype=np.int64)) * k
  if t == 'Einsum':
    return _einsum_flops(op)
  if t == 'Conv2D':
    kh, kw, cin, _ = _shape(op.inputs[1], op)
    out = _shape(op.outputs[0], op)
  elif t == 'Conv2DBackpropInput':
    kh, kw, cin, _ = _shape(op.inputs[1], op)
    out = _shape(op.inputs[2], op)
  elif t == 'Conv2DBackpropFilter':
    kh, kw, cin, _ = _shape(op.outputs[0], op)
    out = _shape(op.inputs[2], op)
  else:
    return None
  return 2 * int(np.prod(out, dtype=np.int64)) * kh * kw * cin


def _called_graphs(op, graph):
  """FuncGraphs that `op` calls (PartitionedCall, If, While, ...)."""
  for value in op.node_def.attr.values():
    funcs = ([value.func] if value.HasField('func') else
             list(value.list.func))
    for f in funcs:
      if not f.name:
        continue
      fn = graph._get_function(f.name)  # pylint: disable=protected-access
      if fn is None or not hasattr(fn, 'graph'):
        raise ValueError(f'{op.type} {op.name!r} calls {f.name!r}, whose '
                         'graph is not available to count')
      yield fn.graph


def _live_ops(graph):
  """Ops a function graph's outputs or side effects depend on, else all.

  A traced gradient holds ops nothing uses (the input gradient of the
  first layer); TensorFlow prunes them before running, so they are not
  counted.
  """
  outputs = getattr(graph, 'outputs', None)
  control = getattr(graph, 'control_outputs', None)
  if outputs is None or control is None:
    return graph.get_operations()
  live, stack = set(), [t.op for t in outputs] + list(control)
  while stack:
    op = stack.pop()
    if op in live:
      continue
    live.add(op)
    stack.extend(t.op for t in op.inputs)
    stack.extend(op.control_inputs)
  return [op for op in graph.get_operations() if op in live]


def graph_flops(graph: tf.Graph) -> Dict[str, int]:
  """FLOPs of a graph by op type (see the module docstring for formulas).

  Args:
    graph: e.g. `concrete_function.graph`; of a function graph only the ops
      its outputs and side effects depend on are counted.

  Returns:
    {'total': FLOPs, '<op type>': FLOPs, ...} over the counted op types.
  """
  by_type: Dict[str, int] = collections.Counter()

  def visit(g):
    for op in _live_ops(g):
      flops = op_flops(op)
      if flops is not None:
        by_type[op.type] += flops
      for sub in _called_graphs(op, g):
        visit(sub)

  visit(graph)
  return dict(total=int(sum(by_type.values())),
              **{k: int(v) for k, v in sorted(by_type.items())})


def function_flops(fn: Callable, *args) -> Dict[str, int]:
  """Traces `fn(*args)` as a `tf.function` and counts its FLOPs.

  Args:
    fn: a Python function of tensors (or a `tf.function`).
    *args: example arguments; their shapes must be fully defined.

  Returns:
    `graph_flops` of the concrete function's graph.
  """
  if not hasattr(fn, 'get_concrete_function'):
    fn = tf.function(fn)
  return graph_flops(fn.get_concrete_function(*args).graph)
