"""``python -m atbib`` runs the command line, under the name its messages use."""

from atbib.cli import main

main(prog_name="atbib")
