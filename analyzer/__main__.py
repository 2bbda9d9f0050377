"""``python -m analyzer`` is the ``lexiam`` command."""

from analyzer.cli import main

raise SystemExit(main())
