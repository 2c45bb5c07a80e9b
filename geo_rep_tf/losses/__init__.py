"""geo_rep_tf.losses: per-example losses (the trainer reduces)."""

from geo_rep_tf.losses.representation import (consistency_loss,
                                              map_reconstruction_loss,
                                              representation_losses)
