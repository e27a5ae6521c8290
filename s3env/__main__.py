from s3env.entry import main

raise SystemExit(main())
