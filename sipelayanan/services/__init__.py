"""Unit-of-work functions. None of them commits: the caller owns the transaction
(``with db.write() as session: ...``), so a change and its audit entry land together."""
