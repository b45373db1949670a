"""leadlists: the shared layer (models, filters, repositories, services, HTTP adapter)."""

from leadlists import coldstart

# Before any model class of the layer exists: each builds its validator on first use, so a
# function pays at cold start only for the models its own route or messages use.
coldstart.defer_model_building()
