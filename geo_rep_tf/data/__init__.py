"""geo_rep_tf.data."""
