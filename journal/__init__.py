"""The outbound-mail journal: a small resident recorder of every mail connection and MX lookup
this machine makes, kept in a hash-chained SQLite database, so that a later complaint about a
given hour can be answered from a record rather than from a check made afterwards."""
