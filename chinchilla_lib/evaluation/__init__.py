"""Downstream evaluation as a method: two models compared task by task (Section 4.2).

* :mod:`.model_comparison` -- wins, ties and losses, relative improvement, averages over tasks or questions.
"""
