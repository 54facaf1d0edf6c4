brook bench compare --only produce --only consume --value-size 100 --records 1000000 --runs 3 --json
