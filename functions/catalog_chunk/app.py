"""SQS consumer of catalog file chunks: writes one chunk's records of its stage, once; after the
last failed attempt marks the file failed in its report. Reports failures per record."""

from leadlists.consumer import Step, handler
from leadlists.models.catalog_messages import CatalogChunkMessage
from leadlists.services import catalog_ingest

lambda_handler = handler(
    {CatalogChunkMessage: Step(catalog_ingest.run_chunk, catalog_ingest.give_up)}
)
