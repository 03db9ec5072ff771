"""Taking part: the flow through a survey, drafts, codes, withdrawal and the participant pages."""
