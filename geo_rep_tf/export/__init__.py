"""geo_rep_tf.export."""
