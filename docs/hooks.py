"""Build hooks of the documentation site: the command-line page is made from the CLI's
own help at build time, so it cannot drift from the program."""

from __future__ import annotations

import click

from actinit.cli import main

MARKER = "<!-- commands -->"


def _help(command: click.Command, name: str) -> str:
    context = click.Context(command, info_name=name, terminal_width=100, max_content_width=100)
    return command.get_help(context)


def command_reference() -> str:
    """``actinit --help`` and every command's ``--help``, as Markdown."""
    parts = ["```text", _help(main, "actinit"), "```", ""]
    for name in sorted(main.commands):
        parts += [
            f"## actinit {name}",
            "",
            "```text",
            _help(main.commands[name], f"actinit {name}"),
        ]
        parts += ["```", ""]
    return "\n".join(parts)


def on_page_markdown(markdown: str, page, **_) -> str:
    if page.file.src_uri == "cli.md":
        return markdown.replace(MARKER, command_reference())
    return markdown
