"""All the app's logic, one module per concern; a concern of several modules is a wing.

A service takes a Session and never commits: the caller owns the transaction. Two kinds
of module own theirs, because their job is the commit: `outbox` writes each answer (or
batch) in a transaction of its own so it can leave the queue only once committed, and
the `backups` wing's dump and restore run whole jobs on connections of their own.
"""
