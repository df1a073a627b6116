"""`python -m bot` runs the `elp-bot` command line."""

from bot.cli import main

main(prog_name="elp-bot")
