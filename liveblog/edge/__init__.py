"""Push through edge engines: transports whose readers' (and desks') connections are held
by an engine outside Newsroom (``grip``: Pushpin, Fastly Fanout). Above both channels it
serves (``liveblog.live``, the readers'; ``liveblog.desk``, the staff's); nothing imports
it but the ``NEWSROOM_PUSH_BACKEND`` setting."""
