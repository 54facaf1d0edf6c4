brook bench compare --records 1000000 --runs 3 --json
