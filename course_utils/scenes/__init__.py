"""One module per concept; each holds a scene (see :mod:`course_utils.scene`).

Which scenes make up which chapter, and which GIFs they draw, is listed once, in the
chapter registry :mod:`course_utils.chapters`.
"""
