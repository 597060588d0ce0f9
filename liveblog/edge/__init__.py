"""Push through edge engines: transports whose readers' (and desks') connections are held
by an engine outside Newsroom (``grip``: Pushpin, Fastly Fanout). Above both channels it
serves (``liveblog.live``, the readers'; ``liveblog.desk``, the staff's). Chosen by the
``NEWSROOM_PUSH_BACKEND`` setting; only the project's ``/metrics`` (its engines' breakers)
imports it, and no page, desk or API view does."""
