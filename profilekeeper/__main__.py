from profilekeeper.cli import main

raise SystemExit(main())
