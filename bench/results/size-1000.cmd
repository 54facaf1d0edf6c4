brook bench compare --only produce --only consume --value-size 1000 --records 100000 --runs 3 --json
