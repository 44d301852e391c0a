"""The rehearsal mode, ``remotehub demo``: the real bot against the local Bot API server, a
sample forum day and scripted people, printed as a conversation (see ``runner``)."""
