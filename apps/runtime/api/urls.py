from django.urls import path

from . import views

app_name = "runtime_api"

urlpatterns = [
    path("tasks/", views.TaskListView.as_view(), name="tasks"),
    path("tasks/<uuid:task_id>/", views.TaskDetailView.as_view(), name="task"),
    path("tasks/<uuid:task_id>/complete/", views.TaskCompleteView.as_view(), name="task-complete"),
]
