"""Making sense of the answers together: a codebook the team owns, coding, agreement, exchange.

Registered as the built-in plugin ``analysis`` (blockable like the others) and
written on the public API: its pages come through ``register_blueprints``, its
place in the studio through ``survey_tasks``, and it erases a person's codes
through ``erase_participant_data`` when they take their answers back. The pure
modules (codebook, coding, agreement, qdpx) have no Flask in them.
"""
