"""``consent-kit sample-answers SURVEY --count N [--remove]``: made-up answers to try results and exports.

The answers come from :mod:`consent_kit.results.samples`; the store writes
them in bulk (``Store.add_sample_responses``) and takes them all away in one
go (``Store.remove_sample_responses``), never touching a real answer.
"""

from __future__ import annotations

import getpass
import time
from pathlib import Path

import click

#: Sample answers made and stored per step (a progress line after each).
STEP = 50_000
MAX_COUNT = 10_000_000


@click.command("sample-answers")
@click.option("--instance", type=click.Path(file_okay=False, path_type=Path),
              envvar="CONSENT_KIT_INSTANCE", default="instance", show_default=True,
              help="The consent-kit folder (or set CONSENT_KIT_INSTANCE).")
@click.argument("survey_id")
@click.option("--count", type=click.IntRange(min=1, max=MAX_COUNT), default=None,
              help="How many made-up answers to add.")
@click.option("--remove", is_flag=True, help="Take away every sample answer of this survey "
              "(real answers stay as they are).")
@click.option("--seed", type=int, default=None, help="Make the same answers again (for tests).")
def sample_answers_command(instance: Path, survey_id: str, count: int | None, remove: bool,
                           seed: int | None):
    """Add made-up answers to a survey, to try the results page and exports before it opens.

    They follow the survey's questions, choices and skip logic, and are marked
    as samples: the results page says how many it includes, and exports leave
    them out unless you ask for them (--include-samples).
    """
    from consent_kit.cli import DEFAULT_HOST  # here: the cli package imports this module
    from consent_kit.cli.running import _app_for, survey_or_stop

    if remove == (count is not None):
        raise click.UsageError("Give --count N to add sample answers, or --remove to take them away.")
    app = _app_for(instance, DEFAULT_HOST)
    kit = app.extensions["consent_kit"]
    survey = survey_or_stop(kit, survey_id)
    actor = f"cli:{getpass.getuser()}"
    if remove:
        removed = _remove(kit, survey)
        kit.store.audit(actor=actor, action="samples_removed", subject=survey.id,
                        details={"count": removed})
        click.echo(f"Took away {removed:,} sample answers from '{survey.title}'. "
                   "Real answers were not touched.")
        return
    started = time.monotonic()
    added = _add(kit, survey, count, seed)
    kit.store.audit(actor=actor, action="samples_added", subject=survey.id, details={"count": added})
    click.echo(f"Added {added:,} sample answers to '{survey.title}' in {time.monotonic() - started:.0f} s.")
    click.echo("They are marked as samples: the results page says so, and exports leave them out "
               "unless you ask for them.")
    click.echo(f"Take them away with: consent-kit sample-answers {survey.id} --remove "
               f"--instance {instance}")


def _add(kit, survey, count: int, seed: int | None) -> int:
    """Make, store and count ``count`` samples in steps, saying how far it has got."""
    from consent_kit.results.sample_tally import add_samples
    from consent_kit.results.samples import make_samples

    samples = make_samples(survey, count, seed=seed, question_types=kit.question_types)
    say = (lambda added: click.echo(f"  {added:,} of {count:,}", err=True)) if count > STEP else None
    return add_samples(kit.store, survey, samples, step=STEP, progress=say)


def _remove(kit, survey) -> int:
    from consent_kit.results.sample_tally import remove_samples

    return remove_samples(kit.store, survey)
