"""geo_rep_tf.eval."""
