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

Wagtail 7 and 8 define their own tasks with the backport's decorator,
which makes each task of the class its backend names (``task_class``):
with the backends of ``backend_path`` or django-tasks-db on Django 6,
Wagtail's tasks are ``django.tasks`` tasks too, and one worker runs both.
Both frameworks read the same ``TASKS`` setting.
"""

from django.apps import apps
from django.db.models.functions import Coalesce
from django.utils import timezone


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
    "WAITING",
    "RESULTS_APP",
    "backend_path",
    "default_task_backend",
    "queue_age",
    "result_model",
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


#: The status of a task waiting for a worker ("NEW" in django-tasks 0.7).
WAITING = getattr(TaskResultStatus, "READY", None) or TaskResultStatus.NEW

#: The app label of the database backend's stored results, the same for
#: django-tasks-db and ``django_tasks.backends.database`` (django-tasks 0.7, 0.8).
RESULTS_APP = "django_tasks_database"
DATABASE_BACKEND_MODULES = ("django_tasks_db", "django_tasks.backends.database")


def result_model():
    """The database backend's stored task results (``DBTaskResult``), or None
    when it is not installed."""
    if not any(apps.is_installed(name) for name in DATABASE_BACKEND_MODULES):
        return None
    return apps.get_model(RESULTS_APP, "DBTaskResult")


def queue_age(backend, now=None):
    """Seconds the oldest task due on ``backend`` has waited for a worker.

    0 when nothing waits; None when ``backend`` keeps no queue (the
    immediate and dummy backends): there is no worker to fall behind. A
    task enqueued to run later waits from its ``run_after``, not before.
    """
    model = result_model()
    if model is None or not type(backend).__module__.startswith(
        DATABASE_BACKEND_MODULES
    ):
        return None
    now = now or timezone.now()
    due_since = (
        model.objects.filter(status=WAITING, backend_name=backend.alias)
        .annotate(due_since=Coalesce("run_after", "enqueued_at"))
        .filter(due_since__lte=now)
        .order_by("due_since")
        .values_list("due_since", flat=True)
        .first()
    )
    return 0 if due_since is None else int((now - due_since).total_seconds())
