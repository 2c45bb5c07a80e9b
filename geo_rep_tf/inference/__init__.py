"""geo_rep_tf.inference."""
