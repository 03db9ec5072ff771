"""Consent: texts and versions, records, the participant's copy (page and PDF) and the consent steps."""
