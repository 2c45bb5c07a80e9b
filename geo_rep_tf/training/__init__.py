"""geo_rep_tf.training."""
