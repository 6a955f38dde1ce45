"""Signals the package sends, for its own background work and for sites.

``registration_submitted`` is sent after a registration from the public form
is committed, with ``sender`` (the page class), ``page`` and
``registration``. The package's own receivers (``handlers.py``) enqueue the
coordinators' notice and the receipt; a site can connect its own. Receivers
must not put the registrant's answers anywhere outside the database.

``reconfirmation_requested`` is sent, with the same arguments, when the
retention purge asks a long-waiting registration whether it still wants a
group; the package's receiver e-mails the person their self-service link.

``action_executed`` is sent after the commit of every action of
``models/actions.py`` (a status change, a placement, a group started or
ended, an erasure...), with ``sender`` (the action's class) and ``action``
(the action, holding what it changed and who asked).
"""

from django.dispatch import Signal


registration_submitted = Signal()

reconfirmation_requested = Signal()

action_executed = Signal()
