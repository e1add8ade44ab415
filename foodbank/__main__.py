"""`python3 -m foodbank ARGS...`: install what the project needs, then run the `foodbank` CLI."""

import sys

from foodbank.bootstrap import main

main(sys.argv[1:])
