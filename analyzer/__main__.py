"""``python -m lexiam`` is the ``lexiam`` command."""

from lexiam.cli import main

raise SystemExit(main())
