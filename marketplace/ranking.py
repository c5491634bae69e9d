"""The recommended order of engineers: fair to the long-reviewed and to the new.

An engineer's score is a Bayesian average of their stars: `prior_weight` imaginary reviews
of `prior_mean` stars are counted with the real ones, so one five-star review (4.55) does
not outrank three hundred at 4.9 (4.89), and a few bad reviews do not bury anyone for good.
A newcomer bonus, largest with no reviews and gone after `newcomer_reviews`, lifts new
engineers (新秀) to where customers see them and can give them their first reviews.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from marketplace.rules import RankingRules


def average_stars(star_sum: int, review_count: int) -> float:
    return star_sum / review_count if review_count else 0.0


def recommended_score(star_sum: int, review_count: int, rules: RankingRules) -> float:
    """Bayesian average plus the fading newcomer bonus (constants: config RANKING)."""
    weight, prior = rules.prior_weight, rules.prior_mean
    bayesian = (weight * prior + star_sum) / (weight + review_count)
    fade = max(0.0, 1.0 - review_count / rules.newcomer_reviews)
    return round(bayesian + rules.newcomer_bonus * fade, 6)
