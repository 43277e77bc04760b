"""The old app's SQLite history, brought into Postgres once, losslessly (revision 0002, CLI).

`importer` runs an import; `sqlite` reads the file read-only (drifted schemas, a file
torn mid-write); `rows` turns its rows into ours or into rejects with their reasons;
`write` puts them in. An import runs in its caller's one transaction (the CLI's or the
revision's) and never commits: all-or-nothing, and a rerun imports nothing twice.
"""
