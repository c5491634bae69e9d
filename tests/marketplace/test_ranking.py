"""The recommended order is fair to engineers with many reviews and to new ones."""
from config import Config
from marketplace.ranking import recommended_score
from marketplace.rules import from_config

RULES = from_config(vars(Config)).ranking


def score(stars: list[int]) -> float:
    return recommended_score(sum(stars), len(stars), RULES)


def test_one_five_star_review_does_not_outrank_three_hundred_at_4_9():
    many = [5] * 270 + [4] * 30  # 4.9 on average
    assert score([5]) < score(many)


def test_a_new_engineer_is_seen_before_a_mediocre_veteran():
    assert score([]) > score([4, 3] * 40)  # 3.5 over 80 reviews


def test_a_great_record_beats_a_blank_one():
    assert score([5] * 40 + [4] * 2) > score([])


def test_the_newcomer_bonus_fades_out_with_reviews():
    after = RULES.newcomer_reviews
    def plain(stars):
        return (RULES.prior_weight * RULES.prior_mean + sum(stars)) / (
            RULES.prior_weight + len(stars))
    assert score([5] * after) == round(plain([5] * after), 6)
    assert score([5] * (after // 2)) > plain([5] * (after // 2))


def test_one_bad_review_does_not_bury_anyone():
    assert score([1]) > 3.9
