"""How many scan segments a fan-out over the catalog uses: shared by refresh runs
(`coordinator`) and searches (`search_fanout`), which otherwise need nothing of each other."""

from __future__ import annotations

import math

from leadlists.config import settings


def segment_count(persons: int) -> int:
    """Segments grow with the catalog (one per `refresh_segment_size` persons), bounded."""
    config = settings()
    wanted = math.ceil(max(persons, 1) / config.refresh_segment_size)
    return max(1, min(wanted, config.refresh_max_segments))
