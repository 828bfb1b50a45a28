"""``python -m pmscore`` runs the command line."""

from pmscore.cli import main

main()
