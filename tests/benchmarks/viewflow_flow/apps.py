from django.apps import AppConfig


class ViewflowFlowConfig(AppConfig):
    name = "tests.benchmarks.viewflow_flow"
    label = "bench_viewflow"
    default_auto_field = "django.db.models.BigAutoField"
