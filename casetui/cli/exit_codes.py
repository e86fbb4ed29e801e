"""How ``casetui`` exits: 0 done, 1 refused by a rule or a database problem, 2 usage error."""

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
