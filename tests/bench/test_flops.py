"""The FLOP counter of the benchmarks on ops of hand-computed size."""

import keras
import tensorflow as tf
from absl.testing import parameterized

from bench import flops


class FlopsTest(tf.test.TestCase, parameterized.TestCase):

  def test_dense_is_2mnk(self):
    m, k, n = 8, 5, 3
    layer = keras.layers.Dense(n)
    layer.build((m, k))
    counted = flops.function_flops(layer, tf.zeros([m, k]))
    # The bias add is element-wise and not counted.
    self.assertEqual(counted, {'total': 2 * m * n * k, 'MatMul': 2 * m * n * k})

  @parameterized.parameters((False, False), (True, False), (False, True))
  def test_matmul_transposes(self, transpose_a, transpose_b):
    m, k, n = 4, 6, 7
    a = tf.zeros([k, m] if transpose_a else [m, k])
    b = tf.zeros([n, k] if transpose_b else [k, n])
    counted = flops.function_flops(
        lambda a, b: tf.linalg.matmul(a, b, transpose_a=transpose_a,
                                      transpose_b=transpose_b), a, b)
    self.assertEqual(counted['total'], 2 * m * n * k)

  def test_conv_forward_and_gradients(self):
    n, h, w, cin, cout, k = 2, 8, 6, 3, 4, 3
    x = tf.zeros([n, h, w, cin])
    kernel = tf.zeros([k, k, cin, cout])
    forward = 2 * n * h * w * cout * k * k * cin  # 'SAME', stride 1

    def conv(x, kernel):
      return tf.nn.conv2d(x, kernel, 1, 'SAME')

    self.assertEqual(flops.function_flops(conv, x, kernel),
                     {'total': forward, 'Conv2D': forward})

    def conv_grads(x, kernel):
      with tf.GradientTape() as tape:
        tape.watch([x, kernel])
        y = tf.reduce_sum(conv(x, kernel))
      return y, tape.gradient(y, [x, kernel])

    # Each gradient is the same sum of products as the forward conv.
    self.assertEqual(
        flops.function_flops(conv_grads, x, kernel),
        {'total': 3 * forward, 'Conv2D': forward,
         'Conv2DBackpropInput': forward, 'Conv2DBackpropFilter': forward})

  def test_unused_gradient_is_not_counted(self):
    n, h, cin, cout, k = 2, 8, 3, 4, 3
    kernel = tf.Variable(tf.zeros([k, k, cin, cout]))
    forward = 2 * n * h * h * cout * k * k * cin

    def step(x):
      with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.nn.conv2d(x, kernel, 1, 'SAME'))
      kernel.assign_sub(tape.gradient(y, kernel))
      return y

    # The tape also traces the input gradient; nothing uses it.
    self.assertEqual(
        flops.function_flops(step, tf.zeros([n, h, h, cin])),
        {'total': 2 * forward, 'Conv2D': forward,
         'Conv2DBackpropFilter': forward})

  def test_strided_and_transposed_conv(self):
    n, h, cin, cout, k = 2, 8, 3, 5, 2
    x = tf.zeros([n, h, h, cin])
    kernel = tf.zeros([k, k, cin, cout])
    strided = 2 * n * (h // 2) * (h // 2) * cout * k * k * cin
    self.assertEqual(flops.function_flops(
        lambda x, f: tf.nn.conv2d(x, f, 2, 'VALID'), x, kernel)['total'],
                     strided)
    # The transposed conv maps [n, h/2, h/2, cout] back to x's shape.
    y = tf.zeros([n, h // 2, h // 2, cout])
    self.assertEqual(flops.function_flops(
        lambda y, f: tf.nn.conv2d_transpose(y, f, [n, h, h, cin], 2, 'VALID'),
        y, kernel)['total'], strided)

  def test_einsum_and_batch_matmul(self):
    b, m = 4, 5
    R, points = tf.zeros([b, 3, 3]), tf.zeros([b, m, 3])
    self.assertEqual(flops.function_flops(
        lambda R, p: tf.einsum('bij,bmj->bmi', R, p), R, points)['total'],
                     2 * b * 3 * m * 3)
    self.assertEqual(flops.function_flops(
        lambda p, R: tf.linalg.matmul(p, R, adjoint_b=True), points,
        R)['total'], 2 * b * m * 3 * 3)

  def test_nested_function_is_counted(self):
    inner = tf.function(lambda a: tf.linalg.matmul(a, a))
    counted = flops.function_flops(lambda a: inner(a) + 1.0, tf.zeros([4, 4]))
    self.assertEqual(counted['total'], 2 * 4 * 4 * 4)

  def test_unknown_shape_raises(self):
    fn = tf.function(lambda a: tf.linalg.matmul(a, a))
    concrete = fn.get_concrete_function(tf.TensorSpec([None, 4]))
    with self.assertRaisesRegex(ValueError, 'MatMul.*not static'):
      flops.graph_flops(concrete.graph)


if __name__ == '__main__':
  tf.test.main()
