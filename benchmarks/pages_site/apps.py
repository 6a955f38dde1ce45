from django.apps import AppConfig


class BenchPagesConfig(AppConfig):
    name = "benchmarks.pages_site"
    label = "bench_pages"
    verbose_name = "Page benchmark baseline"
    default_auto_field = "django.db.models.BigAutoField"
