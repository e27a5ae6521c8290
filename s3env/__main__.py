from s3env.cli.entry import main

raise SystemExit(main())
