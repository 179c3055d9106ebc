"""``python -m actinit.cli``: the command line, as the ``actinit`` script runs it."""

from . import run_cli

run_cli()
