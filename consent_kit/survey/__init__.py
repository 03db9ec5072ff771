"""Surveys: the model, question types, the catalog of an instance and the readers of
survey files (no Flask)."""
