"""Rating instruments: the catalogue of scales and the generic scoring engine.

Public API::

    catalogue = load_catalogue()            # cached
    phq9 = catalogue.get("phq9")
    result = score(phq9, [2, 2, 2, 2, 1, 1, 2, 0, 0], {})
    result.as_dict()
    is_remission(phq9, score=4)
"""

from ketacare.core.instruments.answers import parse_token
from ketacare.core.instruments.bands import severity_band
from ketacare.core.instruments.catalogue_loader import Catalogue, load_catalogue
from ketacare.core.instruments.model import Answer, Instrument, Item
from ketacare.core.instruments.result import ScoreResult
from ketacare.core.instruments.scoring import ENGINE_VERSION, score, score_by_id, total_bounds

__all__ = [
    "ENGINE_VERSION",
    "Answer",
    "Catalogue",
    "Instrument",
    "Item",
    "ScoreResult",
    "load_catalogue",
    "parse_token",
    "score",
    "score_by_id",
    "severity_band",
    "total_bounds",
]
