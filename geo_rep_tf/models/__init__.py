"""geo_rep_tf.models: Keras 3 subclassed models returning dicts."""

from geo_rep_tf.models.skeleton_decoder import SkeletonDecoder
from geo_rep_tf.models.skeleton_encoder import SkeletonEncoder
from geo_rep_tf.models.view_synthesis import ViewSynthesis
