"""A throwaway plugin whose event hook fails, and one that records events."""

from consent_kit import hookimpl

SEEN = []


class Broken:
    @hookimpl
    def response_submitted(self, response):
        raise RuntimeError("the mail server is down")


class Recorder:
    @hookimpl
    def response_submitted(self, response, survey):
        SEEN.append((survey.id, response.id))
