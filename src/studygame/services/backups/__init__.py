"""Backups that demonstrably restore: `pg_dump` plain SQL, and a portable export without it.

`dump` writes and rotates the nightly dumps (and their signed manifests); `vetting` reads
a dump before `psql` ever sees it; `restore` puts one into a new database and checks
it; `export` builds and reads the zip the app offers for download; `pg_client` finds
and checks the PostgreSQL client tools; `own_schema` names what is ours in a database.
Unlike the rest of `services/`, `dump` and `restore` run whole jobs on their own
connections (a dump reads one snapshot; a restore writes a new database through `psql`),
which is why they take URLs rather than a caller's session; `export` takes a session.
"""
