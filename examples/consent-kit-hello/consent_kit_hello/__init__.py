"""consent-kit-hello: an example plugin. This module holds the hook implementations only;
each one hands over to a small module that does the work."""

from consent_kit import hookimpl

from . import command, feelings, page


@hookimpl
def register_question_types(register):
    register(feelings.Feelings())


@hookimpl
def register_blueprints(app):
    return [page.bp]


@hookimpl
def register_commands(cli):
    cli.add_command(command.hello)
