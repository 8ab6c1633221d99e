"""`python -m publication <build|publish|status>`: see cli.py."""
import sys

from publication.cli import main

sys.exit(main())
