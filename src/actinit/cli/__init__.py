"""The ``actinit`` command line.

Every command checks what it was given before any work starts (the study, the
database, the data) and refuses bad input with one line naming what is wrong and a
non-zero exit; options shared by several commands are defined once below.

One module per family of commands: :mod:`.running` (reproduce, run, show),
:mod:`.answers` (rank, compare, effects, export, calibrate), :mod:`.pictures` (plot,
animate, report, diagnose), :mod:`.models` (prune), :mod:`.theory`, :mod:`.catalogue`
(list, playground); what they share is in :mod:`._common` and how they print answers
in :mod:`._output`.
"""

from __future__ import annotations

from typing import Any

import click

from ..studies.run.store import StoreError
from . import answers, catalogue, models, pictures, running, theory
from ._common import _fail, _fit_console


class _Commands(click.Group):
    """The command group; a database that is not actinit's is refused as a message
    whichever command opened it."""

    def invoke(self, ctx: click.Context) -> Any:
        _fit_console()
        try:
            return super().invoke(ctx)
        except StoreError as error:
            _fail(str(error))


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="actinit")
def main() -> None:
    """actinit: which activation, with which initialization, trains well, and why."""


for _command in (
    running.reproduce,
    running.run,
    running.show,
    answers.rank_command,
    answers.compare_command,
    answers.effects_command,
    answers.export,
    answers.calibrate,
    pictures.plot,
    pictures.animate,
    pictures.report,
    pictures.diagnose,
    models.prune_command,
    theory.theory_command,
    catalogue.list_,
    catalogue.playground,
):
    main.add_command(_command)


def run_cli() -> None:
    """The console entry point."""
    main(standalone_mode=True)
