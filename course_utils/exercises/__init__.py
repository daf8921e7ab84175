"""Exercise checkers: call one with your answer and get a pass, or a hint.

Each chapter has its own module (``exercises.neurons`` ...). They all answer with a
:class:`Feedback`, built by the helpers in :mod:`course_utils.exercises.check`.
"""

from .check import Feedback, check_choice, check_function, check_value

__all__ = ["Feedback", "check_choice", "check_function", "check_value"]
