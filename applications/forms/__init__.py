"""Forms of the applicant's pages: one per section (``sections``), their editor (``editor``) and
the choice of campaign × specialty × level × kind (``application``)."""

from .context import SectionContext
from .editor import (
    DATA_SECTIONS,
    MAX_ROWS,
    SPECS,
    InputRefused,
    SectionEditor,
    json_to_raw,
    raw_delete_row,
    raw_from_post,
)

__all__ = ["DATA_SECTIONS", "MAX_ROWS", "SPECS", "InputRefused", "SectionContext", "SectionEditor", "json_to_raw", "raw_delete_row",
           "raw_from_post"]
