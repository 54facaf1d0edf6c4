brook bench compare --only produce --only consume --value-size 10 --records 1000000 --runs 3 --json
