import pytest

from merit.competency.levels import CourseYield, best_yield, level_for


@pytest.mark.parametrize(
    ("share", "target", "level"),
    [(1.0, 3, 3), (0.8, 3, 3), (0.79, 3, 2), (0.6, 3, 2), (0.59, 3, 1), (0.4, 3, 1), (0.39, 3, 0), (0.0, 3, 0), (0.5, 1, 0), (0.7, 2, 1)],
)
def test_level_follows_share_thresholds_below_the_course_target(share, target, level):
    assert level_for(share, target) == level


def test_best_yield_prefers_level_then_share_then_course_id():
    options = [
        CourseYield("b-course", 8, 10, 2),
        CourseYield("a-course", 8, 10, 2),
        CourseYield("c-course", 9, 10, 2),
        CourseYield("d-course", 1, 10, 0),
    ]
    assert best_yield(options).course_id == "c-course"
    assert best_yield(options[:2]).course_id == "a-course"
    assert best_yield([CourseYield("x", 0, 10, 0)]) is None
