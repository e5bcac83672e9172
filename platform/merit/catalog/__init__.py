"""Reading the content files trainers and HR write: frameworks, positions, courses.

Everything here is read-only and validated on load; errors name the file and field.
"""

from merit.catalog.course import Course, GradedCell, load_course, load_courses
from merit.catalog.framework import Competency, Framework, load_framework
from merit.catalog.positions import Position, load_positions
from merit.catalog.units import load_units

__all__ = [
    "Competency",
    "Course",
    "Framework",
    "GradedCell",
    "Position",
    "load_course",
    "load_courses",
    "load_framework",
    "load_positions",
    "load_units",
]
