"""leadlists: the shared layer (models, filters, repositories, services, HTTP adapter)."""

from leadlists import coldstart

# First: init's allocations are all kept, so collecting during them is wasted (see coldstart).
coldstart.pause_gc()

# Before any model class of the layer exists: each builds its validator on first use, so a
# function pays at cold start only for the models its own route or messages use.
coldstart.defer_model_building()
# Before Powertools is imported: its top-level package re-exports Metrics and Tracer besides
# Logger, its resolver and event-class packages every resolver and event class; a function
# imports the few its own handler uses.
coldstart.lazy_reexports("aws_lambda_powertools")
coldstart.lazy_reexports("aws_lambda_powertools.event_handler")
coldstart.lazy_reexports("aws_lambda_powertools.utilities.data_classes")
coldstart.lazy_reexports("aws_lambda_powertools.utilities.batch")
