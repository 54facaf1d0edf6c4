brook bench compare --only produce --only consume --value-size 10000 --records 10000 --runs 3 --json
