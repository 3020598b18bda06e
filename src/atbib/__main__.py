"""``python -m atbib`` runs the command line."""

from atbib.cli import main

main()
