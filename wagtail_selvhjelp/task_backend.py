"""The tasks framework the package's tasks belong to: Django's own or its backport.

Django 6 has ``django.tasks``; before it, the ``django-tasks`` backport
provides the same API as ``django_tasks``. A task belongs to the framework
whose ``task`` decorator made it, and a worker runs only its own
framework's tasks: on Django 6, django-tasks-db's ``db_worker`` runs
``django.tasks`` tasks and refuses the backport's. So the package takes
``django.tasks`` where Django has it and the backport otherwise, and the
site's ``TASKS`` names backends of the same framework
(:func:`backend_path`). Every module of the package imports the framework
from here, never from either directly.

(Wagtail 7 and 8 define their own tasks with the backport, on every
Django; the two frameworks read the same ``TASKS`` setting, and
their immediate and dummy backends run either's tasks.)
"""

try:
    from django.tasks import TaskResultStatus, default_task_backend, signals, task

    FRAMEWORK = "django.tasks"
except ImportError:  # Django 5.2: the backport
    from django_tasks import default_task_backend, signals, task

    try:
        from django_tasks import TaskResultStatus
    except ImportError:  # django-tasks 0.7
        from django_tasks import ResultStatus as TaskResultStatus

    FRAMEWORK = "django_tasks"

__all__ = [
    "FRAMEWORK",
    "TaskResultStatus",
    "backend_path",
    "default_task_backend",
    "signals",
    "task",
]


def backend_path(name):
    """The dotted path of the framework's built-in backend ``name``
    ("immediate" or "dummy"), for a site's ``TASKS``.

    The database backend is django-tasks-db's
    (``django_tasks_db.DatabaseBackend``), which follows the framework by
    itself.
    """
    class_name = {"immediate": "ImmediateBackend", "dummy": "DummyBackend"}[name]
    return f"{FRAMEWORK}.backends.{name}.{class_name}"
