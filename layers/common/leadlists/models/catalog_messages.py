"""The catalog chunk queue's message, and the catalog file it (and an S3 notification) names."""

from typing import Literal

from pydantic import BaseModel, Field, NonNegativeInt, PositiveInt

from leadlists.models.message_base import CatalogStage, Id, QueueMessage


class CatalogFile(BaseModel):
    """One version of a catalog file in the catalog bucket."""

    bucket: Id
    key: Id
    etag: Id
    version: str | None = Field(default=None, description="Its version id (versioned bucket)")

    @property
    def file_id(self) -> str:
        return f"{self.bucket}/{self.key}#{self.version or self.etag}"


class CatalogChunkMessage(QueueMessage):
    """Write one byte range of a checked catalog file: its records of one kind (chunk queue)."""

    type: Literal["catalog_chunk"] = "catalog_chunk"
    file: CatalogFile
    stage: CatalogStage
    chunk: NonNegativeInt
    start: NonNegativeInt
    end: NonNegativeInt
    firstLine: PositiveInt
