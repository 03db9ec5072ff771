"""Reading survey files into the survey model, reporting every mistake with file, line and fix (no Flask)."""
